// The app's side of bench/dashboard.js. Generates an organisation (a committee, general branches,
// branches with members), two courses of 10 video lessons each, and 20 lessons of progress per
// member through the bulk path (COPY on PGlite, unnest on PostgreSQL); builds the aggregates
// (an assignment of both courses to the committee, then a rebuild); then times the committee's
// and a branch's dashboard (app/stats/dashboard.server.ts unitDashboard) next to the same
// figures computed naively with GROUP BY over the progress table, and the cost of progress
// reports with the aggregates maintained (listeners on) and without (off).
//
//   npx tsx bench/lib/dashboard-entry.ts [--members=100000] [--branches=1000] [--runs=50] [--naive-runs=10]
//
// DATA_DIR=memory:// (PGlite) or DATABASE_URL (a throwaway database is created on that server and
// dropped at the end). Prints progress on stderr and one line `DASHBOARD_ENTRY {json}` on stdout.
import { parseArgs } from "node:util";
import { createThrowawayDatabase } from "./throwaway-db.js";

const { values } = parseArgs({
  options: {
    members: { type: "string", default: "100000" },
    branches: { type: "string", default: "1000" },
    runs: { type: "string", default: "50" },
    "naive-runs": { type: "string", default: "10" },
    reports: { type: "string", default: "300" },
  },
});
const MEMBERS = Math.max(1000, Math.min(500_000, Number(values.members)));
const BRANCHES = Math.max(10, Math.min(5000, Number(values.branches)));
const GENERAL_BRANCHES = 10;
const RUNS = Math.max(5, Math.min(500, Number(values.runs)));
const NAIVE_RUNS = Math.max(3, Math.min(100, Number(values["naive-runs"])));
const REPORTS = Math.max(20, Math.min(5000, Number(values.reports)));
const LESSONS_PER_COURSE = 10;

const log = (...args: unknown[]) => console.error("[dashboard]", ...args);
process.env.JOBS_WORKER = "false";
process.env.SEED_DEMO = "false";

// On PostgreSQL: a database of our own, dropped at the end.
let dropDatabase: (() => Promise<void>) | null = null;
if (process.env.DATABASE_URL) {
  const database = await createThrowawayDatabase(process.env.DATABASE_URL, "bench_dashboard");
  process.env.DATABASE_URL = database.url;
  dropDatabase = database.drop;
} else {
  process.env.DATA_DIR ??= "memory://";
}

const { db, driver, getDatabase } = await import("~/db/client.server");
const { sql } = await import("drizzle-orm");
const { bulkInsert } = await import("~/stats/bulk.server");
const { rebuildStats } = await import("~/stats/rebuild.server");
const { createAssignment } = await import("~/assignments/assignments.server");
const { unitDashboard } = await import("~/stats/dashboard.server");
const { setStatsListenersEnabled } = await import("~/stats/listeners.server");
const { completeLesson, reportProgress } = await import("~/courses/progress.server");
const { rowsOf, syncMemberStats } = await import("~/stats/aggregate.server");
const { creditHoursFor } = await import("~/courses/rules");
const { makeCourse } = await import("~/seed/factories.server");

function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(42);

const timings: Record<string, number> = {};
async function timed<T>(label: string, fn: () => Promise<T>) {
  const started = performance.now();
  const result = await fn();
  timings[label] = Math.round(performance.now() - started);
  log(`${label}: ${(timings[label] / 1000).toFixed(1)} s`);
  return result;
}

const pad = (n: number) => String(n).padStart(3, "0");

// ---------------------------------------------------------------------------------------------
// Generation

const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const yearStart = Date.UTC(year, 0, 1) - 8 * 3600_000;
const span = Math.max(86_400_000, Date.now() - yearStart - 3600_000);

