// POST /api/progress: progress reports from the player and the reader, which the browser queues
// and sends again until they are answered (app/courses/progress-queue.ts). A direct endpoint
// (app/http/direct.server.ts). A 400 tells the browser to drop the batch; anything else but a
// JSON 200 makes it try again later.
import { z } from "zod";
import { isCrossOrigin } from "~/auth/origin.server";
import { viewerForCookie } from "~/auth/session.server";
import type { DirectRequest, DirectReply } from "~/http/direct.server";
import { jsonBody } from "~/http/direct.server";
import { canStudyLesson } from "./catalogue.server";
import { progressReportSchema, reportProgress } from "./progress.server";

const batchSchema = z.object({ reports: z.array(progressReportSchema).min(1).max(50) });

export async function handleProgressReports(request: DirectRequest): Promise<DirectReply> {
  if (request.method !== "POST") return { status: 405, body: { error: "POST only" } };
  if (isCrossOrigin(request.method, request.header)) return { status: 403, body: { error: "cross-origin request refused" } };
  const viewer = await viewerForCookie(request.header("cookie"));
  if (!viewer) return { status: 401, body: { error: "signed out" } };
  if (viewer.mustChangePassword) return { status: 403, body: { error: "password change required" } };
  const body = jsonBody(request);
  if (body === null) return { status: 400, body: { error: "body is not JSON" } };
  const parsed = batchSchema.safeParse(body);
  if (!parsed.success) return { status: 400, body: { error: "invalid report", issues: parsed.error.issues.slice(0, 5) } };
  const results = [];
  for (const report of parsed.data.reports) {
    // A lesson the member may not study is answered like a missing one.
    if (!(await canStudyLesson(viewer, report.lessonId))) {
      results.push({ lessonId: report.lessonId, error: "not found" });
      continue;
    }
    const state = await reportProgress(viewer.id, report);
    results.push(state ? { lessonId: report.lessonId, ...state } : { lessonId: report.lessonId, error: "not found" });
  }
  return { status: 200, body: { results } };
}
