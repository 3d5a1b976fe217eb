// Roll-ups: after bulk-generated data, a rebuild, and a randomised run of study events, moves,
// re-categorisations, new members and new assignments, every unit's figures (summed over its
// subtree) agree with a from-scratch count, and a rebuild from scratch changes nothing.
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createAssignment, updateAssignment } from "~/assignments/assignments.server";
import { completeLesson, reportProgress } from "~/courses/progress.server";
import { creditHoursFor } from "~/courses/rules";
import { db } from "~/db/client.server";
import { lessons as lessonsTable, units, users } from "~/db/schema";
import { makeCourse, makeMember, makeUnitTree, type UnitSpec } from "~/seed/factories.server";
import { freshenStats, moveMemberStats, reconcileMembers, rowsOf, syncMemberStats } from "~/stats/aggregate.server";
import { moveUnit } from "~/org/units.server";
import { bulkInsert } from "~/stats/bulk.server";
import { sumSubtree } from "~/stats/dashboard.server";
import "~/stats/listeners.server";
import { assignmentMetric, isSubtreeMetric, type Counts } from "~/stats/metrics";
import { countFromScratch, storedUnitStats } from "~/stats/oracle.server";
import { rebuildStats } from "~/stats/rebuild.server";

function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20260707);
const pick = <T,>(list: T[]) => list[Math.floor(random() * list.length)];
const between = (from: string, to: string) => new Date(Date.parse(from) + random() * (Date.parse(to) - Date.parse(from)));

const STATUSES = ["full", "full", "full", "probationary", "activist", "staff"] as const;

type Course = Awaited<ReturnType<typeof makeCourse>>;
let tree: Map<string, { id: number; code: string }>;
let courses: Course[];
let memberIds: number[];

function spec(): UnitSpec {
  const groups = (prefix: string) => [
    { name: `${prefix}甲组`, kind: "group" as const },
    { name: `${prefix}乙组`, kind: "group" as const },
  ];
  return {
    name: "统计党委",
    kind: "committee",
    children: [
      ...[1, 2, 3].map((g) => ({
        name: `第${g}党总支`,
        kind: "general_branch" as const,
        children: [1, 2, 3].map((b) => ({ name: `总支${g}支部${b}`, kind: "branch" as const, children: groups(`${g}-${b}`) })),
      })),
      { name: "机关一支部", kind: "branch", children: groups("机关一") },
      { name: "机关二支部", kind: "branch", children: groups("机关二") },
    ],
  };
}

beforeAll(async () => {
  tree = await makeUnitTree(spec());
  courses = [
    await makeCourse({ title: "甲课", lessons: [{ kind: "video", durationSeconds: 600 }, { kind: "video", durationSeconds: 600 }, { kind: "video", durationSeconds: 900 }] }),
    await makeCourse({ title: "乙课", lessons: [{ kind: "reading", readingChars: 1000 }, { kind: "reading", readingChars: 2000 }] }),
    await makeCourse({ title: "丙课", lessons: [{ kind: "video", durationSeconds: 300 }, { kind: "video", durationSeconds: 300 }, { kind: "video", durationSeconds: 300 }, { kind: "video", durationSeconds: 1200 }] }),
    await makeCourse({ title: "丁课", lessons: [{ kind: "video", durationSeconds: 120 }] }),
  ];
  // Members: the bulk path. Most in groups and branches, a few at the general branches and the committee.
  const all = [...tree.values()];
  const rows: (string | number | boolean | null)[][] = [];
  for (let i = 0; i < 360; i++) {
    const unit = random() < 0.9 ? pick(all.filter((u) => u.code.length >= 9)) : pick(all);
    rows.push([`S${String(i).padStart(5, "0")}`, `统计${i}`, unit.id, pick([...STATUSES]), random() < 0.12, "x", false]);
  }
  await bulkInsert("users", ["employee_no", "name", "unit_id", "status", "is_cadre", "password_hash", "disabled"], ["text", "text", "int", "member_status", "boolean", "text", "boolean"], rows);
  memberIds = rowsOf<{ id: number }>(await db.execute(sql`select id from users where employee_no like 'S%' order by id`)).map((r) => Number(r.id));

  // Earlier progress, bulk-loaded (no events): lessons studied, courses completed with their hours.
  const progress: (string | number | Date | null)[][] = [];
  const completions: (string | number | Date | null)[][] = [];
  for (const userId of memberIds) {
    if (random() < 0.6) continue;
    for (const c of courses) {
      if (random() < 0.5) continue;
      let all = true;
      let last = new Date(0);
      for (const l of c.lessons) {
        const r = random();
        if (r < 0.3) {
          all = false;
          continue;
        }
        const at = between("2025-03-01T00:00:00Z", "2026-06-30T00:00:00Z");
        const done = r > 0.45;
        if (!done) all = false;
        if (done && at > last) last = at;
        progress.push([userId, l.id, done ? at : null, at]);
      }
      if (all) {
        const seconds = c.lessons.reduce((s, l) => s + l.durationSeconds, 0);
        completions.push([userId, c.course.id, creditHoursFor(seconds).toFixed(2), last]);
      }
    }
  }
  await bulkInsert("lesson_progress", ["user_id", "lesson_id", "completed_at", "updated_at"], ["int", "int", "timestamptz", "timestamptz"], progress);
  await bulkInsert("course_completions", ["user_id", "course_id", "credit_hours", "completed_at"], ["int", "int", "numeric", "timestamptz"], completions);
});

