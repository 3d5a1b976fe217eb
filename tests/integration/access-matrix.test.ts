// Who may read and write what, route by route: a member, an organiser of another branch,
// an organiser of this branch and a committee admin, against one branch's unit and member.
import { asc } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { battlePlayers, battles, roleGrants, units, users } from "~/db/schema";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";

import * as home from "~/routes/_index";
import * as admin from "~/routes/admin";
import * as adminIndex from "~/routes/admin._index";
import * as unitTree from "~/routes/admin.units._index";
import * as unitPage from "~/routes/admin.units.$unitId";
import * as memberList from "~/routes/admin.members._index";
import * as memberNew from "~/routes/admin.members.new";
import * as memberPage from "~/routes/admin.members.$userId";
import * as importPage from "~/routes/admin.import";
import * as template from "~/routes/admin.import.template[.xlsx]";
import * as exportXlsx from "~/routes/admin.export[.xlsx]";
import * as password from "~/routes/password";
import * as catalogue from "~/routes/courses._index";
import * as coursePage from "~/routes/courses.$courseId";
import * as record from "~/routes/me.record";
import * as videos from "~/routes/admin.videos._index";
import * as banks from "~/routes/admin.banks._index";
import * as daily from "~/routes/quiz.daily";
import * as mistakes from "~/routes/quiz.mistakes";
import * as myPoints from "~/routes/me.points";
import * as rankings from "~/routes/rankings";
import * as reflectionsPage from "~/routes/reflections._index";
import * as reviewQueue from "~/routes/admin.reflections._index";
import * as pointRules from "~/routes/admin.points";
import * as battleLobby from "~/routes/battle._index";
import * as battlePage from "~/routes/battle.$battleId";
import * as battleEvents from "~/routes/battle.$battleId_.events";
import * as contestList from "~/routes/admin.contests._index";
import * as contestNew from "~/routes/admin.contests.new";
import * as contestAdmin from "~/routes/admin.contests.$contestId";
import * as contestEdit from "~/routes/admin.contests.$contestId_.edit";
import * as contestResults from "~/routes/admin.contests.$contestId_.results[.xlsx]";
import * as contestPage from "~/routes/contests.$contestId";
import * as contestBoard from "~/routes/contests.$contestId_.leaderboard";
import { createContest, publishContest } from "~/contests/contests.server";
import { chinaLocal } from "~/contests/forms";
import { createBank, createQuestion } from "~/quiz/banks.server";
import { invoke, sessionCookie, type Outcome } from "../support/routes";

type Persona = "member" | "otherOrganiser" | "thisOrganiser" | "admin";
const PERSONAS: Persona[] = ["member", "otherOrganiser", "thisOrganiser", "admin"];
type Expect = "ok" | 403 | 404;

const cookies = {} as Record<Persona, string>;
const ids = {} as {
  thisBranch: number;
  thisGroup: number;
  otherBranch: number;
  target: number;
  targetGrant: number;
  member: number;
  branchCourse: number;
  battle: number;
  contest: number;
  draft: number;
};

