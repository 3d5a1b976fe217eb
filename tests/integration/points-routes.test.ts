// The points pages: the member's page, the name-hiding toggle, rule administration (root
// committee admins only) and the leaderboards with their periods and anonymity.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { users } from "~/db/schema";
import { awardPoints, ensureDefaultPointRules, ruleInForce } from "~/points/ledger.server";
import { pointsDay } from "~/points/rules";
import { addDays } from "~/stats/metrics";
import * as adminPoints from "~/routes/admin.points";
import * as myPoints from "~/routes/me.points";
import * as rankings from "~/routes/rankings";
import { makeMember, makeUnitTree } from "~/seed/factories.server";
import { invoke, sessionCookie } from "../support/routes";

type Who = "a1" | "a2" | "b1" | "b2" | "organiser" | "branchAdmin" | "rootAdmin" | "foreign";
const cookie = {} as Record<Who, string>;
const id = {} as Record<Who, number>;
type PointsData = Awaited<ReturnType<typeof myPoints.loader>>;
type RankData = Awaited<ReturnType<typeof rankings.loader>>;

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

let contestId = 0;
/** `n` contests (2 points each, no cap) on the day of `at`. */
async function contests(who: Who, n: number, at = new Date()) {
  for (let i = 0; i < n; i++) await awardPoints({ userId: id[who], ruleCode: "contest", sourceKey: `contest:${++contestId}`, at });
}

beforeAll(async () => {
  await ensureDefaultPointRules();
  const tree = await makeUnitTree({
    name: "排行党委",
    kind: "committee",
    children: [
      { name: "甲支部", kind: "branch", children: [{ name: "甲一小组", kind: "group" }] },
      { name: "乙支部", kind: "branch" },
    ],
  });
  const foreign = await makeUnitTree({ name: "别的党委", kind: "committee", children: [{ name: "别的支部", kind: "branch" }] });
  const unit = (name: string) => (tree.get(name) ?? foreign.get(name))!.id;
  const people: [Who, string, string, { unitId: number; role: "organiser" | "admin" }[]][] = [
    ["a1", "甲一小组", "甲一", []],
    ["a2", "甲支部", "甲二", []],
    ["b1", "乙支部", "乙一", []],
    ["b2", "乙支部", "乙二", []],
    ["organiser", "甲支部", "甲书记", [{ unitId: unit("甲支部"), role: "organiser" }]],
    ["branchAdmin", "乙支部", "乙管理", [{ unitId: unit("乙支部"), role: "admin" }]],
    ["rootAdmin", "甲支部", "党委管理员", [{ unitId: unit("排行党委"), role: "admin" }]],
    ["foreign", "别的支部", "别人", []],
  ];
  for (const [who, unitName, name, grants] of people) {
    const user = await makeMember({ unitId: unit(unitName), name, grants });
    id[who] = user.id;
    cookie[who] = await sessionCookie(user.id);
  }
  // The contest rule is 2 a time: a1 10, a2 4, b1 12 this week; foreign 40.
  await contests("a1", 5);
  await contests("a2", 2);
  await contests("b1", 6);
  await contests("foreign", 20);
  // Older points: 8 days ago (last week), 40 days ago (last month), 400 days ago (last year).
  await contests("a2", 10, daysAgo(8));
  await contests("b2", 1, daysAgo(40));
  await contests("a1", 3, daysAgo(400));
  await db.update(users).set({ hideFromWideRankings: true }).where(eq(users.id, id.b1));
});

describe("my points page", () => {
  it("shows today's progress, totals and the paginated history", async () => {
    const data = (await invoke(myPoints.loader, { path: "/me/points", cookie: cookie.a1 })).body as PointsData;
    expect(data.totals).toEqual({ today: 10, year: 10, all: 16 });
    expect(data.progress.find((p) => p.group === "contest")).toMatchObject({ earned: 10, cap: null });
    expect(data.progress.find((p) => p.group === "daily_quiz")).toMatchObject({ earned: 0, cap: 5 });
    expect(data.history).toMatchObject({ total: 8, page: 1, pages: 1 });
    expect(data.history.entries[0]).toMatchObject({ ruleCode: "contest", amount: 2, day: pointsDay() });
    expect(data.history.entries.at(-1)!.day).toBe(pointsDay(daysAgo(400)));
    const many = (await invoke(myPoints.loader, { path: "/me/points", cookie: cookie.foreign })).body as PointsData;
    expect(many.history).toMatchObject({ total: 20, pages: 1 });
    await contests("foreign", 5, daysAgo(1));
    const second = (await invoke(myPoints.loader, { path: "/me/points?page=2", cookie: cookie.foreign })).body as PointsData;
    expect(second.history).toMatchObject({ total: 25, page: 2, pages: 2 });
    expect(second.history.entries).toHaveLength(5);
    const junk = (await invoke(myPoints.loader, { path: "/me/points?page=abc", cookie: cookie.a1 })).body as PointsData;
    expect(junk.history.page).toBe(1);
  });

  it("needs a login", async () => {
    expect((await invoke(myPoints.loader, { path: "/me/points" })).location).toBe("/login?redirectTo=%2Fme%2Fpoints");
  });

  it("toggles hiding the name beyond the branch", async () => {
    const toggle = (hide: boolean) =>
      invoke(myPoints.action, { path: "/me/points", method: "POST", cookie: cookie.a2, form: hide ? { intent: "privacy", hide: "on" } : { intent: "privacy" } });
    await toggle(true);
    expect(((await invoke(myPoints.loader, { path: "/me/points", cookie: cookie.a2 })).body as PointsData).hidden).toBe(true);
    await toggle(false);
    expect(((await invoke(myPoints.loader, { path: "/me/points", cookie: cookie.a2 })).body as PointsData).hidden).toBe(false);
  });
});

