// The points ledger: every rule and its cap, replays, concurrent awards, rule versions, and the
// points that study events earn through the listeners.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { completeLesson } from "~/courses/progress.server";
import { db } from "~/db/client.server";
import { pointEntries, pointRules } from "~/db/schema";
import {
  awardBattle,
  awardContest,
  awardDailyQuizAnswer,
  awardFirstVisit,
  awardPoints,
  awardStudyTime,
  ensureDefaultPointRules,
  pointsTotal,
  ruleInForce,
} from "~/points/ledger.server";
import "~/points/listeners.server";
import { changeRule, listRuleVersions, ruleAnnouncements, RuleChangeError } from "~/points/rule-admin.server";
import { cappedAmount, isContestTop, periodStart, pointsDay, type RuleCode } from "~/points/rules";
import { addDays } from "~/stats/metrics";
import { pointHistory, pointTotals, todayProgress } from "~/points/summary.server";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";

let unitId: number;
const AT = new Date("2026-03-10T02:00:00Z"); // 10:00 in Beijing
const DAY = "2026-03-10";

async function member() {
  return makeMember({ unitId });
}

async function entriesOf(userId: number, ruleCode?: string) {
  return db
    .select()
    .from(pointEntries)
    .where(and(eq(pointEntries.userId, userId), ruleCode ? eq(pointEntries.ruleCode, ruleCode) : undefined));
}

async function awardMany(userId: number, ruleCode: RuleCode, n: number, at = AT) {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await awardPoints({ userId, ruleCode, sourceKey: `test:${ruleCode}:${i}`, at }));
  return results;
}

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "积分党委", kind: "committee", children: [{ name: "积分支部", kind: "branch" }] });
  unitId = tree.get("积分支部")!.id;
  await ensureDefaultPointRules();
  await ensureDefaultPointRules(); // idempotent
});

describe("pure rules", () => {
  it("cuts an award to the cap and stops after the day's events", () => {
    expect(cappedAmount({ amount: 2, dailyCap: 5, earnedToday: 4, eventsToday: 2 })).toBe(1);
    expect(cappedAmount({ amount: 2, dailyCap: 5, earnedToday: 5, eventsToday: 3 })).toBe(0);
    expect(cappedAmount({ amount: 2, dailyCap: null, earnedToday: 500, eventsToday: 99 })).toBe(2);
    expect(cappedAmount({ amount: 1, dailyCap: 4, earnedToday: 2, eventsToday: 2, maxEventsPerDay: 2 })).toBe(0);
    expect(cappedAmount({ amount: 0, dailyCap: 4, earnedToday: 0, eventsToday: 0 })).toBe(0);
  });
  it("uses China's calendar day and Monday weeks", () => {
    expect(pointsDay(new Date("2026-01-01T15:59:59Z"))).toBe("2026-01-01");
    expect(pointsDay(new Date("2026-01-01T16:00:00Z"))).toBe("2026-01-02");
    expect(periodStart("week", "2026-03-15")).toBe("2026-03-09"); // Sunday → Monday before
    expect(periodStart("week", "2026-03-09")).toBe("2026-03-09");
    expect(periodStart("month", "2026-03-15")).toBe("2026-03-01");
    expect(periodStart("year", "2026-03-15")).toBe("2026-01-01");
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
  });
  it("counts the top 10 % of a contest, at least the winner", () => {
    expect(isContestTop(1, 5)).toBe(true);
    expect(isContestTop(2, 5)).toBe(false);
    expect(isContestTop(10, 100)).toBe(true);
    expect(isContestTop(11, 100)).toBe(false);
  });
});