beforeAll(async () => {
  const tree = await makeUnitTree({
    name: "矩阵党委",
    kind: "committee",
    children: [
      { name: "总支", kind: "general_branch", children: [{ name: "本支部", kind: "branch", children: [{ name: "本小组", kind: "group" }] }] },
      { name: "他支部", kind: "branch" },
    ],
  });
  ids.thisBranch = tree.get("本支部")!.id;
  ids.thisGroup = tree.get("本小组")!.id;
  ids.otherBranch = tree.get("他支部")!.id;
  const member = await makeMember({ unitId: ids.thisGroup, name: "普通党员" });
  const otherOrganiser = await makeMember({ unitId: ids.otherBranch, grants: [{ unitId: ids.otherBranch, role: "organiser" }] });
  const thisOrganiser = await makeMember({ unitId: ids.thisBranch, grants: [{ unitId: ids.thisBranch, role: "organiser" }] });
  const committeeAdmin = await makeMember({ unitId: ids.otherBranch, grants: [{ unitId: tree.get("矩阵党委")!.id, role: "admin" }] });
  const target = await makeMember({ unitId: ids.thisGroup, name: "目标党员", employeeNo: "TARGET1", phone: "13700000001" });
  const [grant] = await db.insert(roleGrants).values({ userId: target.id, unitId: ids.thisGroup, role: "organiser" }).returning();
  // A course published for this branch only.
  const { course } = await makeCourse({ unitId: ids.thisBranch, lessons: [{ kind: "video" }] });
  // A battle between two members of this branch: its players alone may see it, organisers included.
  const [battle] = await db.insert(battles).values({ size: 2, status: "running", currentServedAt: new Date() }).returning();
  await db.insert(battlePlayers).values([
    { battleId: battle.id, userId: target.id, ratingBefore: 1200 },
    { battleId: battle.id, userId: (await makeMember({ unitId: ids.thisGroup })).id, ratingBefore: 1200 },
  ]);
  Object.assign(ids, { target: target.id, targetGrant: grant.id, member: member.id, branchCourse: course.id, battle: battle.id });
  // A published contest and a draft of this branch, drawing from the committee's bank.
  const bank = await createBank({ unitId: tree.get("矩阵党委")!.id, name: "矩阵题库" });
  await createQuestion(bank.id, { type: "true_false", stem: "判断", options: [], correct: [], value: true, explanation: "", difficulty: 3, tags: [], source: "" });
  const contestFields = {
    unitId: ids.thisBranch,
    title: "矩阵竞赛",
    opensAt: chinaLocal(new Date(Date.now() - 3_600_000)),
    closesAt: chinaLocal(new Date(Date.now() + 3_600_000)),
    secondsPerQuestion: 20,
    pointsPerCorrect: 100,
    bankIds: [bank.id],
    countSingle: 0,
    countMultiple: 0,
    countTrueFalse: 1,
    countFillBlank: 0,
  };
  const thisOrganiserViewer = { grants: [{ unitId: ids.thisBranch, unitCode: tree.get("本支部")!.code, unitName: "本支部", role: "organiser" as const }] };
  const published = await createContest(thisOrganiserViewer as never, contestFields);
  await publishContest(published.id);
  const draft = await createContest(thisOrganiserViewer as never, { ...contestFields, title: "矩阵草稿" });
  Object.assign(ids, { contest: published.id, draft: draft.id });
  cookies.member = await sessionCookie(member.id);
  cookies.otherOrganiser = await sessionCookie(otherOrganiser.id);
  cookies.thisOrganiser = await sessionCookie(thisOrganiser.id);
  cookies.admin = await sessionCookie(committeeAdmin.id);
});

async function snapshot() {
  const [u, m, g] = await Promise.all([
    db.select().from(units).orderBy(asc(units.id)),
    db.select().from(users).orderBy(asc(users.id)),
    db.select().from(roleGrants).orderBy(asc(roleGrants.id)),
  ]);
  return JSON.stringify([u, m, g]);
}

function verdict(out: Outcome): Expect | `other ${number}` {
  if (out.status === 403 || out.status === 404) return out.status;
  if (out.status === 200) return "ok";
  // A redirect after a successful write, but never to the login or password page.
  if (out.status === 302 && out.location && !out.location.startsWith("/login") && out.location !== "/password") return "ok";
  return `other ${out.status}`;
}

type Case = {
  name: string;
  kind: "read" | "write";
  run: (persona: Persona, cookie: string) => Promise<Outcome>;
  expect: Record<Persona, Expect>;
};

const member = { member: "ok", otherOrganiser: "ok", thisOrganiser: "ok", admin: "ok" } as const;
const thisSubtree = { member: 403, otherOrganiser: 404, thisOrganiser: "ok", admin: "ok" } as const;
// Granting needs the admin role, after the member itself is in the organiser's scope.
const adminOfThis = { member: 403, otherOrganiser: 404, thisOrganiser: 403, admin: "ok" } as const;
const anyOrganiser = { member: 403, otherOrganiser: "ok", thisOrganiser: "ok", admin: "ok" } as const;
// Holding no admin role at all is refused before any unit is looked at.
const adminOnly = { member: 403, otherOrganiser: 403, thisOrganiser: 403, admin: "ok" } as const;