async function expectAgreement() {
  const oracle = await countFromScratch();
  const metrics = new Set<string>();
  for (const byMetric of oracle.values()) for (const m of byMetric.keys()) metrics.add(m);
  for (const [code, expected] of oracle) {
    const got = await sumSubtree(code, [...metrics]);
    for (const metric of metrics) {
      const want: Counts = Object.fromEntries(Object.entries(expected.get(metric) ?? {}).filter(([, v]) => v !== 0));
      const have: Counts = Object.fromEntries(Object.entries(got.get(metric) ?? {}).filter(([, v]) => v !== 0));
      expect({ code, metric, counts: have }).toEqual({ code, metric, counts: want });
    }
  }
  return { units: oracle.size, metrics: metrics.size };
}

describe("unit roll-ups", () => {
  it("agree with a from-scratch count at every level after a randomised run, and with a rebuild", async () => {
    const committee = tree.get("统计党委")!;
    const generalBranch = tree.get("第2党总支")!;
    const branch = tree.get("机关一支部")!;
    const a1 = await createAssignment(
      { unitId: committee.id, title: "全员必学", note: "", startsOn: "2026-01-01", dueOn: "2026-12-31", statuses: [], courseIds: [courses[0].course.id, courses[1].course.id] },
      null,
    );
    expect((await rebuildStats()).members).toBeGreaterThanOrEqual(360);
    await expectAgreement();

    const allUnits = [...tree.values()];
    const videoLessons = courses.flatMap((c) => c.lessons.filter((l) => l.kind === "video"));
    const allLessons = courses.flatMap((c) => c.lessons);
    const stale: number[] = [];
    let a2: number | null = null;
    for (let op = 0; op < 700; op++) {
      if (op === 150) {
        a2 = (
          await createAssignment(
            { unitId: generalBranch.id, title: "总支专题", note: "", startsOn: "2026-03-01", dueOn: "2026-04-30", statuses: ["full", "probationary"], courseIds: [courses[2].course.id] },
            null,
          )
        ).id;
      }
      if (op === 300) {
        await createAssignment(
          { unitId: branch.id, title: "支部学习", note: "", startsOn: "2026-05-01", dueOn: "2026-06-30", statuses: [], courseIds: [courses[1].course.id, courses[3].course.id] },
          null,
        );
      }
      if (op === 450 && a2) {
        await updateAssignment(a2, {
          unitId: generalBranch.id,
          title: "总支专题（扩大）",
          note: "",
          startsOn: "2026-03-01",
          dueOn: "2026-05-31",
          statuses: [],
          courseIds: [courses[2].course.id, courses[0].course.id],
        });
      }
      const r = random();
      const userId = stale.length && random() < 0.5 ? stale.pop()! : pick(memberIds);
      const at = between("2025-11-01T00:00:00Z", "2026-11-30T00:00:00Z");
      if (r < 0.55) {
        await completeLesson(userId, pick(allLessons).id, { now: at });
      } else if (r < 0.75) {
        const lesson = pick(videoLessons);
        await reportProgress(userId, { lessonId: lesson.id, seq: at.getTime(), ranges: [[0, 4]], position: 4 }, at);
      } else if (r < 0.82) {
        // A move, as updateMember does it, followed by the stats hook.
        const [before] = await db.select({ unitId: users.unitId }).from(users).where(eq(users.id, userId));
        const to = pick(allUnits);
        await db.update(users).set({ unitId: to.id }).where(eq(users.id, userId));
        await moveMemberStats(db, userId, before.unitId, to.id);
      } else if (r < 0.85) {
        // A move nobody told the statistics about: the member's next study event or the daily
        // reconciliation puts it right.
        await db.update(users).set({ unitId: pick(allUnits).id }).where(eq(users.id, userId));
        stale.push(userId);
      } else if (r < 0.9) {
        await db.update(users).set({ status: pick([...STATUSES]), isCadre: random() < 0.2 }).where(eq(users.id, userId));
        await syncMemberStats(db, [userId]);
      } else if (r < 0.93) {
        const [row] = await db.select({ disabled: users.disabled }).from(users).where(eq(users.id, userId));
        await db.update(users).set({ disabled: !row.disabled }).where(eq(users.id, userId));
        await syncMemberStats(db, [userId]);
      } else if (r < 0.95) {
        const member = await makeMember({ unitId: pick(allUnits).id, status: pick([...STATUSES]) });
        memberIds.push(member.id);
      } else {
        // A quiz-less course completed outright.
        const course = pick(courses);
        for (const l of course.lessons) await completeLesson(userId, l.id, { now: at });
      }
    }
    await reconcileMembers();
    const figures = await expectAgreement();
    expect(figures.units).toBe(tree.size);
    expect(figures.metrics).toBeGreaterThanOrEqual(8);

    // Somebody completed the committee assignment, somebody is on it.
    const committeeTotals = (await sumSubtree(committee.code, [assignmentMetric(a1.id)])).get(assignmentMetric(a1.id))!;
    expect(committeeTotals.completed).toBeGreaterThan(0);
    expect(committeeTotals.in_progress).toBeGreaterThan(0);

    const incremental = await storedUnitStats();
    const report = await rebuildStats();
    expect(report.unitStatRows).toBeGreaterThan(0);
    expect(await storedUnitStats()).toEqual(incremental);
  });

  it("reads the same figures at every level: a unit's total is its own members plus its children's totals", async () => {
    // (The daily series is stored as each unit's subtree sum already; the from-scratch comparison covers it.)
    const metrics = ["members", ...rowsOf<{ metric: string }>(await db.execute(sql`select distinct metric from unit_stats`)).map((r) => r.metric)].filter(
      (m) => !isSubtreeMetric(m),
    );
    const allUnits = await db.select({ id: units.id, code: units.code, parentId: units.parentId }).from(units);
    for (const unit of allUnits) {
      const total = await sumSubtree(unit.code, metrics);
      const children = allUnits.filter((u) => u.parentId === unit.id);
      const own = rowsOf<{ metric: string; counts: Counts | string }>(await db.execute(sql`select metric, counts from unit_stats where unit_id = ${unit.id}`));
      for (const metric of metrics) {
        const sum: Counts = {};
        const ownCounts = own.find((o) => o.metric === metric)?.counts ?? {};
        for (const [k, v] of Object.entries(typeof ownCounts === "string" ? JSON.parse(ownCounts) : ownCounts)) sum[k] = (sum[k] ?? 0) + Number(v);
        for (const child of children) {
          for (const [k, v] of Object.entries((await sumSubtree(child.code, [metric])).get(metric) ?? {})) sum[k] = (sum[k] ?? 0) + v;
        }
        const clean = (c: Counts) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0));
        expect(clean(total.get(metric) ?? {})).toEqual(clean(sum));
      }
    }
  });
});

