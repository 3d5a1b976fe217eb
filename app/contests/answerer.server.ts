// Who is answering, for the contest's hot path (one request per answer). The same checks as
// requireViewer — same origin, an unexpired session of an enabled account that need not change
// its password — but no unit and role lookups: the entry row (created only for members of the
// contest's subtree) is the answer's scope check.
//
// After a session's first answer this process remembers which member it belongs to, only to
// know whose question order to grade against; the authority stays with the database, because
// the answer statement itself re-checks the session (answerQuestion with `sessionId`): a
// session signed out, expired or of an account disabled a moment ago answers nothing. One query
// per answer instead of two. Sessions are still extended by lucia on the member's page loads.
import { lucia } from "~/auth/lucia.server";
import { assertSameOrigin } from "~/auth/origin.server";
import { sessionUser } from "./play.server";

const MAX_REMEMBERED = 50_000;
const members = new Map<string, number>();

const unauthorized = () => new Response("Unauthorized", { status: 401 });

/**
 * The member answering and their session. `checked`: the session was looked up now; otherwise it
 * was remembered, and the caller must have the database check it again.
 */
export async function requireAnswerer(request: Request): Promise<{ id: number; sessionId: string; checked: boolean }> {
  assertSameOrigin(request);
  const sessionId = lucia.readSessionCookie(request.headers.get("cookie") ?? "");
  if (!sessionId) throw unauthorized();
  const remembered = members.get(sessionId);
  if (remembered !== undefined) return { id: remembered, sessionId, checked: false };
  const id = await sessionUser(sessionId);
  if (id === null) {
    members.delete(sessionId);
    throw unauthorized();
  }
  if (members.size >= MAX_REMEMBERED) members.delete(members.keys().next().value!);
  members.set(sessionId, id);
  return { id, sessionId, checked: true };
}

/** Forgets a session the database refused. */
export function forgetAnswerer(sessionId: string) {
  members.delete(sessionId);
}
