// POST /contests/:id/answer — one answer (or a timeout) of the signed-in entrant, as JSON: whether
// it counted and the next question (without its key) with its time; or "start": enter and get the
// first question. A direct endpoint (app/http/direct.server.ts), one request per answer.
//
// Who is answering: the same checks as requireViewer — same origin, an unexpired session of an
// enabled account that need not change its password — but no unit and role lookups: the entry
// row (created only for members of the contest's subtree) is the answer's scope check.
// After a session's first answer this process remembers which member it belongs to, only to
// know whose question order to grade against; the authority stays with the database, because
// the answer statement itself re-checks the session (answerQuestion with `session`): a session
// signed out, expired or of an account disabled a moment ago answers nothing. One query per
// answer instead of two. Sessions are still extended by lucia on the member's page loads.
import pLimit from "p-limit";
import { forgetMember, recallMember, rememberMember, sessionIdOf, sessionMember } from "~/auth/remembered-sessions.server";
import { isCrossOrigin } from "~/auth/origin.server";
import { idOrNull } from "~/auth/policy.server";
import { jsonBody, type DirectReply, type DirectRequest } from "~/http/direct.server";
import { answerBodySchema } from "./forms";
import { answerQuestion, startPlaying, timeOut } from "./play.server";

type Answerer = { id: number; sessionId: string; lookedUpNow: boolean };

/**
 * The member answering and their session, or null. `lookedUpNow`: the session was looked up now;
 * otherwise it was remembered, and the caller must have the database check it again.
 */
async function answererOf(sessionId: string): Promise<Answerer | null> {
  const remembered = recallMember(sessionId);
  if (remembered !== undefined) return { id: remembered.id, sessionId, lookedUpNow: false };
  const member = await sessionMember(sessionId);
  if (member === null) return null;
  rememberMember(sessionId, { id: member.id, unitId: member.unitId });
  return { id: member.id, sessionId, lookedUpNow: true };
}

const refuse = (status: number, error: string): DirectReply => ({ status, body: { ok: false, error } });

/** A session the database refused is forgotten. */
function signedOut(sessionId: string) {
  forgetMember(sessionId);
  return refuse(401, "session");
}

export async function handleContestAnswer(request: DirectRequest): Promise<DirectReply> {
  if (request.method !== "POST") return refuse(405, "tampered");
  if (isCrossOrigin(request.method, request.header)) return refuse(403, "tampered");
  const sessionId = sessionIdOf(request.header("cookie"));
  if (!sessionId) return refuse(401, "session");
  const contestId = idOrNull(request.params.contestId);
  if (contestId === null) return refuse(404, "notEntered");
  const parsed = answerBodySchema.safeParse(jsonBody(request));
  if (!parsed.success) return refuse(400, "tampered");
  const input = parsed.data;
  if (input.intent === "start") return start(sessionId, contestId);
  const answerer = await answererOf(sessionId);
  if (!answerer) return refuse(401, "session");
  // Answers re-check the session inside their statement; timeouts (rare) look it up first.
  if (input.intent === "timeout" && !answerer.lookedUpNow && (await sessionMember(answerer.sessionId))?.id !== answerer.id) return signedOut(answerer.sessionId);
  const result =
    input.intent === "answer"
      ? await answerQuestion(answerer, contestId, input.index, input.response, answerer.sessionId)
      : await timeOut(answerer, contestId, input.index);
  if (result.ok) return { status: 200, body: result };
  if (result.error === "session") return signedOut(answerer.sessionId);
  return { status: result.error === "tampered" ? 400 : 409, body: result };
}

// Starts run some at a time: a crowd pressing start together waits in this queue (each admitted
// in turn, none refused) instead of putting thousands of statements in front of the answers of
// those already playing; their entries are written in groups of up to this many.
const startsAtOnce = pLimit(16);

// Entering needs the member's unit as it is now, so the session is always looked up.
function start(sessionId: string, contestId: number): Promise<DirectReply> {
  return startsAtOnce(async () => {
    const member = await sessionMember(sessionId);
    if (!member) return signedOut(sessionId);
    rememberMember(sessionId, { id: member.id, unitId: member.unitId });
    const started = await startPlaying(member, contestId);
    if (started.ok) return { status: 200, body: started };
    return { status: started.error === "notFound" ? 404 : 409, body: started };
  });
}
