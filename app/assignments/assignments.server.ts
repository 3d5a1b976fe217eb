// Study assignments (学习任务): a unit, its whole subtree, a set of courses, a start and a due day,
// optionally only some member categories. Who it applies to and how far each member has got is
// kept in assignment_members by app/stats; this module owns the assignment itself.
import { and, asc, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { parseWithZod } from "@conform-to/zod";
import { coversCode, requireRole, requireUnitInScope, scopePrefixes, type Viewer } from "~/auth/policy.server";
import { db, type Db } from "~/db/client.server";
import { unitTree } from "~/org/unit-cache.server";
import { bus } from "~/realtime/bus.server";
import { assignmentCourses, assignments, courses, lessons, units } from "~/db/schema";
import { qualified } from "~/db/sql.server";
import type { MemberStatus } from "~/org/kinds";
import { codePrefixes, dropAssignmentStats, recomputeAssignment, rowsOf } from "~/stats/aggregate.server";
import { chinaDay } from "~/stats/metrics";
import { assignmentSchema } from "./forms";
// Registers the statistics listeners wherever assignments are used (also imported at boot).
import "~/stats/listeners.server";

export type AssignmentInput = {
  unitId: number;
  title: string;
  note: string;
  startsOn: string;
  dueOn: string;
  statuses: MemberStatus[];
  courseIds: number[];
};

export class AssignmentError extends Error {
  constructor(
    public field: string,
    public key: string,
  ) {
    super(key);
  }
}

/** Published courses every member below the unit can study: the committee's, or a unit's on its path. */
export async function assignableCourses(unitCode: string) {
  return db
    .select({ id: courses.id, title: courses.title, lessonCount: sql<number>`(select count(*)::int from ${lessons} l where l.course_id = ${qualified(courses.id)})` })
    .from(courses)
    .leftJoin(units, eq(units.id, courses.unitId))
    .where(and(eq(courses.published, true), or(isNull(courses.unitId), inArray(units.code, codePrefixes(unitCode)))))
    .orderBy(asc(courses.id));
}

async function checkInput(input: AssignmentInput) {
  const [unit] = await db.select().from(units).where(eq(units.id, input.unitId));
  if (!unit) throw new AssignmentError("unitId", "assign.v.unit");
  if (input.dueOn < input.startsOn) throw new AssignmentError("dueOn", "assign.v.dueBeforeStart");
  const allowed = new Set((await assignableCourses(unit.code)).map((c) => c.id));
  const courseIds = [...new Set(input.courseIds)];
  if (courseIds.length === 0) throw new AssignmentError("courseIds", "assign.v.courses");
  if (courseIds.some((id) => !allowed.has(id))) throw new AssignmentError("courseIds", "assign.v.courseNotVisible");
  return { unit, courseIds };
}

/** Creates an assignment and counts every member it applies to (one transaction). */
/**
 * An organiser's new or edited assignment from its form: validated, its unit checked against the
 * organiser's scope, then handed to `save` (which returns the assignment's id). The id to show
 * next, or the form's errors to render beside their fields.
 */
export async function submitAssignmentForm(viewer: Viewer, formData: FormData, save: (input: AssignmentInput) => Promise<number>) {
  const submission = parseWithZod(formData, { schema: assignmentSchema });
  if (submission.status !== "success") return { result: submission.reply() };
  const value = submission.value;
  await requireUnitInScope(viewer, value.unitId, "organiser");
  try {
    const id = await save({
      unitId: value.unitId,
      title: value.title,
      note: value.note ?? "",
      startsOn: value.startsOn,
      dueOn: value.dueOn,
      statuses: value.statuses ?? [],
      courseIds: value.courseIds,
    });
    return { id };
  } catch (error) {
    if (error instanceof AssignmentError) return { result: submission.reply({ fieldErrors: { [error.field]: [error.key] } }) };
    throw error;
  }
}

export async function createAssignment(input: AssignmentInput, createdBy: number | null) {
  const { courseIds } = await checkInput(input);
  const created = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(assignments)
      .values({
        unitId: input.unitId,
        title: input.title,
        note: input.note,
        startsOn: input.startsOn,
        dueOn: input.dueOn,
        statuses: [...new Set(input.statuses)],
        createdBy,
      })
      .returning();
    await tx.insert(assignmentCourses).values(courseIds.map((courseId) => ({ assignmentId: row.id, courseId })));
    await recomputeAssignment(tx, row.id);
    await assignmentsChanged(tx);
    return row;
  });
  // Again after the commit: a read between the forgetting and the commit kept the old list.
  forgetAssignments();
  return created;
}