const cases: Case[] = [
  { name: "GET /", kind: "read", expect: member, run: (_, cookie) => invoke(home.loader, { path: "/", cookie }) },
  { name: "GET /password", kind: "read", expect: member, run: (_, cookie) => invoke(password.loader, { path: "/password", cookie }) },
  { name: "GET /courses", kind: "read", expect: member, run: (_, cookie) => invoke(catalogue.loader, { path: "/courses", cookie }) },
  { name: "GET /me/record", kind: "read", expect: member, run: (_, cookie) => invoke(record.loader, { path: "/me/record", cookie }) },
  {
    name: "GET /courses/:branchCourse (a course of this branch)",
    kind: "read",
    // Courses are scoped by the member's own unit: the organiser of another branch is not in it.
    expect: { member: "ok", otherOrganiser: 404, thisOrganiser: "ok", admin: 404 },
    run: (_, cookie) => invoke(coursePage.loader, { path: `/courses/${ids.branchCourse}`, cookie, params: { courseId: String(ids.branchCourse) } }),
  },
  { name: "GET /quiz/daily", kind: "read", expect: member, run: (_, cookie) => invoke(daily.loader, { path: "/quiz/daily", cookie }) },
  { name: "GET /quiz/mistakes", kind: "read", expect: member, run: (_, cookie) => invoke(mistakes.loader, { path: "/quiz/mistakes", cookie }) },
  { name: "GET /me/points", kind: "read", expect: member, run: (_, cookie) => invoke(myPoints.loader, { path: "/me/points", cookie }) },
  { name: "GET /rankings", kind: "read", expect: member, run: (_, cookie) => invoke(rankings.loader, { path: "/rankings", cookie }) },
  { name: "GET /reflections", kind: "read", expect: member, run: (_, cookie) => invoke(reflectionsPage.loader, { path: "/reflections", cookie }) },
  { name: "GET /battle", kind: "read", expect: member, run: (_, cookie) => invoke(battleLobby.loader, { path: "/battle", cookie }) },
  {
    name: "POST /battle cancel",
    kind: "write",
    expect: member,
    run: (_, cookie) => invoke(battleLobby.action, { path: "/battle", method: "POST", cookie, form: { intent: "cancel" } }),
  },
  ...(
    [
      ["GET /battle/:other (a battle of others)", battlePage.loader, "", undefined],
      ["GET /battle/:other/events", battleEvents.loader, "/events", undefined],
      ["POST /battle/:other answer", battlePage.action, "", { intent: "answer", index: "0", choice: "a" }],
      ["POST /battle/:other leave", battlePage.action, "", { intent: "leave" }],
    ] as const
  ).map(
    ([name, handler, suffix, form]): Case => ({
      name,
      kind: form ? "write" : "read",
      expect: { member: 404, otherOrganiser: 404, thisOrganiser: 404, admin: 404 },
      run: (_, cookie) =>
        invoke(handler, {
          path: `/battle/${ids.battle}${suffix}`,
          cookie,
          params: { battleId: String(ids.battle) },
          ...(form ? { method: "POST", form } : {}),
        }),
    }),
  ),
  { name: "GET /admin/reflections", kind: "read", expect: anyOrganiser, run: (_, cookie) => invoke(reviewQueue.loader, { path: "/admin/reflections", cookie }) },
  // Point rules are the committee's: an admin grant at a top-level unit.
  { name: "GET /admin/points", kind: "read", expect: adminOnly, run: (_, cookie) => invoke(pointRules.loader, { path: "/admin/points", cookie }) },
  { name: "GET /admin/banks", kind: "read", expect: anyOrganiser, run: (_, cookie) => invoke(banks.loader, { path: "/admin/banks", cookie }) },
  { name: "GET /admin/contests", kind: "read", expect: anyOrganiser, run: (_, cookie) => invoke(contestList.loader, { path: "/admin/contests", cookie }) },
  { name: "GET /admin/contests/new", kind: "read", expect: anyOrganiser, run: (_, cookie) => invoke(contestNew.loader, { path: "/admin/contests/new", cookie }) },
  {
    name: "GET /admin/contests/:contest",
    kind: "read",
    expect: thisSubtree,
    run: (_, cookie) => invoke(contestAdmin.loader, { path: `/admin/contests/${ids.contest}`, cookie, params: { contestId: String(ids.contest) } }),
  },
  {
    name: "GET /admin/contests/:draft/edit",
    kind: "read",
    expect: thisSubtree,
    run: (_, cookie) => invoke(contestEdit.loader, { path: `/admin/contests/${ids.draft}/edit`, cookie, params: { contestId: String(ids.draft) } }),
  },
  {
    name: "GET /admin/contests/:contest/results.xlsx",
    kind: "read",
    expect: thisSubtree,
    run: (_, cookie) => invoke(contestResults.loader, { path: `/admin/contests/${ids.contest}/results.xlsx`, cookie, params: { contestId: String(ids.contest) } }),
  },
  {
    name: "GET /contests/:contest (a contest of this branch)",
    kind: "read",
    // Members of the branch's subtree and its organisers; the committee admin covers it too.
    expect: { member: "ok", otherOrganiser: 404, thisOrganiser: "ok", admin: "ok" },
    run: (_, cookie) => invoke(contestPage.loader, { path: `/contests/${ids.contest}`, cookie, params: { contestId: String(ids.contest) } }),
  },
  {
    name: "GET /contests/:contest/leaderboard",
    kind: "read",
    expect: { member: "ok", otherOrganiser: 404, thisOrganiser: "ok", admin: "ok" },
    run: (_, cookie) => invoke(contestBoard.loader, { path: `/contests/${ids.contest}/leaderboard`, cookie, params: { contestId: String(ids.contest) } }),
  },
  { name: "GET /admin/videos", kind: "read", expect: adminOnly, run: (_, cookie) => invoke(videos.loader, { path: "/admin/videos", cookie }) },
  { name: "GET /admin (layout)", kind: "read", expect: anyOrganiser, run: (_, cookie) => invoke(admin.loader, { path: "/admin", cookie }) },
  {
    name: "GET /admin/units",
    kind: "read",
    expect: anyOrganiser,
    run: (_, cookie) => invoke(unitTree.loader, { path: "/admin/units", cookie }),
  },
  { name: "GET /admin/units/:branch", kind: "read", expect: thisSubtree, run: (_, cookie) => invoke(unitPage.loader, { path: `/admin/units/${ids.thisBranch}`, cookie, params: { unitId: String(ids.thisBranch) } }) },
  {
    name: "POST /admin/units/:branch rename",
    kind: "write",
    expect: adminOnly,
    run: (_, cookie) =>
      invoke(unitPage.action, { path: `/admin/units/${ids.thisBranch}`, method: "POST", cookie, params: { unitId: String(ids.thisBranch) }, form: { intent: "rename", name: "本支部" } }),
  },
  {
    name: "POST /admin/units/:branch create child",
    kind: "write",
    expect: adminOnly,
    run: (persona, cookie) =>
      invoke(unitPage.action, { path: `/admin/units/${ids.thisBranch}`, method: "POST", cookie, params: { unitId: String(ids.thisBranch) }, form: { intent: "create", name: `新小组-${persona}`, kind: "group" } }),
  },
  { name: "GET /admin/members?unit=branch", kind: "read", expect: thisSubtree, run: (_, cookie) => invoke(memberList.loader, { path: `/admin/members?unit=${ids.thisBranch}`, cookie }) },
  { name: "GET /admin/members/new", kind: "read", expect: anyOrganiser, run: (_, cookie) => invoke(memberNew.loader, { path: "/admin/members/new", cookie }) },
  {
    name: "POST /admin/members/new into this branch",
    kind: "write",
    expect: thisSubtree,
    run: (persona, cookie) =>
      invoke(memberNew.action, {
        path: "/admin/members/new",
        method: "POST",
        cookie,
        form: { name: "新党员", employeeNo: `NEW-${persona}`, unitId: String(ids.thisGroup), status: "full", password: "Start1234" },
      }),
  },
  { name: "GET /admin/members/:target", kind: "read", expect: thisSubtree, run: (_, cookie) => invoke(memberPage.loader, { path: `/admin/members/${ids.target}`, cookie, params: { userId: String(ids.target) } }) },
  ...(
    [
      ["update", thisSubtree, { intent: "update", name: "目标党员", employeeNo: "TARGET1", phone: "13700000001", unitId: "", status: "full", position: "" }],
      ["enable", thisSubtree, { intent: "enable" }],
      ["resetPassword", thisSubtree, { intent: "resetPassword", temporaryPassword: "Reset12345" }],
      ["grant", adminOfThis, { intent: "grant", unitId: "", role: "organiser" }],
      ["revoke", adminOfThis, { intent: "revoke", grantId: "" }],
    ] as const
  ).map(
    ([intent, expect, form]): Case => ({
      name: `POST /admin/members/:target ${intent}`,
      kind: "write",
      expect,
      run: (_, cookie) =>
        invoke(memberPage.action, {
          path: `/admin/members/${ids.target}`,
          method: "POST",
          cookie,
          params: { userId: String(ids.target) },
          form: {
            ...form,
            ...("unitId" in form ? { unitId: String(ids.thisGroup) } : {}),
            ...("grantId" in form ? { grantId: String(ids.targetGrant) } : {}),
          },
        }),
    }),
  ),
  { name: "GET /admin/import", kind: "read", expect: adminOnly, run: (_, cookie) => invoke(importPage.loader, { path: "/admin/import", cookie }) },
  {
    name: "POST /admin/import",
    kind: "write",
    expect: adminOnly,
    run: (_, cookie) => {
      const form = new FormData();
      form.set("initialPassword", "Start1234");
      form.set("file", new File(["姓名,工号,手机号,所在组织编码,人员类别,入党日期,职务\n"], "empty.csv", { type: "text/csv" }));
      return invoke(importPage.action, { path: "/admin/import", method: "POST", cookie, form });
    },
  },
  { name: "GET /admin/import/template.xlsx", kind: "read", expect: adminOnly, run: (_, cookie) => invoke(template.loader, { path: "/admin/import/template.xlsx", cookie }) },
  { name: "GET /admin/export.xlsx?unit=branch", kind: "read", expect: adminOnly, run: (_, cookie) => invoke(exportXlsx.loader, { path: `/admin/export.xlsx?unit=${ids.thisBranch}`, cookie }) },
];

