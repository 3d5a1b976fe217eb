// The direct endpoints (app/http/direct.server.ts) answer a member many times a minute. After a
// session's first request this process remembers whose it is, so a later request is one statement:
// the statement re-checks the session itself (`sessionStillValidSql`), and the database stays the
// authority. A session signed out, expired, of an account disabled or told to change its password,
// or (when asked) of a member moved to another unit a moment ago, gets nothing written; the
// endpoint then forgets it and looks it up again.
import { hotQuery } from "~/db/hot-query.server";
import { lucia } from "./lucia.server";

export type RememberedMember = { id: number; unitId: number };

const MAX_REMEMBERED = 50_000;
const remembered = new Map<string, RememberedMember>();

/** The session id of a Cookie header, or null. */
export function sessionIdOf(cookieHeader: string | null) {
  return lucia.readSessionCookie(cookieHeader ?? "");
}

export function recallMember(sessionId: string) {
  return remembered.get(sessionId);
}

export function rememberMember(sessionId: string, member: RememberedMember) {
  remembered.delete(sessionId);
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  remembered.set(sessionId, member);
}

export function forgetMember(sessionId: string) {
  remembered.delete(sessionId);
}

/**
 * SQL that is true while session `session` belongs to member `user`, has not expired, and the account
 * is enabled and need not change its password; with `unit`, also while the member is in that unit.
 * The arguments are placeholders or columns of the statement it goes into, such as "$13" or "r.session".
 * A scalar subquery with a limit, not `exists`: for a statement checking a group of sessions the
 * planner would otherwise hash every session there is instead of looking each one up by its key.
 */
export function sessionStillValidSql(session: string, user: string, unit?: string) {
  return `coalesce((
    select true from sessions s join users u on u.id = s.user_id
    where s.id = ${session}::text and s.user_id = ${user}::int and s.expires_at > now()
      and not u.disabled and not u.must_change_password${unit ? ` and u.unit_id = ${unit}::int` : ""}
    limit 1), false)`;
}

const STILL_VALID_SQL = `select ${sessionStillValidSql("$1", "$2", "$3")} as valid`;

/** Whether the session still belongs to the member, in `unitId`: for the rare paths that write with more than one statement. */
export async function sessionStillValid(sessionId: string, member: RememberedMember) {
  const [row] = await hotQuery<{ valid: boolean }>("session_still_valid", STILL_VALID_SQL, [sessionId, member.id, member.unitId]);
  return row.valid;
}

const SESSION_MEMBER_SQL = `
  select u.id, u.unit_id, s.expires_at, exists(select 1 from role_grants g where g.user_id = u.id) as manages
  from sessions s join users u on u.id = s.user_id
  where s.id = $1 and s.expires_at > now() and not u.disabled and not u.must_change_password`;

/** A session's member, with when the session expires and whether they hold a role anywhere. */
export type SessionMember = RememberedMember & { expiresAt: Date; manages: boolean };

/** The member of an unexpired session of an enabled account that need not change its password, or null. */
export async function sessionMember(sessionId: string): Promise<SessionMember | null> {
  const [user] = await hotQuery<{ id: number; unit_id: number; expires_at: Date; manages: boolean }>("session_member", SESSION_MEMBER_SQL, [sessionId]);
  return user ? { id: Number(user.id), unitId: Number(user.unit_id), expiresAt: user.expires_at, manages: user.manages } : null;
}