export async function updateAssignment(id: number, input: AssignmentInput) {
  const { courseIds } = await checkInput(input);
  await db.transaction(async (tx) => {
    await tx
      .update(assignments)
      .set({ unitId: input.unitId, title: input.title, note: input.note, startsOn: input.startsOn, dueOn: input.dueOn, statuses: [...new Set(input.statuses)] })
      .where(eq(assignments.id, id));
    await tx.delete(assignmentCourses).where(eq(assignmentCourses.assignmentId, id));
    await tx.insert(assignmentCourses).values(courseIds.map((courseId) => ({ assignmentId: id, courseId })));
    await recomputeAssignment(tx, id);
    await assignmentsChanged(tx);
  });
  forgetAssignments();
}

export async function deleteAssignment(id: number) {
  await db.transaction(async (tx) => {
    await dropAssignmentStats(tx, id);
    await tx.delete(assignments).where(eq(assignments.id, id));
    await assignmentsChanged(tx);
  });
  forgetAssignments();
}

export type AssignmentRow = {
  id: number;
  title: string;
  note: string;
  startsOn: string;
  dueOn: string;
  statuses: MemberStatus[];
  unitId: number;
  unitName: string;
  unitCode: string;
  createdAt: Date;
};

const ownColumns = {
  id: assignments.id,
  title: assignments.title,
  note: assignments.note,
  startsOn: assignments.startsOn,
  dueOn: assignments.dueOn,
  statuses: assignments.statuses,
  unitId: assignments.unitId,
  createdAt: assignments.createdAt,
};

const assignmentColumns = { ...ownColumns, unitName: units.name, unitCode: units.code };

export async function getAssignment(id: number): Promise<(AssignmentRow & { courses: { id: number; title: string; lessonCount: number }[] }) | null> {
  const [row] = await db.select(assignmentColumns).from(assignments).innerJoin(units, eq(units.id, assignments.unitId)).where(eq(assignments.id, id));
  if (!row) return null;
  const courseRows = await db
    .select({ id: courses.id, title: courses.title, lessonCount: sql<number>`(select count(*)::int from ${lessons} l where l.course_id = ${qualified(courses.id)})` })
    .from(assignmentCourses)
    .innerJoin(courses, eq(courses.id, assignmentCourses.courseId))
    .where(eq(assignmentCourses.assignmentId, id))
    .orderBy(asc(courses.id));
  return { ...row, courses: courseRows };
}

/**
 * An assignment the viewer may see: its unit lies in their scope, or above it (a committee's
 * assignment concerns a branch's members too; the branch sees its own part). 404 otherwise.
 */
export async function requireAssignmentVisible(viewer: Viewer, id: number) {
  requireRole(viewer, "organiser");
  const assignment = await getAssignment(id);
  const prefixes = scopePrefixes(viewer, "organiser");
  if (!assignment || !prefixes.some((p) => p.startsWith(assignment.unitCode) || assignment.unitCode.startsWith(p))) {
    throw new Response("Not found", { status: 404 });
  }
  return { assignment, editable: coversCode(viewer, assignment.unitCode, "organiser") };
}

/**
 * The part of an assignment's subtree the viewer sees: the assignment's unit when it is in
 * scope, else the viewer's scope root below it.
 */
export function visibleRootCode(viewer: Viewer, assignmentUnitCode: string) {
  if (coversCode(viewer, assignmentUnitCode, "organiser")) return assignmentUnitCode;
  return scopePrefixes(viewer, "organiser").find((p) => p.startsWith(assignmentUnitCode)) ?? null;
}

// Every assignment, kept per process, newest due first: each dashboard lists those that concern
// its unit, and assignments change only when an organiser edits one. The writers above call
// `assignmentsChanged` inside their transaction; other instances hear it through the realtime bus
// (boot subscribes with `listenForAssignmentChanges`). Unit names and codes come from the unit
// tree's copy, which follows moves and renames the same way.
type StoredAssignment = Omit<AssignmentRow, "unitName" | "unitCode">;
const ASSIGNMENTS_TOPIC = "assignments.changed";
let allAssignments: Promise<StoredAssignment[]> | null = null;

function forgetAssignments() {
  allAssignments = null;
}

function loadAssignments() {
  const loading = db
    .select(ownColumns)
    .from(assignments)
    .orderBy(desc(assignments.dueOn), desc(assignments.id))
    // A query builder runs again each time it is awaited; keep its result.
    .execute();
  loading.catch(() => {
    if (allAssignments === loading) allAssignments = null;
  });
  return loading;
}

