// POST /api/progress: progress reports from the player and the reader, which the browser queues
// and sends again until they are answered (app/courses/progress-queue.ts). A 400 tells the browser
// to drop the batch; anything else but a JSON 200 makes it try again later.
// GET /api/progress?lessonId=: the member's progress on a lesson, which the shared lesson page
// asks for when it mounts (app/courses/lesson-progress.ts). Both are direct endpoints (app/http/direct.server.ts).
import { z } from "zod";
import { isCrossOrigin } from "~/auth/origin.server";
import { forgetMember, recallMember, rememberMember, sessionIdOf, sessionMember } from "~/auth/remembered-sessions.server";
import { viewerForCookie } from "~/auth/session.server";
import type { DirectRequest, DirectReply } from "~/http/direct.server";
import { jsonBody } from "~/http/direct.server";
import { unitById } from "~/org/unit-cache.server";
import { canStudyLesson, lessonProgressOf } from "./catalogue.server";
import type { LessonProgressReply } from "./lesson-progress";
import { progressReportSchema, reportProgress, type ProgressReport } from "./progress.server";

const batchSchema = z.object({ reports: z.array(progressReportSchema).min(1).max(50) });

export async function handleProgress(request: DirectRequest): Promise<DirectReply> {
  if (request.method === "GET") return progressOnLesson(request);
  if (request.method !== "POST") return { status: 405, body: { error: "GET or POST only" } };
  if (isCrossOrigin(request.method, request.header)) return { status: 403, body: { error: "cross-origin request refused" } };
  const cookie = request.header("cookie");
  const sessionId = sessionIdOf(cookie);
  if (!sessionId) return { status: 401, body: { error: "signed out" } };
  const body = jsonBody(request);
  if (body === null) return { status: 400, body: { error: "body is not JSON" } };
  const parsed = batchSchema.safeParse(body);
  if (!parsed.success) return { status: 400, body: { error: "invalid report", issues: parsed.error.issues.slice(0, 5) } };
  return reportAs(sessionId, cookie, parsed.data.reports);
}

// The member is remembered per session after the first batch (app/auth/remembered-sessions.server.ts):
// a report is then one statement, which re-checks the session. When the database refuses a
// remembered session, or its member may not study a lesson, it is forgotten and the batch is tried
// once more with a fresh look-up; that is safe because a report applied twice adds nothing the second time.
async function reportAs(sessionId: string, cookie: string | null, reports: ProgressReport[]): Promise<DirectReply> {
  let member = recallMember(sessionId);
  const lookedUpNow = member === undefined;
  if (!member) {
    const viewer = await viewerForCookie(cookie);
    if (!viewer) return { status: 401, body: { error: "signed out" } };
    if (viewer.mustChangePassword) return { status: 403, body: { error: "password change required" } };
    member = { id: viewer.id, unitId: viewer.unitId };
    rememberMember(sessionId, member);
  }
  const unitCode = (await unitById(member.unitId))?.code ?? "";
  const results = [];
  for (const report of reports) {
    // A lesson the member may not study is answered like a missing one; a remembered member
    // may have moved to a unit that sees it, so they are looked up again first.
    if (!(await canStudyLesson({ unitCode }, report.lessonId))) {
      if (!lookedUpNow) {
        forgetMember(sessionId);
        return reportAs(sessionId, cookie, reports);
      }
      results.push({ lessonId: report.lessonId, error: "not found" });
      continue;
    }
    const state = await reportProgress(member.id, report, new Date(), { sessionId, unitId: member.unitId });
    if (state === "signedOut") {
      forgetMember(sessionId);
      return lookedUpNow ? { status: 401, body: { error: "signed out" } } : reportAs(sessionId, cookie, reports);
    }
    results.push(state ? { lessonId: report.lessonId, ...state } : { lessonId: report.lessonId, error: "not found" });
  }
  return { status: 200, body: { results } };
}

async function progressOnLesson(request: DirectRequest): Promise<DirectReply> {
  const raw = request.query.get("lessonId") ?? "";
  if (!/^[1-9]\d{0,8}$/.test(raw)) return { status: 400, body: { error: "lessonId must be a lesson's number" } };
  const sessionId = sessionIdOf(request.header("cookie"));
  // An unexpired session of an enabled account that need not change its password.
  const member = sessionId ? await sessionMember(sessionId) : null;
  if (!member) return { status: 401, body: { error: "signed out" } };
  // A lesson the member may not see is answered like a missing one.
  const unitCode = (await unitById(member.unitId))?.code;
  if (!unitCode || !(await canStudyLesson({ unitCode }, Number(raw)))) return { status: 404, body: { error: "not found" } };
  const reply: LessonProgressReply = { progress: await lessonProgressOf(member.id, Number(raw)), serverNow: Date.now() };
  return { status: 200, body: reply };
}
