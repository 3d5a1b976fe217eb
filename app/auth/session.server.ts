import { redirect, type AppLoadContext } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { roleGrants, units } from "~/db/schema";
import { lucia } from "./lucia.server";
import { assertSameOrigin } from "./origin.server";
import type { Viewer } from "./policy.server";

// Prepared once: these run on every page view.
const homeUnit = db
  .select({ code: units.code, name: units.name })
  .from(units)
  .where(eq(units.id, sql.placeholder("unitId")))
  .prepare("viewer_home_unit");
const grantsOfUser = db
  .select({ unitId: roleGrants.unitId, role: roleGrants.role, unitCode: units.code, unitName: units.name })
  .from(roleGrants)
  .innerJoin(units, eq(units.id, roleGrants.unitId))
  .where(eq(roleGrants.userId, sql.placeholder("userId")))
  .prepare("viewer_grants");

type Resolved = { viewer: Viewer; refreshCookie: string | null } | null;

/**
 * Loader arguments, or just the request. Pass the arguments: Remix gives each loader of a
 * page its own Request object but one shared load context, so the member is looked up once.
 */
export type RequestArgs = Request | { request: Request; context?: AppLoadContext };

const resolved = new WeakMap<object, Promise<Resolved>>();

function unpack(args: RequestArgs) {
  return args instanceof Request ? { request: args, key: args } : { request: args.request, key: args.context ?? args.request };
}

async function resolve(request: Request): Promise<Resolved> {
  const sessionId = lucia.readSessionCookie(request.headers.get("cookie") ?? "");
  if (!sessionId) return null;
  const { session, user } = await lucia.validateSession(sessionId);
  if (!session || user.disabled) return null;
  const [unitRows, grantRows] = await Promise.all([homeUnit.execute({ unitId: user.unitId }), grantsOfUser.execute({ userId: user.id })]);
  const viewer: Viewer = {
    id: user.id,
    sessionId: session.id,
    name: user.name,
    employeeNo: user.employeeNo,
    unitId: user.unitId,
    unitCode: unitRows[0]?.code ?? "",
    unitName: unitRows[0]?.name ?? "",
    status: user.status,
    isCadre: user.isCadre,
    mustChangePassword: user.mustChangePassword,
    locale: user.locale,
    grants: grantRows,
  };
  return { viewer, refreshCookie: session.fresh ? lucia.createSessionCookie(session.id).serialize() : null };
}

function resolveOnce(args: RequestArgs) {
  const { request, key } = unpack(args);
  let found = resolved.get(key);
  if (!found) {
    found = resolve(request);
    resolved.set(key, found);
  }
  return found;
}

/** The signed-in member, or null. */
export async function getViewer(args: RequestArgs) {
  return (await resolveOnce(args))?.viewer ?? null;
}

/** A Set-Cookie value when the session's expiry was extended on this request. */
export async function sessionRefreshCookie(args: RequestArgs) {
  return (await resolveOnce(args))?.refreshCookie ?? null;
}

/**
 * Every loader and action that needs a signed-in member starts here: redirects to the
 * login page, sends members who must change their password to do so, and refuses
 * cross-origin writes.
 */
export async function requireViewer(args: RequestArgs, { allowPasswordChange = false } = {}) {
  const { request } = unpack(args);
  assertSameOrigin(request);
  const viewer = await getViewer(args);
  const url = new URL(request.url);
  if (!viewer) {
    const back = url.pathname + url.search;
    throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
  }
  if (viewer.mustChangePassword && !allowPasswordChange) throw redirect("/password");
  return viewer;
}

export async function startSession(userId: number) {
  const session = await lucia.createSession(userId, {});
  return lucia.createSessionCookie(session.id).serialize();
}

export async function endSession(request: Request) {
  const sessionId = lucia.readSessionCookie(request.headers.get("cookie") ?? "");
  if (sessionId) await lucia.invalidateSession(sessionId);
  return lucia.createBlankSessionCookie().serialize();
}
