import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireViewer } from "~/auth/session.server";
import { canStudyLesson } from "~/courses/catalogue.server";
import { progressReportSchema, reportProgress } from "~/courses/progress.server";

const MAX_BODY_BYTES = 64 * 1024;
const batchSchema = z.object({ reports: z.array(progressReportSchema).min(1).max(50) });

/** Progress reports from the player and the reader; the browser queues and resends them. */
export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    return Response.json({ error: "body too large" }, { status: 413 });
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return Response.json({ error: "body too large" }, { status: 413 });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return Response.json({ error: "body is not JSON" }, { status: 400 });
  }
  const parsed = batchSchema.safeParse(body);
  if (!parsed.success) return Response.json({ error: "invalid report", issues: parsed.error.issues.slice(0, 5) }, { status: 400 });
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
  return Response.json({ results });
}