await timed("generate units", async () => {
  const rows: (string | number | null)[][] = [["committee", "基准党委", "001", 1, null]];
  for (let g = 1; g <= GENERAL_BRANCHES; g++) rows.push(["general_branch", `第${g}党总支`, `001${pad(g)}`, 2, null]);
  await bulkInsert("units", ["kind", "name", "code", "depth", "parent_id"], ["unit_kind", "text", "text", "int", "int"], rows);
  await db.execute(sql`update units set parent_id = (select id from units where code = '001') where depth = 2`);
  const branchRows: (string | number | null)[][] = [];
  for (let b = 0; b < BRANCHES; b++) {
    const g = (b % GENERAL_BRANCHES) + 1;
    const n = Math.floor(b / GENERAL_BRANCHES) + 1;
    branchRows.push(["branch", `支部${b + 1}`, `001${pad(g)}${pad(n)}`, 3, null]);
  }
  await bulkInsert("units", ["kind", "name", "code", "depth", "parent_id"], ["unit_kind", "text", "text", "int", "int"], branchRows);
  await db.execute(sql`update units c set parent_id = p.id from units p where c.depth = 3 and p.code = substr(c.code, 1, 6)`);
});

const branchIds = rowsOf<{ id: number; code: string }>(await db.execute(sql`select id, code from units where depth = 3 order by code`)).map((r) => ({
  id: Number(r.id),
  code: r.code,
}));
const committee = rowsOf<{ id: number; name: string; code: string; kind: string }>(await db.execute(sql`select id, name, code, kind::text from units where code = '001'`))[0];

await timed("generate members", async () => {
  const rows: (string | number | boolean)[][] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const branch = branchIds[i % branchIds.length];
    const status = random() < 0.8 ? "full" : random() < 0.5 ? "probationary" : "activist";
    rows.push([`B${String(i).padStart(7, "0")}`, `成员${i}`, branch.id, status, random() < 0.08, "x"]);
  }
  await bulkInsert("users", ["employee_no", "name", "unit_id", "status", "is_cadre", "password_hash"], ["text", "text", "int", "member_status", "boolean", "text"], rows);
});

const courses = [
  await makeCourse({ title: "基准课程一", lessons: Array.from({ length: LESSONS_PER_COURSE }, () => ({ kind: "video" as const, durationSeconds: 300 })) }),
  await makeCourse({ title: "基准课程二", lessons: Array.from({ length: LESSONS_PER_COURSE }, () => ({ kind: "video" as const, durationSeconds: 300 })) }),
];
// A third course nobody has studied: the progress-report measurements start lessons in it.
const fresh = await makeCourse({ title: "基准课程三", lessons: Array.from({ length: 4 }, () => ({ kind: "video" as const, durationSeconds: 120 })) });
const lessonIds = courses.flatMap((c) => c.lessons.map((l) => l.id));
const userIds = rowsOf<{ id: number }>(await db.execute(sql`select id from users order by id`)).map((r) => Number(r.id));

// 20 lessons of progress per member: most completed; completing all of a course completes it.
const progressRows = await timed("generate progress", async () => {
  let total = 0;
  const chunk: (number | Date | null)[][] = [];
  const completions: (number | string | Date)[][] = [];
  const flush = async () => {
    await bulkInsert("lesson_progress", ["user_id", "lesson_id", "watched_seconds", "completed_at", "updated_at"], ["int", "int", "real", "timestamptz", "timestamptz"], chunk);
    total += chunk.length;
    chunk.length = 0;
  };
  const engagement = new Map<number, number>();
  for (const userId of userIds) {
    const keen = random();
    engagement.set(userId, keen);
    for (const c of courses) {
      let all = true;
      let last = 0;
      for (const l of c.lessons) {
        const at = yearStart + Math.floor(random() * span);
        const done = random() < keen * 1.15;
        if (done) last = Math.max(last, at);
        else all = false;
        chunk.push([userId, l.id, done ? 300 : 30, done ? new Date(at) : null, new Date(at)]);
      }
      if (all) completions.push([userId, c.course.id, creditHoursFor(LESSONS_PER_COURSE * 300).toFixed(2), new Date(last)]);
    }
    if (chunk.length >= 200_000) await flush();
  }
  if (chunk.length) await flush();
  await bulkInsert("course_completions", ["user_id", "course_id", "credit_hours", "completed_at"], ["int", "int", "numeric", "timestamptz"], completions);
  return total;
});
// After a bulk load, statistics (PostgreSQL's autovacuum would get there; PGlite has none).
await db.execute(sql`analyze`);

