// POST /contests/:id/answer — one answer (or a timeout) of the signed-in entrant, as JSON. The
// reply carries whether it counted and the next question (without its key) with its time.
import type { ActionFunctionArgs } from "@remix-run/node";
import { parseId } from "~/auth/policy.server";
import { forgetAnswerer, requireAnswerer } from "~/contests/answerer.server";
import { answerBodySchema } from "~/contests/forms";
import { answerQuestion, sessionUser, timeOut } from "~/contests/play.server";

const reply = (body: unknown, status = 200) => Response.json(body, { status, headers: { "Cache-Control": "no-store" } });

export async function action({ request, params }: ActionFunctionArgs) {
  const answerer = await requireAnswerer(request);
  const contestId = parseId(params.contestId);
  if (request.method !== "POST") return reply({ ok: false, error: "tampered" }, 405);
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return reply({ ok: false, error: "tampered" }, 400);
  }
  const parsed = answerBodySchema.safeParse(body);
  if (!parsed.success) return reply({ ok: false, error: "tampered" }, 400);
  const input = parsed.data;
  // Answers re-check the session inside their statement; timeouts (rare) look it up first.
  if (input.intent === "timeout" && !answerer.checked && (await sessionUser(answerer.sessionId)) !== answerer.id) {
    forgetAnswerer(answerer.sessionId);
    return reply({ ok: false, error: "session" }, 401);
  }
  const result =
    input.intent === "answer"
      ? await answerQuestion(answerer, contestId, input.index, input.response, answerer.sessionId)
      : await timeOut(answerer, contestId, input.index);
  if (result.ok) return reply(result);
  if (result.error === "session") {
    forgetAnswerer(answerer.sessionId);
    return reply({ ok: false, error: "session" }, 401);
  }
  return reply(result, result.error === "tampered" ? 400 : 409);
}
