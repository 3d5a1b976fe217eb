// Parses the `metric` of a statistics URL into what it names, checked against the viewer.
import { requireAssignmentVisible } from "~/assignments/assignments.server";
import { notFound, type Viewer } from "~/auth/policy.server";
import { chinaYearOf } from "./metrics";

export type Target =
  | { kind: "assignment"; id: number; title: string; dueOn: string; lessons: number; metric: string }
  | { kind: "credit"; year: number; title: null; metric: string };

/** "assignment:ID" (an assignment the viewer may see) or "credit:YEAR"; default this year's credit hours. */
export async function parseTarget(viewer: Viewer, metric: string | null): Promise<Target> {
  const assignment = metric?.match(/^assignment:(\d{1,9})$/);
  if (assignment) {
    const { assignment: a } = await requireAssignmentVisible(viewer, Number(assignment[1]));
    return { kind: "assignment", id: a.id, title: a.title, dueOn: a.dueOn, lessons: a.courses.reduce((s, c) => s + c.lessonCount, 0), metric: `assignment:${a.id}` };
  }
  const credit = metric?.match(/^credit:(\d{4})$/);
  if (metric && !credit) notFound();
  const year = credit ? Number(credit[1]) : chinaYearOf();
  return { kind: "credit", year, title: null, metric: `credit:${year}` };
}