const assignment = await timed("assignment to the committee (per-member rows)", () =>
  createAssignment(
    {
      unitId: Number(committee.id),
      title: "基准学习任务",
      note: "",
      startsOn: `${year}-01-01`,
      dueOn: `${year}-12-31`,
      statuses: [],
      courseIds: courses.map((c) => c.course.id),
    },
    null,
  ),
);
const rebuild = await timed("rebuild of every aggregate", () => rebuildStats());
// The bulk load and the rebuild leave dead rows and stale statistics: clean up before timing
// (what autovacuum does on a server that has settled), so neither side pays for them at random.
await db.execute(sql`vacuum analyze`);
// On PostgreSQL, write out what the load dirtied now rather than during the measurements.
if (driver.kind === "pg") await db.execute(sql`checkpoint`).catch(() => log("checkpoint refused (not a superuser); measuring anyway"));
const [{ n: unitStatRows }] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from unit_stats`));

// ---------------------------------------------------------------------------------------------
// The naive dashboard: the same figures from the progress table with GROUP BY, per request.

async function naiveDashboard(code: string) {
  const childLength = code.length + 3;
  const lessons = sql.param(lessonIds);
  // Assignment figures per child unit: lessons started/done per member over the assignment's courses.
  const perChild = await db.execute(sql`
    select case when length(un.code) = ${code.length} then '' else substr(un.code, 1, ${childLength}) end as child,
           count(*)::int as assigned,
           count(*) filter (where m.done = ${lessonIds.length})::int as completed,
           count(*) filter (where m.started > 0 and m.done < ${lessonIds.length})::int as in_progress,
           sum(m.done)::int as lessons
    from (
      select u.id, u.unit_id, count(p.lesson_id) as started, count(p.completed_at) as done
      from users u
      join units uu on uu.id = u.unit_id
      left join lesson_progress p on p.user_id = u.id and p.lesson_id = any(${lessons}::int[])
      where uu.code like ${`${code}%`} and not u.disabled
      group by u.id, u.unit_id
    ) m
    join units un on un.id = m.unit_id
    group by 1`);
  // This year's credit hours per child unit, and completions per day for the chart.
  const credit = await db.execute(sql`
    select case when length(un.code) = ${code.length} then '' else substr(un.code, 1, ${childLength}) end as child,
           count(distinct c.user_id)::int as started, sum(c.credit_hours)::float8 as hours
    from course_completions c join users u on u.id = c.user_id join units un on un.id = u.unit_id
    where un.code like ${`${code}%`} and c.completed_at >= ${new Date(yearStart)}
    group by 1`);
  const days = await db.execute(sql`
    select to_char(p.completed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, count(*)::int as n
    from (
      select p.user_id, max(p.completed_at) as completed_at
      from lesson_progress p join users u on u.id = p.user_id join units un on un.id = u.unit_id
      where un.code like ${`${code}%`} and p.lesson_id = any(${lessons}::int[])
      group by p.user_id having count(p.completed_at) = ${lessonIds.length}
    ) p group by 1`);
  const members = await db.execute(sql`
    select substr(un.code, 1, ${childLength}) as child, count(*)::int as n
    from users u join units un on un.id = u.unit_id where un.code like ${`${code}%`} and not u.disabled group by 1`);
  return { perChild: rowsOf(perChild).length, credit: rowsOf(credit).length, days: rowsOf(days).length, members: rowsOf(members).length };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { runs: samples.length, p50: +at(0.5).toFixed(2), p95: +at(0.95).toFixed(2), mean: +(samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(2), max: +sorted[sorted.length - 1].toFixed(2) };
}

async function measure(label: string, runs: number, fn: (i: number) => Promise<unknown>, warmup = 3) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn(i + warmup);
    samples.push(performance.now() - started);
  }
  const s = stats(samples);
  log(`${label}: p50 ${s.p50} ms, p95 ${s.p95} ms (${runs} runs)`);
  return s;
}

const metric = `assignment:${assignment.id}`;
const committeeUnit = { id: Number(committee.id), name: committee.name, code: committee.code, kind: committee.kind };
const branchUnit = (i: number) => {
  const b = branchIds[(i * 7919) % branchIds.length];
  return { id: b.id, name: "支部", code: b.code, kind: "branch" };
};

// Sanity: the dashboard and the naive count agree on the committee's totals.
const check = await unitDashboard(committeeUnit, { metric });
const [naiveTotals] = rowsOf<{ assigned: number; completed: number; in_progress: number }>(
  await db.execute(sql`
    select count(*)::int as assigned,
           count(*) filter (where done = ${lessonIds.length})::int as completed,
           count(*) filter (where started > 0 and done < ${lessonIds.length})::int as in_progress
    from (select u.id, count(p.lesson_id) as started, count(p.completed_at) as done
          from users u left join lesson_progress p on p.user_id = u.id and p.lesson_id = any(${sql.param(lessonIds)}::int[])
          group by u.id) m`),
);
const agree =
  check.totals.assigned === Number(naiveTotals.assigned) &&
  check.totals.completed === Number(naiveTotals.completed) &&
  check.totals.inProgress === Number(naiveTotals.in_progress);
log(`committee totals: dashboard ${JSON.stringify(check.totals)} vs naive ${JSON.stringify(naiveTotals)}: ${agree ? "agree" : "DISAGREE"}`);

// The dashboards first, then the naive queries: the committee's naive query keeps PostgreSQL's
// parallel workers and disk busy for a while after it returns, which would land on whatever ran next.
const committeeDashboard = await measure("committee dashboard (aggregates)", RUNS, () => unitDashboard(committeeUnit, { metric }));
const branchDashboard = await measure("branch dashboard (aggregates)", RUNS, (i) => unitDashboard(branchUnit(i), { metric }));
const branchNaive = await measure("branch dashboard (naive GROUP BY)", RUNS, (i) => naiveDashboard(branchUnit(i).code));
const committeeNaive = await measure("committee dashboard (naive GROUP BY)", NAIVE_RUNS, () => naiveDashboard(committee.code), 1);

// ---------------------------------------------------------------------------------------------
// Progress reports with the aggregates maintained and without. Each call is a member's first
// report on a lesson (a lessonStarted event) or the completion of a lesson of the assigned
// courses (lessonCompleted); on and off alternate in blocks so drift hits both alike.

const lessonOfFresh = fresh.lessons;
async function reportCost(enabled: boolean, offset: number, kind: "start" | "complete") {
  setStatsListenersEnabled(enabled);
  const samples: number[] = [];
  const touched: number[] = [];
  for (let i = 0; i < REPORTS; i++) {
    const userId = userIds[(offset + i * 331) % userIds.length];
    touched.push(userId);
    const started = performance.now();
    if (kind === "start") {
      const lesson = lessonOfFresh[(offset + i) % lessonOfFresh.length];
      await reportProgress(userId, { lessonId: lesson.id, seq: Date.now(), ranges: [[0, 4]], position: 4 });
    } else {
      // A lesson of the assigned courses this member has not completed yet.
      const [open] = rowsOf<{ lesson_id: number }>(
        await db.execute(sql`select lesson_id from lesson_progress where user_id = ${userId} and completed_at is null and lesson_id = any(${sql.param(lessonIds)}::int[]) limit 1`),
      );
      if (!open) continue;
      const t0 = performance.now();
      await completeLesson(userId, Number(open.lesson_id));
      samples.push(performance.now() - t0);
      continue;
    }
    samples.push(performance.now() - started);
  }
  setStatsListenersEnabled(true);
  // Without the listeners these members' figures went stale: bring them up to date (not timed),
  // so the comparison with a rebuild at the end checks the measured "on" reports.
  if (!enabled) await syncMemberStats(db, [...new Set(touched)]);
  return samples;
}
const reportSamples = { startOn: [] as number[], startOff: [] as number[], completeOn: [] as number[], completeOff: [] as number[] };
await timed("progress reports", async () => {
  for (let block = 0; block < 4; block++) {
    const base = block * 100_003;
    reportSamples.startOff.push(...(await reportCost(false, base + 1, "start")));
    reportSamples.startOn.push(...(await reportCost(true, base + 50_001, "start")));
    reportSamples.completeOff.push(...(await reportCost(false, base + 2, "complete")));
    reportSamples.completeOn.push(...(await reportCost(true, base + 50_002, "complete")));
  }
});
const reports = {
  firstReport: { listenersOff: stats(reportSamples.startOff), listenersOn: stats(reportSamples.startOn) },
  completion: { listenersOff: stats(reportSamples.completeOff), listenersOn: stats(reportSamples.completeOn) },
};
log(`first report: off ${JSON.stringify(reports.firstReport.listenersOff)}, on ${JSON.stringify(reports.firstReport.listenersOn)}`);
log(`completion:   off ${JSON.stringify(reports.completion.listenersOff)}, on ${JSON.stringify(reports.completion.listenersOn)}`);

// The incremental figures still agree with a from-scratch rebuild after all those reports.
const before = rowsOf<{ unit_id: number; metric: string; counts: unknown }>(await db.execute(sql`select unit_id, metric, counts::text as counts from unit_stats order by 1, 2`));
await rebuildStats();
const after = rowsOf<{ unit_id: number; metric: string; counts: unknown }>(await db.execute(sql`select unit_id, metric, counts::text as counts from unit_stats order by 1, 2`));
const normalise = (rows: { unit_id: number; metric: string; counts: unknown }[]) =>
  JSON.stringify(
    rows
      .map((r) => [r.unit_id, r.metric, JSON.parse(String(r.counts))])
      .filter(([, , c]) => Object.keys(c as object).length > 0)
      .map(([u, m, c]) => [u, m, Object.fromEntries(Object.entries(c as Record<string, number>).sort())]),
  );
const incrementalAgrees = normalise(before) === normalise(after);
log(`incremental figures vs rebuild after the reports: ${incrementalAgrees ? "agree" : "DISAGREE"}`);
if (!incrementalAgrees) {
  const a = JSON.parse(normalise(before)) as [number, string, Record<string, number>][];
  const b = JSON.parse(normalise(after)) as [number, string, Record<string, number>][];
  const key = (r: [number, string, unknown]) => `${r[0]}|${r[1]}`;
  const bm = new Map(b.map((r) => [key(r), JSON.stringify(r[2])]));
  const am = new Map(a.map((r) => [key(r), JSON.stringify(r[2])]));
  const diffs = [...new Set([...am.keys(), ...bm.keys()])].filter((k) => am.get(k) !== bm.get(k)).slice(0, 5);
  for (const k of diffs) log(`  ${k}: incremental ${am.get(k)} rebuild ${bm.get(k)}`);
}

const result = {
  ok: agree && incrementalAgrees,
  db: driver.kind === "pg" ? "postgresql" : "pglite",
  members: MEMBERS,
  branches: BRANCHES,
  units: 1 + GENERAL_BRANCHES + BRANCHES,
  progressRows,
  unitStatRows: Number(unitStatRows),
  timingsMs: timings,
  rebuild,
  committee: { aggregates: committeeDashboard, naive: committeeNaive },
  branch: { aggregates: branchDashboard, naive: branchNaive },
  reports,
  totalsAgree: agree,
  incrementalAgrees,
};
console.log(`DASHBOARD_ENTRY ${JSON.stringify(result)}`);
await (await getDatabase()).close();
await dropDatabase?.();