describe("each rule and its daily cap", () => {
  const capped: [RuleCode, number, number][] = [
    ["first_visit", 1, 1],
    ["reading_lesson", 1, 6],
    ["video_lesson", 1, 6],
    ["study_time", 1, 6],
    ["daily_quiz", 1, 5],
    ["reflection_approved", 2, 5],
  ];
  for (const [code, amount, cap] of capped) {
    it(`${code}: ${amount} each, ${cap} a day`, async () => {
      const user = await member();
      const results = await awardMany(user.id, code, cap + 3);
      expect(results[0]).toMatchObject({ status: "awarded", amount });
      expect(await pointsTotal(user.id)).toBe(cap);
      expect(results.at(-1)).toEqual({ status: "capped" });
      // The next day starts again.
      await awardPoints({ userId: user.id, ruleCode: code, sourceKey: "next-day", at: new Date(AT.getTime() + 86_400_000) });
      expect(await pointsTotal(user.id)).toBe(cap + amount);
    });
  }

  it("reflection approved and featured share the cap of 5 (2 + 3, then a cut award)", async () => {
    const user = await member();
    expect(await awardPoints({ userId: user.id, ruleCode: "reflection_approved", sourceKey: "reflection:1", at: AT })).toMatchObject({ amount: 2 });
    expect(await awardPoints({ userId: user.id, ruleCode: "reflection_featured", sourceKey: "reflection:1", at: AT })).toMatchObject({ amount: 3 });
    expect(await awardPoints({ userId: user.id, ruleCode: "reflection_approved", sourceKey: "reflection:2", at: AT })).toEqual({ status: "capped" });
    expect(await pointsTotal(user.id)).toBe(5);
    const other = await member();
    await awardPoints({ userId: other.id, ruleCode: "reflection_approved", sourceKey: "reflection:1", at: AT });
    await awardPoints({ userId: other.id, ruleCode: "reflection_approved", sourceKey: "reflection:2", at: AT });
    // 4 earned: featuring adds only the 1 left under the cap.
    expect(await awardPoints({ userId: other.id, ruleCode: "reflection_featured", sourceKey: "reflection:2", at: AT })).toMatchObject({ amount: 1 });
  });

  it("contest: 2 for taking part, +3 in the top 10 %, no cap", async () => {
    const user = await member();
    await awardContest({ userId: user.id, contestId: 1, rank: 1, entrants: 20, at: AT });
    await awardContest({ userId: user.id, contestId: 2, rank: 15, entrants: 20, at: AT });
    await awardContest({ userId: user.id, contestId: 3, at: AT });
    await awardContest({ userId: user.id, contestId: 1, rank: 1, entrants: 20, at: AT }); // replay
    expect(await pointsTotal(user.id)).toBe(2 + 3 + 2 + 2);
    expect((await entriesOf(user.id, "contest_top")).length).toBe(1);
  });

  it("battle: 2 for a win, 1 otherwise, only the first two a day", async () => {
    const user = await member();
    expect(await awardBattle({ userId: user.id, battleId: 1, won: false, at: AT })).toMatchObject({ amount: 1 });
    expect(await awardBattle({ userId: user.id, battleId: 2, won: true, at: AT })).toMatchObject({ amount: 2 });
    expect(await awardBattle({ userId: user.id, battleId: 3, won: true, at: AT })).toEqual({ status: "capped" });
    expect(await pointsTotal(user.id)).toBe(3);
    const winner = await member();
    await awardBattle({ userId: winner.id, battleId: 1, won: true, at: AT });
    await awardBattle({ userId: winner.id, battleId: 2, won: true, at: AT });
    await awardBattle({ userId: winner.id, battleId: 3, won: true, at: AT });
    expect(await pointsTotal(winner.id)).toBe(4);
  });

  it("course completed: 5, no cap", async () => {
    const user = await member();
    await awardMany(user.id, "course_completed", 4);
    expect(await pointsTotal(user.id)).toBe(20);
  });

  it("first visit: once a day through the helper", async () => {
    const user = await member();
    expect(await awardFirstVisit(user, AT)).toMatchObject({ status: "awarded", amount: 1 });
    expect(await awardFirstVisit(user, new Date(AT.getTime() + 3_600_000))).toMatchObject({ status: "duplicate" });
    expect(await awardFirstVisit(user, new Date(AT.getTime() + 86_400_000))).toMatchObject({ status: "awarded" });
    expect((await entriesOf(user.id)).map((e) => e.sourceKey).sort()).toEqual(["visit:2026-03-10", "visit:2026-03-11"]);
  });

  it("daily quiz: one per correct answer; wrong answers and replays earn nothing", async () => {
    const user = await member();
    for (const [index, correct] of [[0, true], [1, false], [2, true], [2, true], [3, true]] as const)
      await awardDailyQuizAnswer({ userId: user.id, index, correct, at: AT });
    expect(await pointsTotal(user.id)).toBe(3);
  });

  it("study time: one per full 4 minutes, reported totals replay safely, cap 6", async () => {
    const user = await member();
    expect(await awardStudyTime({ userId: user.id, activeSecondsToday: 239, at: AT })).toBe(0);
    expect(await awardStudyTime({ userId: user.id, activeSecondsToday: 500, at: AT })).toBe(2);
    expect(await awardStudyTime({ userId: user.id, activeSecondsToday: 500, at: AT })).toBe(0);
    expect(await awardStudyTime({ userId: user.id, activeSecondsToday: 3600, at: AT })).toBe(4);
    expect(await pointsTotal(user.id)).toBe(6);
  });
});