async function assignmentsChanged(tx: Pick<Db, "execute">) {
  forgetAssignments();
  await bus.publish(ASSIGNMENTS_TOPIC, {}, tx);
}

export async function listenForAssignmentChanges() {
  await bus.subscribe(ASSIGNMENTS_TOPIC, forgetAssignments);
}

/** Assignments that concern a unit: set at the unit or above it, or anywhere below it; newest due first. */
export async function assignmentsConcerning(unitCode: string, { limit = 50 }: { limit?: number } = {}): Promise<AssignmentRow[]> {
  const all = await (allAssignments ??= loadAssignments());
  let tree = await unitTree();
  const out: AssignmentRow[] = [];
  for (const a of all) {
    let unit = tree.byId.get(a.unitId);
    if (!unit) {
      tree = await unitTree(a.unitId);
      unit = tree.byId.get(a.unitId);
      if (!unit) continue;
    }
    if (!unitCode.startsWith(unit.code) && !unit.code.startsWith(unitCode)) continue;
    out.push({ ...a, unitName: unit.name, unitCode: unit.code });
    if (out.length >= limit) break;
  }
  return out;
}

export type MyAssignment = {
  id: number;
  title: string;
  startsOn: string;
  dueOn: string;
  daysLeft: number;
  overdue: boolean;
  completed: boolean;
  lessonsDone: number;
  lessonsTotal: number;
  courses: { id: number; title: string; lessonsDone: number; lessonsTotal: number; completed: boolean; nextLessonId: number | null }[];
};

/**
 * The member's assignments that have started and are unfinished (or finished and not yet due),
 * with what is left: computed from the member's own progress, so it is right even
 * before the statistics have caught up with a change.
 */
export async function myAssignments(viewer: Pick<Viewer, "id" | "unitCode" | "status">, now = new Date()): Promise<MyAssignment[]> {
  const today = chinaDay(now);
  const result = await db.execute(sql`
    select a.id, a.title, a.starts_on::text as starts_on, a.due_on::text as due_on,
           c.id as course_id, c.title as course_title,
           (select count(*)::int from lessons l where l.course_id = c.id) as lessons_total,
           (select count(*)::int from lessons l join lesson_progress p on p.lesson_id = l.id
              where l.course_id = c.id and p.user_id = ${viewer.id} and p.completed_at is not null) as lessons_done,
           exists (select 1 from course_completions cc where cc.course_id = c.id and cc.user_id = ${viewer.id}) as course_done,
           (select l.id from lessons l left join lesson_progress p on p.lesson_id = l.id and p.user_id = ${viewer.id}
              where l.course_id = c.id and p.completed_at is null order by l.position limit 1) as next_lesson_id
    from assignments a
    join units au on au.id = a.unit_id
    join assignment_courses ac on ac.assignment_id = a.id
    join courses c on c.id = ac.course_id
    where au.code = any(${sql.param(codePrefixes(viewer.unitCode))}::text[])
      and (cardinality(a.statuses) = 0 or ${viewer.status}::member_status = any(a.statuses))
      and a.starts_on <= ${today}::date
    order by a.due_on, a.id, c.id`);
  type Row = {
    id: number;
    title: string;
    starts_on: string;
    due_on: string;
    course_id: number;
    course_title: string;
    lessons_total: number;
    lessons_done: number;
    course_done: boolean;
    next_lesson_id: number | null;
  };
  const byId = new Map<number, MyAssignment>();
  for (const r of rowsOf<Row>(result)) {
    let a = byId.get(Number(r.id));
    if (!a) {
      a = {
        id: Number(r.id),
        title: r.title,
        startsOn: r.starts_on,
        dueOn: r.due_on,
        daysLeft: Math.round((Date.parse(`${r.due_on}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000),
        overdue: false,
        completed: true,
        lessonsDone: 0,
        lessonsTotal: 0,
        courses: [],
      };
      byId.set(a.id, a);
    }
    const completed = Boolean(r.course_done);
    a.courses.push({
      id: Number(r.course_id),
      title: r.course_title,
      lessonsDone: Number(r.lessons_done),
      lessonsTotal: Number(r.lessons_total),
      completed,
      nextLessonId: r.next_lesson_id === null ? null : Number(r.next_lesson_id),
    });
    a.completed &&= completed;
    a.lessonsDone += Number(r.lessons_done);
    a.lessonsTotal += Number(r.lessons_total);
  }
  // Unfinished ones stay (overdue too); finished ones until their due day.
  return [...byId.values()].map((a) => ({ ...a, overdue: !a.completed && a.daysLeft < 0 })).filter((a) => !a.completed || a.daysLeft >= 0);
}
