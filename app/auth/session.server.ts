import { redirect, type AppLoadContext } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { roleGrants, sessions, users } from "~/db/schema";
import { unitById } from "~/org/unit-cache.server";
import { lucia, SESSION_DAYS } from "./lucia.server";
import { assertSameOrigin } from "./origin.server";
import type { Grant, Viewer } from "./policy.server";

// The member behind a session cookie in one query (session, user, grants): it runs on every
// request. Unit codes and names come from the per-process unit copy. Prepared once.
const viewerBySession = db
  .select({
    expiresAt: sessions.expiresAt,
    id: users.id,
    name: users.name,
    employeeNo: users.employeeNo,
    unitId: users.unitId,
    status: users.status,
    isCadre: users.isCadre,
    mustChangePassword: users.mustChangePassword,
    disabled: users.disabled,
    locale: users.locale,
    grants: sql<Pick<Grant, "unitId" | "role">[]>`coalesce((
      select json_agg(json_build_object('unitId', g.unit_id, 'role', g.role) order by g.unit_id, g.role)
      from ${roleGrants} g where g.user_id = ${users.id}), '[]'::json)`,
  })
  .from(sessions)
  .innerJoin(users, eq(users.id, sessions.userId))
  .where(eq(sessions.id, sql.placeholder("sessionId")))
  .prepare("viewer_by_session");

const SESSION_MS = SESSION_DAYS * 24 * 3600_000;

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

// Lucia's rules, without its three queries: an expired session is deleted; one past half its
// life is extended and the cookie sent again.
async function resolve(request: Request): Promise<Resolved> {
  const sessionId = lucia.readSessionCookie(request.headers.get("cookie") ?? "");
  if (!sessionId) return null;
  const [row] = await viewerBySession.execute({ sessionId });
  if (!row) return null;
  const now = Date.now();
  if (row.expiresAt.getTime() <= now) {
    await db.delete(sessions).where(eq(sessions.id, sessionId));
    return null;
  }
  if (row.disabled) return null;
  const fresh = row.expiresAt.getTime() - SESSION_MS / 2 <= now;
  if (fresh) await db.update(sessions).set({ expiresAt: new Date(now + SESSION_MS) }).where(eq(sessions.id, sessionId));
  const home = await unitById(row.unitId);
  const grants: Grant[] = [];
  for (const g of row.grants) {
    const unit = await unitById(g.unitId);
    if (unit) grants.push({ unitId: g.unitId, role: g.role, unitCode: unit.code, unitName: unit.name });
  }
  const viewer: Viewer = {
    id: row.id,
    sessionId,
    name: row.name,
    employeeNo: row.employeeNo,
    unitId: row.unitId,
    unitCode: home?.code ?? "",
    unitName: home?.name ?? "",
    status: row.status,
    isCadre: row.isCadre,
    mustChangePassword: row.mustChangePassword,
    locale: row.locale,
    grants,
  };
  return { viewer, refreshCookie: fresh ? lucia.createSessionCookie(sessionId).serialize() : null };
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