describe("concurrent study events", () => {
  it("many members (and one member on two devices) completing at once, while an assignment is created, still agree", async () => {
    const group = tree.get("2-2甲组")!;
    const people = await Promise.all(Array.from({ length: 24 }, () => makeMember({ unitId: group.id })));
    await syncMemberStats(db, people.map((p) => p.id));
    const course = courses[2];
    const at = new Date("2026-08-08T08:00:00Z");
    await Promise.all([
      ...people.flatMap((p) => course.lessons.map((l) => completeLesson(p.id, l.id, { now: at }))),
      createAssignment(
        { unitId: tree.get("第2党总支")!.id, title: "并发任务", note: "", startsOn: "2026-08-01", dueOn: "2026-08-31", statuses: [], courseIds: [course.course.id] },
        null,
      ),
    ]);
    await expectAgreement();
    const incremental = await storedUnitStats();
    await rebuildStats();
    expect(await storedUnitStats()).toEqual(incremental);
  });
});

describe("moving a unit", () => {
  it("a branch moved under another general branch takes its members' figures along, and their new assignments", async () => {
    const branch = tree.get("总支1支部3")!;
    const target = tree.get("第3党总支")!;
    const assignment = await createAssignment(
      { unitId: target.id, title: "三总支任务", note: "", startsOn: "2026-01-01", dueOn: "2026-12-31", statuses: [], courseIds: [courses[0].course.id] },
      null,
    );
    const metric = assignmentMetric(assignment.id);
    const before = (await sumSubtree(target.code, [metric, "members"]));
    await moveUnit(branch.id, target.id);
    await freshenStats({ limit: 10_000 });
    await expectAgreement();
    const after = await sumSubtree(target.code, [metric, "members"]);
    const [{ n }] = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*)::int as n from users u join units un on un.id = u.unit_id where un.code like ${`${target.code}%`} and not u.disabled`),
    );
    expect(after.get("members")!.total).toBe(n);
    expect(after.get(metric)!.assigned).toBeGreaterThan(before.get(metric)!.assigned);
    const incremental = await storedUnitStats();
    await rebuildStats();
    expect(await storedUnitStats()).toEqual(incremental);
  });
});

describe("moving a member", () => {
  it("moves their figures from the old unit to the new one, and nothing else changes", async () => {
    const from = tree.get("1-1甲组")!;
    const to = tree.get("3-3乙组")!;
    const member = await makeMember({ unitId: from.id });
    await syncMemberStats(db, [member.id]);
    const assignment = await createAssignment(
      { unitId: tree.get("统计党委")!.id, title: "搬家测试", note: "", startsOn: "2026-01-01", dueOn: "2026-12-31", statuses: [], courseIds: [courses[3].course.id] },
      null,
    );
    const metric = assignmentMetric(assignment.id);
    const [lesson] = await db.select().from(lessonsTable).where(eq(lessonsTable.courseId, courses[3].course.id));
    await completeLesson(member.id, lesson.id, { now: new Date("2026-07-01T03:00:00Z") });
    const read = async (code: string) => (await sumSubtree(code, [metric, "members", "credit:2026"]));
    const beforeFrom = await read(from.code);
    const beforeTo = await read(to.code);
    const beforeAll = await read(tree.get("统计党委")!.code);

    await db.update(users).set({ unitId: to.id }).where(eq(users.id, member.id));
    await moveMemberStats(db, member.id, from.id, to.id);

    const afterFrom = await read(from.code);
    const afterTo = await read(to.code);
    const afterAll = await read(tree.get("统计党委")!.code);
    expect((afterFrom.get(metric)!.completed ?? 0) - (beforeFrom.get(metric)!.completed ?? 0)).toBe(-1);
    expect((afterTo.get(metric)!.completed ?? 0) - (beforeTo.get(metric)!.completed ?? 0)).toBe(1);
    expect((afterFrom.get("members")!.total ?? 0) - (beforeFrom.get("members")!.total ?? 0)).toBe(-1);
    expect((afterTo.get("members")!.total ?? 0) - (beforeTo.get("members")!.total ?? 0)).toBe(1);
    expect((afterTo.get("credit:2026")!.hours ?? 0) - (beforeTo.get("credit:2026")!.hours ?? 0)).toBe(25);
    expect(afterAll).toEqual(beforeAll);
  });

  it("a member moved out of an assignment's unit loses it; moved in, gets it with their progress", async () => {
    const inside = tree.get("总支1支部1")!;
    const outside = tree.get("机关二支部")!;
    const assignment = await createAssignment(
      { unitId: inside.id, title: "支部任务", note: "", startsOn: "2026-01-01", dueOn: "2026-12-31", statuses: [], courseIds: [courses[3].course.id] },
      null,
    );
    const metric = assignmentMetric(assignment.id);
    const member = await makeMember({ unitId: outside.id });
    const [lesson] = await db.select().from(lessonsTable).where(eq(lessonsTable.courseId, courses[3].course.id));
    await completeLesson(member.id, lesson.id, { now: new Date("2026-02-01T03:00:00Z") });
    const before = (await sumSubtree(inside.code, [metric])).get(metric)!;

    await db.update(users).set({ unitId: tree.get("1-1乙组")!.id }).where(eq(users.id, member.id));
    await moveMemberStats(db, member.id);
    const after = (await sumSubtree(inside.code, [metric])).get(metric)!;
    expect(after.assigned - before.assigned).toBe(1);
    expect((after.completed ?? 0) - (before.completed ?? 0)).toBe(1);

    await db.update(users).set({ unitId: outside.id }).where(eq(users.id, member.id));
    await moveMemberStats(db, member.id);
    expect((await sumSubtree(inside.code, [metric])).get(metric)).toEqual(before);
    expect((await sumSubtree(outside.code, [metric])).get(metric)).toEqual({});
  });
});
