import { redirect } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { db } from "~/db/client.server";
import { roleGrants, units } from "~/db/schema";
import { lucia } from "./lucia.server";
import { assertSameOrigin } from "./origin.server";
import type { Viewer } from "./policy.server";

type Resolved = { viewer: Viewer; refreshCookie: string | null } | null;
const resolved = new WeakMap<Request, Promise<Resolved>>();

async function resolve(request: Request): Promise<Resolved> {
  const sessionId = lucia.readSessionCookie(request.headers.get("cookie") ?? "");
  if (!sessionId) return null;
  const { session, user } = await lucia.validateSession(sessionId);
  if (!session || user.disabled) return null;
  const [unitRows, grantRows] = await Promise.all([
    db.select({ code: units.code, name: units.name }).from(units).where(eq(units.id, user.unitId)),
    db
      .select({ unitId: roleGrants.unitId, role: roleGrants.role, unitCode: units.code, unitName: units.name })
      .from(roleGrants)
      .innerJoin(units, eq(units.id, roleGrants.unitId))
      .where(eq(roleGrants.userId, user.id)),
  ]);
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

function resolveOnce(request: Request) {
  let found = resolved.get(request);
  if (!found) {
    found = resolve(request);
    resolved.set(request, found);
  }
  return found;
}

/** The signed-in member, or null. */
export async function getViewer(request: Request) {
  return (await resolveOnce(request))?.viewer ?? null;
}

/** A Set-Cookie value when the session's expiry was extended on this request. */
export async function sessionRefreshCookie(request: Request) {
  return (await resolveOnce(request))?.refreshCookie ?? null;
}

/**
 * Every loader and action that needs a signed-in member starts here: redirects to the
 * login page, sends members who must change their password to do so, and refuses
 * cross-origin writes.
 */
export async function requireViewer(request: Request, { allowPasswordChange = false } = {}) {
  assertSameOrigin(request);
  const viewer = await getViewer(request);
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
