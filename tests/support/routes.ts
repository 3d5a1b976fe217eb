// Calls route loaders and actions the way Remix does, with a real session cookie.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { startSession } from "~/auth/session.server";

export const ORIGIN = "http://localhost:3000";

export async function sessionCookie(userId: number) {
  const setCookie = await startSession(userId);
  return setCookie.split(";")[0];
}

type Handler = (args: LoaderFunctionArgs | ActionFunctionArgs) => unknown;

export type Outcome = { status: number; location?: string; body: unknown };

/** Runs a loader/action; thrown Responses (redirects, 403, 404) become outcomes too. */
export async function invoke(
  handler: Handler | undefined,
  { path, cookie, method = "GET", form, params = {}, ip = "127.0.0.1", headers = {} }: {
    path: string;
    cookie?: string;
    method?: string;
    form?: Record<string, string> | FormData;
    params?: Record<string, string>;
    ip?: string;
    headers?: Record<string, string>;
  },
): Promise<Outcome> {
  if (!handler) throw new Error(`no ${method === "GET" ? "loader" : "action"} for ${path}`);
  const init: RequestInit = { method, headers: { origin: ORIGIN, host: "localhost:3000", ...headers } };
  if (cookie) (init.headers as Record<string, string>).cookie = cookie;
  if (form) init.body = form instanceof FormData ? form : new URLSearchParams(form);
  const request = new Request(`${ORIGIN}${path}`, init);
  try {
    const result = await handler({ request, params, context: { clientIp: ip } });
    return toOutcome(result);
  } catch (thrown) {
    if (thrown instanceof Response) return toOutcome(thrown);
    throw thrown;
  }
}

async function toOutcome(result: unknown): Promise<Outcome> {
  if (result instanceof Response) {
    const location = result.headers.get("location") ?? undefined;
    const type = result.headers.get("content-type") ?? "";
    const body = type.includes("json") ? await result.json() : type.includes("text") ? await result.text() : null;
    return { status: result.status, location, body };
  }
  // Single fetch: `data(value, init)` returns a wrapper with the value and the status.
  if (result && typeof result === "object" && "type" in result && (result as { type: string }).type === "DataWithResponseInit") {
    const wrapped = result as unknown as { data: unknown; init: ResponseInit | null };
    return { status: wrapped.init?.status ?? 200, body: wrapped.data };
  }
  return { status: 200, body: result };
}