describe("access matrix", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const got: Record<string, unknown> = {};
      for (const persona of PERSONAS) {
        const before = c.kind === "write" ? await snapshot() : "";
        const out = await c.run(persona, cookies[persona]);
        got[persona] = verdict(out);
        if (c.kind === "write" && got[persona] !== "ok") {
          expect(await snapshot(), `${persona} was refused but something changed`).toBe(before);
        }
      }
      expect(got).toEqual(c.expect);
    });
  }

  it("never lets a visitor without a session past the login page", async () => {
    for (const c of cases) {
      const out = await c.run("member", "");
      expect(out.status, c.name).toBe(302);
      expect(out.location, c.name).toMatch(/^\/login/);
    }
  });

  it("shows an organiser only their own subtree in lists", async () => {
    const tree = await invoke(unitTree.loader, { path: "/admin/units", cookie: cookies.otherOrganiser });
    const names = (tree.body as { tree: { name: string }[] }).tree.map((u) => u.name);
    expect(names).toEqual(["他支部"]);
    const list = await invoke(memberList.loader, { path: "/admin/members", cookie: cookies.otherOrganiser });
    const members = (list.body as { rows: { name: string; unitName: string }[] }).rows;
    expect(members.length).toBeGreaterThan(0);
    expect(members.every((m) => m.unitName === "他支部")).toBe(true);
  });

  it("does not let an organiser move a member out of their subtree", async () => {
    const before = await snapshot();
    const out = await invoke(memberPage.action, {
      path: `/admin/members/${ids.target}`,
      method: "POST",
      cookie: cookies.thisOrganiser,
      params: { userId: String(ids.target) },
      form: { intent: "update", name: "目标党员", employeeNo: "TARGET1", unitId: String(ids.otherBranch), status: "full" },
    });
    expect(out.status).toBe(404);
    expect(await snapshot()).toBe(before);
  });

  it("does not let an admin be created a member in a unit id that does not exist", async () => {
    const out = await invoke(memberNew.action, {
      path: "/admin/members/new",
      method: "POST",
      cookie: cookies.admin,
      form: { name: "x", employeeNo: "GHOST", unitId: "999999", status: "full", password: "Start1234" },
    });
    expect(out.status).toBe(404);
  });

  it("answers 404 to malformed ids instead of failing", async () => {
    for (const id of ["abc", "-1", "0", "1e3", "99999999999"]) {
      const out = await invoke(unitPage.loader, { path: `/admin/units/${id}`, cookie: cookies.admin, params: { unitId: id } });
      expect(out.status, id).toBe(404);
    }
  });

  it("redirects the bare /admin to the unit tree", async () => {
    const out = await invoke(adminIndex.loader as never, { path: "/admin", cookie: cookies.admin });
    expect(out.location).toBe("/admin/units");
  });
});