describe("replays and concurrency", () => {
  it("a replayed event earns nothing", async () => {
    const user = await member();
    const first = await awardPoints({ userId: user.id, ruleCode: "reading_lesson", sourceKey: "lesson:42", at: AT });
    const again = await awardPoints({ userId: user.id, ruleCode: "reading_lesson", sourceKey: "lesson:42", at: new Date(AT.getTime() + 86_400_000) });
    expect(first.status).toBe("awarded");
    expect(again).toEqual({ status: "duplicate" });
    expect(await entriesOf(user.id)).toHaveLength(1);
  });

  it("20 parallel awards of the same event give one entry", async () => {
    const user = await member();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => awardPoints({ userId: user.id, ruleCode: "course_completed", sourceKey: "course:7", at: AT })),
    );
    expect(results.filter((r) => r.status === "awarded")).toHaveLength(1);
    expect(await entriesOf(user.id)).toHaveLength(1);
    expect(await pointsTotal(user.id)).toBe(5);
  });

  it("20 parallel awards of different events on a cap-5 rule give exactly 5 points", async () => {
    const user = await member();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => awardPoints({ userId: user.id, ruleCode: "daily_quiz", sourceKey: `daily:${DAY}:${i}`, at: AT })),
    );
    expect(results.filter((r) => r.status === "awarded")).toHaveLength(5);
    expect(await pointsTotal(user.id)).toBe(5);
  });

  it("parallel approvals and featurings keep the shared cap", async () => {
    const user = await member();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        awardPoints({ userId: user.id, ruleCode: i % 2 ? "reflection_featured" : "reflection_approved", sourceKey: `reflection:${i}`, at: AT }),
      ),
    );
    expect(await pointsTotal(user.id)).toBe(5);
  });

  it("an award inside a caller's transaction rolls back with it", async () => {
    const user = await member();
    await expect(
      db.transaction(async (tx) => {
        await awardPoints({ userId: user.id, ruleCode: "course_completed", sourceKey: "course:1", at: AT, tx });
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    expect(await entriesOf(user.id)).toHaveLength(0);
    await db.transaction(async (tx) => {
      await awardPoints({ userId: user.id, ruleCode: "course_completed", sourceKey: "course:1", at: AT, tx });
      await awardPoints({ userId: user.id, ruleCode: "course_completed", sourceKey: "course:1", at: AT, tx });
    });
    expect(await pointsTotal(user.id)).toBe(5);
  });
});

describe("rule versions", () => {
  it("a change effective tomorrow leaves today alone; past entries keep their version", async () => {
    const admin = await member();
    const user = await member();
    const today = pointsDay();
    const tomorrow = addDays(today, 1);
    const now = new Date();
    const v1 = await ruleInForce("video_lesson", today);
    await awardPoints({ userId: user.id, ruleCode: "video_lesson", sourceKey: "lesson:1", at: now });
    const v2 = await changeRule({ code: "video_lesson", amount: 3, dailyCap: 9, effectiveFrom: tomorrow, note: "鼓励看视频", by: admin.id });
    expect(v2.version).toBe(v1.version + 1);
    // Today: still version 1 (1 point, cap 6).
    const sameDay = await awardPoints({ userId: user.id, ruleCode: "video_lesson", sourceKey: "lesson:2", at: now });
    expect(sameDay).toMatchObject({ status: "awarded", amount: 1 });
    expect((await ruleInForce("video_lesson", today)).id).toBe(v1.id);
    // Tomorrow: version 2.
    const later = new Date(now.getTime() + 86_400_000);
    const next = await awardPoints({ userId: user.id, ruleCode: "video_lesson", sourceKey: "lesson:3", at: later });
    expect(next).toMatchObject({ status: "awarded", amount: 3 });
    const entries = await entriesOf(user.id);
    expect(entries.filter((e) => e.ruleId === v1.id)).toHaveLength(2);
    expect(entries.filter((e) => e.ruleId === v2.id)).toHaveLength(1);
    // Announced to members, with the day it takes effect.
    const news = await ruleAnnouncements();
    expect(news.find((n) => n.id === v2.id)).toMatchObject({ effectiveFrom: tomorrow, amount: 3, dailyCap: 9 });
    expect((await listRuleVersions()).filter((r) => r.code === "video_lesson").map((r) => r.version)).toEqual([2, 1]);
    // Put it back so the other tests see the default.
    await changeRule({ code: "video_lesson", amount: 1, dailyCap: 6, effectiveFrom: tomorrow, note: "", by: admin.id });
    expect((await ruleInForce("video_lesson", tomorrow)).amount).toBe(1);
  });

  it("a change cannot take effect in the past; amounts and caps are checked", async () => {
    const admin = await member();
    const yesterday = addDays(pointsDay(), -1);
    await expect(changeRule({ code: "first_visit", amount: 2, dailyCap: 2, effectiveFrom: yesterday, note: "", by: admin.id })).rejects.toBeInstanceOf(RuleChangeError);
    await expect(changeRule({ code: "first_visit", amount: -1, dailyCap: 2, effectiveFrom: pointsDay(), note: "", by: admin.id })).rejects.toBeInstanceOf(RuleChangeError);
    await expect(changeRule({ code: "first_visit", amount: 1, dailyCap: 0, effectiveFrom: pointsDay(), note: "", by: admin.id })).rejects.toBeInstanceOf(RuleChangeError);
  });

  it("a change effective today applies to the rest of today, earlier entries keep version 1", async () => {
    const admin = await member();
    const user = await member();
    const today = pointsDay();
    const now = new Date();
    await awardPoints({ userId: user.id, ruleCode: "contest", sourceKey: "contest:1", at: now });
    const v = await changeRule({ code: "contest", amount: 4, dailyCap: null, effectiveFrom: today, note: "", by: admin.id });
    await awardPoints({ userId: user.id, ruleCode: "contest", sourceKey: "contest:2", at: now });
    const entries = await entriesOf(user.id);
    expect(entries.map((e) => e.amount).sort()).toEqual([2, 4]);
    expect(entries.find((e) => e.amount === 4)!.ruleId).toBe(v.id);
    // A zero amount switches a rule off from its day on.
    await changeRule({ code: "contest", amount: 0, dailyCap: null, effectiveFrom: today, note: "", by: admin.id });
    expect(await awardPoints({ userId: user.id, ruleCode: "contest", sourceKey: "contest:3", at: now })).toEqual({ status: "disabled" });
    await changeRule({ code: "contest", amount: 2, dailyCap: null, effectiveFrom: today, note: "", by: admin.id });
    const [first] = await db.select().from(pointRules).where(and(eq(pointRules.code, "contest"), eq(pointRules.version, 1)));
    expect(entries.find((e) => e.amount === 2)!.ruleId).toBe(first.id);
  });
});

describe("study events", () => {
  it("reading and video lessons and the course earn through the listeners; quizzes and repeats do not", async () => {
    const user = await member();
    const { course, lessons } = await makeCourse({ lessons: [{ kind: "reading" }, { kind: "video" }, { kind: "quiz" }] });
    await completeLesson(user.id, lessons[0].id, { now: AT });
    await completeLesson(user.id, lessons[0].id, { now: AT });
    await completeLesson(user.id, lessons[1].id, { now: AT });
    await completeLesson(user.id, lessons[2].id, { now: AT, score: 1 });
    const entries = await entriesOf(user.id);
    expect(entries.map((e) => [e.ruleCode, e.sourceKey, e.amount]).sort()).toEqual([
      ["course_completed", `course:${course.id}`, 5],
      ["reading_lesson", `lesson:${lessons[0].id}`, 1],
      ["video_lesson", `lesson:${lessons[1].id}`, 1],
    ]);
    expect(entries.every((e) => e.day === DAY)).toBe(true);
  });
});

describe("the member's summary", () => {
  it("shows today's progress against the caps, totals and the history with its sources", async () => {
    const user = await member();
    const now = new Date();
    const { lessons } = await makeCourse({ title: "摘要课程", lessons: [{ kind: "reading", title: "第一篇" }, { kind: "reading" }, { kind: "reading" }] });
    for (const l of lessons) await awardPoints({ userId: user.id, ruleCode: "reading_lesson", sourceKey: `lesson:${l.id}`, at: now });
    await awardFirstVisit(user, now);
    await awardPoints({ userId: user.id, ruleCode: "course_completed", sourceKey: "course:999999", at: new Date("2020-05-01T00:00:00Z") });
    const progress = await todayProgress(user.id);
    expect(progress.find((p) => p.group === "reading_lesson")).toMatchObject({ earned: 3, cap: 6 });
    expect(progress.find((p) => p.group === "first_visit")).toMatchObject({ earned: 1, cap: 1 });
    expect(progress.find((p) => p.group === "course_completed")).toMatchObject({ earned: 0, cap: null });
    expect(await pointTotals(user.id)).toEqual({ all: 9, year: 4, today: 4 });
    const history = await pointHistory(user.id, 1, 2);
    expect(history.total).toBe(5);
    expect(history.pages).toBe(3);
    expect(history.entries).toHaveLength(2);
    const all = await pointHistory(user.id, 1, 50);
    expect(all.entries.find((e) => e.source.kind === "lesson" && e.source.title === "第一篇")).toBeTruthy();
    expect(all.entries.at(-1)).toMatchObject({ ruleCode: "course_completed", version: 1, source: { kind: "course", id: 999999, title: null } });
  });

  it("shows source keys it cannot resolve as they are", async () => {
    const user = await member();
    await awardPoints({ userId: user.id, ruleCode: "contest", sourceKey: "contest:99999999999", at: AT });
    await awardPoints({ userId: user.id, ruleCode: "contest", sourceKey: "imported:2025", at: AT });
    const history = await pointHistory(user.id);
    expect(history.entries.map((e) => e.source).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { kind: "other", key: "contest:99999999999" },
      { kind: "other", key: "imported:2025" },
    ]);
  });
});