describe("rule administration", () => {
  it("is for admins of a top-level committee only", async () => {
    for (const who of ["a1", "organiser", "branchAdmin"] as Who[]) {
      expect((await invoke(adminPoints.loader, { path: "/admin/points", cookie: cookie[who] })).status, who).toBe(403);
      const posted = await invoke(adminPoints.action, {
        path: "/admin/points",
        method: "POST",
        cookie: cookie[who],
        form: { code: "first_visit", amount: "9", dailyCap: "9", effectiveFrom: pointsDay() },
      });
      expect(posted.status, who).toBe(403);
    }
    expect((await invoke(adminPoints.loader, { path: "/admin/points", cookie: cookie.rootAdmin })).status).toBe(200);
    expect((await ruleInForce("first_visit", pointsDay())).amount).toBe(1);
  });

  it("saves a change as a new version from a day on; members see it announced", async () => {
    const tomorrow = addDays(pointsDay(), 1);
    const past = await invoke(adminPoints.action, {
      path: "/admin/points",
      method: "POST",
      cookie: cookie.rootAdmin,
      form: { code: "daily_quiz", amount: "2", dailyCap: "10", effectiveFrom: addDays(pointsDay(), -1) },
    });
    expect(JSON.stringify(past.body)).toContain("points.admin.v.notPast");
    const saved = await invoke(adminPoints.action, {
      path: "/admin/points",
      method: "POST",
      cookie: cookie.rootAdmin,
      form: { code: "daily_quiz", amount: "2", dailyCap: "10", effectiveFrom: tomorrow, note: "周末加倍" },
    });
    expect(saved.body).toMatchObject({ saved: { code: "daily_quiz", version: 2, effectiveFrom: tomorrow } });
    const noCap = await invoke(adminPoints.action, {
      path: "/admin/points",
      method: "POST",
      cookie: cookie.rootAdmin,
      form: { code: "first_visit", amount: "1", dailyCap: "", effectiveFrom: tomorrow },
    });
    expect(noCap.body).toMatchObject({ saved: { code: "first_visit", version: 2 } });
    expect((await ruleInForce("first_visit", tomorrow)).dailyCap).toBeNull();
    expect((await ruleInForce("daily_quiz", pointsDay())).amount).toBe(1);
    expect((await ruleInForce("daily_quiz", tomorrow)).amount).toBe(2);
    const page = (await invoke(myPoints.loader, { path: "/me/points", cookie: cookie.a1 })).body as PointsData;
    expect(page.changes.find((c) => c.code === "daily_quiz")).toMatchObject({ amount: 2, dailyCap: 10, effectiveFrom: tomorrow, note: "周末加倍" });
    const admin = (await invoke(adminPoints.loader, { path: "/admin/points", cookie: cookie.rootAdmin })).body as Awaited<ReturnType<typeof adminPoints.loader>>;
    expect(admin.rules.find((r) => r.code === "daily_quiz")!.versions.map((v) => v.version)).toEqual([2, 1]);
  });
});

describe("leaderboards", () => {
  const board = async (who: Who, query: string) => (await invoke(rankings.loader, { path: `/rankings?${query}`, cookie: cookie[who] })).body as RankData;

  it("my branch this week: names shown, only my branch", async () => {
    const data = await board("a1", "scope=branch&period=week");
    expect(data.members!.rows.map((r) => [r.rank, r.name, r.points])).toEqual([
      [1, "甲一", 10],
      [2, "甲二", 4],
    ]);
    expect(data.members!.mine).toMatchObject({ rank: 1, points: 10, me: true });
    // A hidden member is named within their own branch.
    const b = await board("b2", "scope=branch&period=week");
    expect(b.members!.rows.map((r) => r.name)).toEqual(["乙一"]);
    expect(b.members!.mine).toBeNull();
  });

  it("the committee: hidden members are anonymous to everyone but themselves; other committees are out", async () => {
    const data = await board("a1", "scope=committee&period=week");
    expect(data.members!.rows.map((r) => [r.rank, r.name, r.anonymous, r.points])).toEqual([
      [1, null, true, 12],
      [2, "甲一", false, 10],
      [3, "甲二", false, 4],
    ]);
    expect(data.members!.rows[0].unitName).toBeNull();
    expect(JSON.stringify(data)).not.toContain("乙一");
    const self = await board("b1", "scope=committee&period=week");
    expect(self.members!.rows[0]).toMatchObject({ name: "乙一", me: true, anonymous: false });
  });

  it("periods: this week, this month, this year", async () => {
    const month = await board("a2", "scope=branch&period=month");
    const week = await board("a2", "scope=branch&period=week");
    expect(week.members!.mine!.points).toBe(4);
    // 8 days ago is last week; it may or may not be this month.
    expect([4, 24]).toContain(month.members!.mine!.points);
    // 400 days ago is always an earlier year.
    const year = await board("a1", "scope=branch&period=year");
    expect(year.members!.mine!.points).toBe(10);
    const b2month = await board("b2", "scope=branch&period=month");
    expect(b2month.members!.mine).toBeNull();
  });

  it("units by average points per member", async () => {
    const data = await board("b2", "scope=units&period=week");
    // 甲支部: 甲一 10 + 甲二 4 + 书记 0 + 管理员 0 = 14 / 4; 乙支部: 12 + 0 + 0 (乙管理) = 12 / 3.
    expect(data.units!.rows.map((r) => [r.rank, r.name, r.members, r.points, r.average, r.mine])).toEqual([
      [1, "乙支部", 3, 12, 4, true],
      [2, "甲支部", 4, 14, 3.5, false],
    ]);
  });
});
