import { redirect, type AppLoadContext } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { db } from "~/db/client.server";
import { sessions } from "~/db/schema";
import { hotQuery } from "~/db/hot-query.server";
import { unitById } from "~/org/unit-cache.server";
import { lucia, SESSION_DAYS } from "./lucia.server";
import { assertSameOrigin } from "./origin.server";
import type { Grant, Viewer } from "./policy.server";

// The member behind a session cookie in one query (session, user, grants): it runs on every
// request. Unit codes and names come from the per-process unit copy.
const VIEWER_BY_SESSION_SQL = `
  select s.expires_at, u.id, u.name, u.employee_no, u.unit_id, u.status, u.is_cadre, u.must_change_password, u.disabled, u.locale,
         coalesce((select json_agg(json_build_object('unitId', g.unit_id, 'role', g.role) order by g.unit_id, g.role)
                   from role_grants g where g.user_id = u.id), '[]'::json) as grants
  from sessions s join users u on u.id = s.user_id
  where s.id = $1::text`;

type ViewerRow = {
  expires_at: Date;
  id: number;
  name: string;
  employee_no: string;
  unit_id: number;
  status: Viewer["status"];
  is_cadre: boolean;
  must_change_password: boolean;
  disabled: boolean;
  locale: Viewer["locale"];
  grants: Pick<Grant, "unitId" | "role">[];
};

const SESSION_MS = SESSION_DAYS * 24 * 3600_000;

type Resolved = { viewer: Viewer; refreshCookie: string | null } | null;

/** Whether a session is past half its life, so the next reply that can carry a cookie extends it. */
export function sessionExtensionDue(expiresAt: Date, now = Date.now()) {
  return expiresAt.getTime() - SESSION_MS / 2 <= now;
}

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
// life is extended and the cookie sent again (only when the reply can carry the cookie).
async function resolve(cookieHeader: string | null, { extend = true } = {}): Promise<Resolved> {
  const sessionId = lucia.readSessionCookie(cookieHeader ?? "");
  if (!sessionId) return null;
  const [row] = await hotQuery<ViewerRow>("viewer_by_session", VIEWER_BY_SESSION_SQL, [sessionId]);
  if (!row) return null;
  const now = Date.now();
  const expiresAt = row.expires_at.getTime();
  if (expiresAt <= now) {
    await db.delete(sessions).where(eq(sessions.id, sessionId));
    return null;
  }
  if (row.disabled) return null;
  const fresh = extend && sessionExtensionDue(row.expires_at, now);
  if (fresh) await db.update(sessions).set({ expiresAt: new Date(now + SESSION_MS) }).where(eq(sessions.id, sessionId));
  const home = await unitById(row.unit_id);
  const grants: Grant[] = [];
  for (const g of row.grants) {
    const unit = await unitById(g.unitId);
    if (unit) grants.push({ unitId: g.unitId, role: g.role, unitCode: unit.code, unitName: unit.name });
  }
  const viewer: Viewer = {
    id: row.id,
    sessionId,
    name: row.name,
    employeeNo: row.employee_no,
    unitId: row.unit_id,
    unitCode: home?.code ?? "",
    unitName: home?.name ?? "",
    status: row.status,
    isCadre: row.is_cadre,
    mustChangePassword: row.must_change_password,
    locale: row.locale,
    grants,
  };
  return { viewer, refreshCookie: fresh ? lucia.createSessionCookie(sessionId).serialize() : null };
}

function resolveOnce(args: RequestArgs) {
  const { request, key } = unpack(args);
  let found = resolved.get(key);
  if (!found) {
    found = resolve(request.headers.get("cookie"));
    resolved.set(key, found);
  }
  return found;
}

/**
 * The member of the session in a Cookie header, or null: for the direct endpoints
 * (app/http/direct.server.ts), whose replies carry no cookie, so the session is not extended here.
 */
export async function viewerForCookie(cookieHeader: string | null) {
  return (await resolve(cookieHeader, { extend: false }))?.viewer ?? null;
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
