// A from-scratch count in plain TypeScript over the raw tables, independent of the SQL of the
// aggregates: the tests compare every unit's dashboard figures with it. Loads whole tables, so
// it is for test-sized databases only.
import { sql } from "drizzle-orm";
import { yearlyRequirement } from "~/courses/rules";
import { db } from "~/db/client.server";
import { rowsOf } from "./aggregate.server";
import { addCounts, assignmentDaysMetric, assignmentMetric, chinaDay, chinaYearOf, creditBucket, creditMetric, MEMBERS_METRIC, type Counts } from "./metrics";

/** unit code → metric → counts, every unit summed over its subtree. */
export async function countFromScratch(): Promise<Map<string, Map<string, Counts>>> {
  const q = async <T,>(query: ReturnType<typeof sql>) => rowsOf<T>(await db.execute(query));
  const [unitRows, userRows, assignmentRows, courseRows, lessonRows, progressRows, completionRows] = await Promise.all([
    q<{ id: number; code: string }>(sql`select id, code from units`),
    q<{ id: number; unit_id: number; status: string; is_cadre: boolean; disabled: boolean }>(sql`select id, unit_id, status::text, is_cadre, disabled from users`),
    q<{ id: number; unit_id: number; statuses: string[] | string }>(sql`select id, unit_id, statuses::text[] as statuses from assignments`),
    q<{ assignment_id: number; course_id: number }>(sql`select assignment_id, course_id from assignment_courses`),
    q<{ id: number; course_id: number }>(sql`select id, course_id from lessons`),
    q<{ user_id: number; lesson_id: number; done: boolean }>(sql`select user_id, lesson_id, completed_at is not null as done from lesson_progress`),
    q<{ user_id: number; course_id: number; credit_hours: string; completed_at: Date | string }>(
      sql`select user_id, course_id, credit_hours::text, completed_at from course_completions`,
    ),
  ]);
  const codeOf = new Map(unitRows.map((u) => [Number(u.id), u.code]));
  const lessonCourse = new Map(lessonRows.map((l) => [Number(l.id), Number(l.course_id)]));
  const coursesOf = new Map<number, number[]>();
  for (const r of courseRows) coursesOf.set(Number(r.assignment_id), [...(coursesOf.get(Number(r.assignment_id)) ?? []), Number(r.course_id)]);
  const started = new Map<string, number>(); // user|course → lessons with progress
  const done = new Map<string, number>();
  for (const p of progressRows) {
    const key = `${p.user_id}|${lessonCourse.get(Number(p.lesson_id))}`;
    started.set(key, (started.get(key) ?? 0) + 1);
    if (p.done) done.set(key, (done.get(key) ?? 0) + 1);
  }
  const completion = new Map<string, Date>();
  const creditOf = new Map<number, { at: Date; hours: number }[]>();
  for (const c of completionRows) {
    const at = c.completed_at instanceof Date ? c.completed_at : new Date(c.completed_at);
    completion.set(`${c.user_id}|${c.course_id}`, at);
    creditOf.set(Number(c.user_id), [...(creditOf.get(Number(c.user_id)) ?? []), { at, hours: Number(c.credit_hours) }]);
  }

  // Per own unit first.
  const own = new Map<string, Map<string, Counts>>();
  const add = (unitId: number, metric: string, counts: Counts) => {
    const code = codeOf.get(unitId)!;
    let m = own.get(code);
    if (!m) own.set(code, (m = new Map()));
    let c = m.get(metric);
    if (!c) m.set(metric, (c = {}));
    addCounts(c, counts);
  };
  const parseStatuses = (s: string[] | string) => (Array.isArray(s) ? s : s.replace(/^\{|\}$/g, "").split(",").filter(Boolean));
  for (const u of userRows) {
    if (u.disabled) continue;
    const unitId = Number(u.unit_id);
    const code = codeOf.get(unitId)!;
    add(unitId, MEMBERS_METRIC, { total: 1, cadres: u.is_cadre ? 1 : 0, [u.status]: 1 });
    for (const a of assignmentRows) {
      const statuses = parseStatuses(a.statuses);
      if (!code.startsWith(codeOf.get(Number(a.unit_id))!)) continue;
      if (statuses.length > 0 && !statuses.includes(u.status)) continue;
      const courses = coursesOf.get(Number(a.id)) ?? [];
      let lessons = 0;
      let any = false;
      let coursesDone = 0;
      let last: Date | null = null;
      for (const c of courses) {
        const key = `${u.id}|${c}`;
        lessons += done.get(key) ?? 0;
        if ((started.get(key) ?? 0) > 0) any = true;
        const at = completion.get(key);
        if (at) {
          coursesDone += 1;
          if (!last || at > last) last = at;
        }
      }
      const completed = courses.length > 0 && coursesDone >= courses.length;
      const inProgress = !completed && (any || coursesDone > 0);
      add(unitId, assignmentMetric(Number(a.id)), { assigned: 1, completed: completed ? 1 : 0, in_progress: inProgress ? 1 : 0, lessons });
      if (completed && last) add(unitId, assignmentDaysMetric(Number(a.id)), { [chinaDay(last)]: 1 });
    }
    const byYear = new Map<number, number[]>();
    for (const c of creditOf.get(Number(u.id)) ?? []) {
      const year = chinaYearOf(c.at);
      const month = Number(chinaDay(c.at).slice(5, 7));
      const months = byYear.get(year) ?? Array(12).fill(0);
      months[month - 1] += Math.round(c.hours * 100);
      byYear.set(year, months);
    }
    const requirement = yearlyRequirement(u.is_cadre);
    for (const [year, months] of byYear) {
      const hours = months.reduce((a, b) => a + b, 0);
      if (hours <= 0) continue;
      const bucket = creditBucket(hours, requirement);
      const counts: Counts = { started: 1, hours, met: bucket === 10 ? 1 : 0 };
      if (bucket < 10) counts[`b${bucket}`] = 1;
      months.forEach((h, i) => (counts[`m${i + 1}`] = h));
      add(unitId, creditMetric(year), counts);
    }
  }
  // Then every unit's subtree.
  const out = new Map<string, Map<string, Counts>>();
  for (const u of unitRows) {
    const total = new Map<string, Counts>();
    for (const [code, metrics] of own) {
      if (!code.startsWith(u.code)) continue;
      for (const [metric, counts] of metrics) {
        let c = total.get(metric);
        if (!c) total.set(metric, (c = {}));
        addCounts(c, counts);
      }
    }
    out.set(u.code, total);
  }
  return out;
}

/** unit_stats as stored: "unitId|metric" → counts, rows with no counts left out. */
export async function storedUnitStats() {
  const rows = rowsOf<{ unit_id: number; metric: string; counts: Counts | string }>(
    await db.execute(sql`select unit_id, metric, counts from unit_stats order by unit_id, metric`),
  );
  const out: Record<string, Counts> = {};
  for (const r of rows) {
    const counts = typeof r.counts === "string" ? (JSON.parse(r.counts) as Counts) : r.counts;
    const clean = Object.fromEntries(Object.entries(counts).filter(([, v]) => Number(v) !== 0).map(([k, v]) => [k, Number(v)]));
    if (Object.keys(clean).length) out[`${r.unit_id}|${r.metric}`] = clean;
  }
  return out;
}
