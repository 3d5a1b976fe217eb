// Who is answering, for the contest's hot path (one request per answer). The same checks as
// requireViewer — same origin, an unexpired session of an enabled account that need not change
// its password — in one prepared query: the answer path needs only the member's id, because the
// entry row (created only for members of the contest's subtree) is its scope check, and
// requireViewer's unit and role lookups (and the query builder) would double the work of every
// answer. Sessions are still extended by lucia on the member's other requests (page loads).
import { lucia } from "~/auth/lucia.server";
import { assertSameOrigin } from "~/auth/origin.server";
import { hotQuery } from "./play.server";

const SESSION_SQL = `
  select u.id from sessions s join users u on u.id = s.user_id
  where s.id = $1 and s.expires_at > now() and not u.disabled and not u.must_change_password`;

export async function requireAnswerer(request: Request): Promise<{ id: number }> {
  assertSameOrigin(request);
  const sessionId = lucia.readSessionCookie(request.headers.get("cookie") ?? "");
  const [user] = sessionId ? await hotQuery<{ id: number }>("contest_answerer", SESSION_SQL, [sessionId]) : [];
  if (!user) throw new Response("Unauthorized", { status: 401 });
  return { id: Number(user.id) };
}
