// The unit dashboard, its drill-down and its XLSX exports: figures at each level, sorting, and
// scoping (another branch's organiser gets 404; an export holds nothing from outside the subtree).
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { createAssignment } from "~/assignments/assignments.server";
import { completeLesson, reportProgress } from "~/courses/progress.server";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";
import "~/stats/listeners.server";
import { addDays, chinaDay } from "~/stats/metrics";
import * as dashboardRoute from "~/routes/admin.stats._index";
import * as membersRoute from "~/routes/admin.stats.members";
import * as exportRoute from "~/routes/admin.stats.export[.xlsx]";
import * as assignmentExportRoute from "~/routes/admin.assignments.$assignmentId_.export[.xlsx]";
import { invoke, ORIGIN, sessionCookie } from "../support/routes";

let tree: Awaited<ReturnType<typeof makeUnitTree>>;
const id = (name: string) => tree.get(name)!.id;
let admin: { id: number };
let organiserB1: { id: number };
let organiserB3: { id: number };
const membersByUnit = new Map<string, { id: number; employeeNo: string }[]>();
let assignmentId: number;
let course: Awaited<ReturnType<typeof makeCourse>>;
const today = chinaDay();

beforeAll(async () => {
  tree = await makeUnitTree({
    name: "仪表党委",
    kind: "committee",
    children: [
      {
        name: "第一党总支",
        kind: "general_branch",
        children: [
          { name: "甲支部", kind: "branch", children: [{ name: "甲一组", kind: "group" }, { name: "甲二组", kind: "group" }] },
          { name: "乙支部", kind: "branch" },
        ],
      },
      { name: "第二党总支", kind: "general_branch", children: [{ name: "丙支部", kind: "branch" }] },
    ],
  });
  admin = await makeMember({ unitId: id("仪表党委"), employeeNo: "DA001", grants: [{ unitId: id("仪表党委"), role: "admin" }] });
  organiserB1 = await makeMember({ unitId: id("甲支部"), employeeNo: "DO001", grants: [{ unitId: id("甲支部"), role: "organiser" }] });
  organiserB3 = await makeMember({ unitId: id("丙支部"), employeeNo: "DO003", grants: [{ unitId: id("丙支部"), role: "organiser" }] });
  membersByUnit.set("仪表党委", [{ id: admin.id, employeeNo: "DA001" }]);
  membersByUnit.set("甲支部", [{ id: organiserB1.id, employeeNo: "DO001" }]);
  membersByUnit.set("丙支部", [{ id: organiserB3.id, employeeNo: "DO003" }]);
  let n = 0;
  for (const [unit, count] of [["甲一组", 4], ["甲二组", 3], ["乙支部", 5], ["丙支部", 4]] as const) {
    for (let i = 0; i < count; i++) {
      const employeeNo = `DM${String(++n).padStart(3, "0")}`;
      const m = await makeMember({ unitId: id(unit), employeeNo });
      membersByUnit.set(unit, [...(membersByUnit.get(unit) ?? []), { id: m.id, employeeNo }]);
    }
  }
  course = await makeCourse({ title: "统计课", lessons: [{ kind: "video", durationSeconds: 1200 }, { kind: "video", durationSeconds: 1200 }] });
  const a = await createAssignment(
    { unitId: id("仪表党委"), title: "全委学习", note: "", startsOn: addDays(today, -10), dueOn: addDays(today, 10), statuses: [], courseIds: [course.course.id] },
    admin.id,
  );
  assignmentId = a.id;
  // 甲一组: all four complete; 甲二组: one starts; 乙支部: two complete; 丙支部: one complete.
  const complete = async (userId: number) => {
    for (const l of course.lessons) await completeLesson(userId, l.id);
  };
  for (const m of membersByUnit.get("甲一组")!) await complete(m.id);
  const starter = membersByUnit.get("甲二组")![0];
  await reportProgress(starter.id, { lessonId: course.lessons[0].id, seq: 1, ranges: [[0, 5]], position: 5 });
  for (const m of membersByUnit.get("乙支部")!.slice(0, 2)) await complete(m.id);
  await complete(membersByUnit.get("丙支部")![1].id);
});

type Dash = {
  unit: { id: number };
  totals: { assigned: number; completed: number; inProgress: number; notStarted: number; overdue: number; rate: number | null };
  children: { name: string; id: number; assigned: number; completed: number; inProgress: number; rate: number | null; direct: boolean }[];
  assignments: { id: number; assigned: number; completed: number }[];
  credit: { assigned: number; completed: number; inProgress: number; hours: number };
  chart: { kind: string; points?: { day: string; count: number; cumulative: number }[] };
  path: { name: string; link: boolean }[];
  members: number;
};

async function dashboard(cookie: string, query: string) {
  return invoke(dashboardRoute.loader, { path: `/admin/stats?${query}`, cookie });
}

async function download(loader: (args: never) => unknown, path: string, cookie: string, params: Record<string, string> = {}) {
  const request = new Request(`${ORIGIN}${path}`, { headers: { cookie, origin: ORIGIN, host: "localhost:3000" } });
  try {
    return (await (loader as (args: unknown) => Promise<Response>)({ request, params, context: {} })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function readSheet(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("spreadsheetml");
  expect(response.headers.get("content-disposition")).toMatch(/filename\*=UTF-8''/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ExcelJS.Buffer);
  const sheet = workbook.worksheets[0];
  const rows: string[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString() : String(v ?? "")))));
  return { header: rows[0], rows: rows.slice(1) };
}

describe("unit dashboard", () => {
  it("shows the assignment's figures per child unit, the same at every level", async () => {
    const cookie = await sessionCookie(admin.id);
    const top = await dashboard(cookie, `unit=${id("仪表党委")}&metric=assignment:${assignmentId}`);
    expect(top.status).toBe(200);
    const d = top.body as Dash;
    // Everyone below the committee is assigned: 16 members, the admin and two organisers.
    expect(d.totals).toMatchObject({ assigned: 19, completed: 7, inProgress: 1, notStarted: 11, overdue: 0 });
    const gb1 = d.children.find((c) => c.name === "第一党总支")!;
    expect(gb1).toMatchObject({ assigned: 13, completed: 6, inProgress: 1 });
    expect(d.children.find((c) => c.name === "第二党总支")).toMatchObject({ assigned: 5, completed: 1 });
    // The committee's own member (the admin) is a row of its own.
    expect(d.children.find((c) => c.direct)).toMatchObject({ assigned: 1, completed: 0 });
    // Completions per day, cumulative: today 7.
    expect(d.chart.kind).toBe("daily");
    expect(d.chart.points!.at(-1)).toMatchObject({ day: today, count: 7, cumulative: 7 });

    const down = (await dashboard(cookie, `unit=${gb1.id}&metric=assignment:${assignmentId}`)).body as Dash;
    expect(down.totals).toMatchObject({ assigned: gb1.assigned, completed: gb1.completed, inProgress: gb1.inProgress });
    const branch = down.children.find((c) => c.name === "甲支部")!;
    const deeper = (await dashboard(cookie, `unit=${branch.id}&metric=assignment:${assignmentId}`)).body as Dash;
    expect(deeper.totals).toMatchObject({ assigned: branch.assigned, completed: branch.completed });
    expect(deeper.children.map((c) => [c.name, c.completed, c.rate])).toEqual([
      ["甲一组", 4, 1],
      ["甲二组", 0, 0],
      ["甲支部", 0, 0],
    ]);
  });

  it("sorts child units by any column, both ways", async () => {
    const cookie = await sessionCookie(admin.id);
    const byRate = (await dashboard(cookie, `unit=${id("第一党总支")}&metric=assignment:${assignmentId}&sort=rate&dir=desc`)).body as Dash;
    expect(byRate.children.filter((c) => !c.direct).map((c) => c.name)).toEqual(["甲支部", "乙支部"]);
    const byRateAsc = (await dashboard(cookie, `unit=${id("第一党总支")}&metric=assignment:${assignmentId}&sort=rate&dir=asc`)).body as Dash;
    expect(byRateAsc.children.filter((c) => !c.direct).map((c) => c.name)).toEqual(["乙支部", "甲支部"]);
  });

  it("shows this year's credit hours: members, requirement met, started", async () => {
    const cookie = await sessionCookie(admin.id);
    const d = (await dashboard(cookie, `unit=${id("仪表党委")}&metric=credit:${today.slice(0, 4)}`)).body as Dash;
    // The course is 40 minutes: 1 credit hour; nobody meets 32 hours.
    expect(d.credit).toMatchObject({ assigned: 19, completed: 0, inProgress: 7, hours: 7 });
    expect(d.chart.kind).toBe("monthly");
    expect(d.members).toBe(19);
  });

  it("lists assignments set below the unit by name, and shows one when chosen", async () => {
    const below = await createAssignment(
      { unitId: id("乙支部"), title: "乙支部自学", note: "", startsOn: addDays(today, -1), dueOn: addDays(today, 3), statuses: [], courseIds: [course.course.id] },
      admin.id,
    );
    const cookie = await sessionCookie(admin.id);
    const top = (await dashboard(cookie, `unit=${id("仪表党委")}`)).body as Dash & { below: { id: number }[] };
    expect(top.assignments.map((a) => a.id)).toEqual([assignmentId]);
    expect(top.below.map((a) => a.id)).toEqual([below.id]);
    const chosen = (await dashboard(cookie, `unit=${id("仪表党委")}&metric=assignment:${below.id}`)).body as Dash;
    expect(chosen.totals).toMatchObject({ assigned: 5, completed: 2 });
    expect(chosen.children.find((c) => c.name === "第一党总支")).toMatchObject({ assigned: 5, completed: 2 });
    expect(chosen.children.find((c) => c.name === "第二党总支")).toMatchObject({ assigned: 0 });
  });

  it("drills down to a group's member list", async () => {
    const cookie = await sessionCookie(organiserB1.id);
    const list = await invoke(membersRoute.loader, { path: `/admin/stats/members?unit=${id("甲二组")}&metric=assignment:${assignmentId}&status=all`, cookie });
    expect(list.status).toBe(200);
    const body = list.body as { rows: { employeeNo: string; state: string }[]; total: number };
    expect(body.total).toBe(3);
    expect(body.rows.map((r) => r.state).sort()).toEqual(["in_progress", "not_started", "not_started"]);
  });

  it("an organiser sees their subtree; the units above are not links; another branch's organiser gets 404", async () => {
    const b1 = await sessionCookie(organiserB1.id);
    const own = await dashboard(b1, "");
    expect(own.status).toBe(200);
    expect((own.body as Dash).unit.id).toBe(id("甲支部"));
    expect((own.body as Dash).path.map((p) => [p.name, p.link])).toEqual([
      ["仪表党委", false],
      ["第一党总支", false],
      ["甲支部", true],
    ]);
    const b3 = await sessionCookie(organiserB3.id);
    expect((await dashboard(b3, `unit=${id("甲支部")}`)).status).toBe(404);
    expect((await dashboard(b3, `unit=${id("仪表党委")}`)).status).toBe(404);
    expect((await invoke(membersRoute.loader, { path: `/admin/stats/members?unit=${id("甲一组")}&metric=assignment:${assignmentId}`, cookie: b3 })).status).toBe(404);
    for (const table of ["assignments", "children", "members", "credit-units", "credit-members"]) {
      const res = await download(exportRoute.loader, `/admin/stats/export.xlsx?unit=${id("甲支部")}&table=${table}&metric=assignment:${assignmentId}`, b3);
      expect(res.status).toBe(404);
    }
    const member = await sessionCookie(membersByUnit.get("甲一组")![0].id);
    expect((await dashboard(member, "")).status).toBe(403);
  });
});

describe("exports", () => {
  const employeeNos = (...units: string[]) => units.flatMap((u) => membersByUnit.get(u)!.map((m) => m.employeeNo)).sort();

  it("every dashboard table downloads with the unit path in each row and nothing from outside the subtree", async () => {
    const cookie = await sessionCookie(admin.id);
    const gb1 = id("第一党总支");
    const credit = await readSheet(await download(exportRoute.loader, `/admin/stats/export.xlsx?unit=${gb1}&table=credit-members`, cookie));
    expect(credit.header[0]).toBe("组织路径");
    expect(credit.rows.map((r) => r[2]).sort()).toEqual(employeeNos("甲一组", "甲二组", "乙支部", "甲支部"));
    expect(credit.rows.every((r) => r[0].startsWith("仪表党委 / 第一党总支"))).toBe(true);
    const b3Row = credit.rows.find((r) => r[0].includes("丙支部"));
    expect(b3Row).toBeUndefined();

    const units = await readSheet(await download(exportRoute.loader, `/admin/stats/export.xlsx?unit=${gb1}&table=credit-units`, cookie));
    expect(units.rows.map((r) => r[0])).toEqual([
      "仪表党委 / 第一党总支",
      "仪表党委 / 第一党总支 / 甲支部",
      "仪表党委 / 第一党总支 / 甲支部 / 甲一组",
      "仪表党委 / 第一党总支 / 甲支部 / 甲二组",
      "仪表党委 / 第一党总支 / 乙支部",
    ]);
    // Members and credit hours of 甲一组: 4 members, 4 hours.
    const group = units.rows[2];
    expect(Number(group[2])).toBe(4);
    expect(Number(group[8])).toBe(4);

    const children = await readSheet(await download(exportRoute.loader, `/admin/stats/export.xlsx?unit=${gb1}&table=children&metric=assignment:${assignmentId}`, cookie));
    expect(children.rows.map((r) => [r[0], Number(r[2]), Number(r[3])])).toEqual([
      ["仪表党委 / 第一党总支 / 甲支部", 8, 4],
      ["仪表党委 / 第一党总支 / 乙支部", 5, 2],
    ]);
    const overview = await readSheet(await download(exportRoute.loader, `/admin/stats/export.xlsx?unit=${gb1}&table=assignments`, cookie));
    expect(overview.rows[0].slice(0, 2)).toEqual(["仪表党委 / 第一党总支", "全委学习"]);
    expect(overview.rows.every((r) => r[0] === "仪表党委 / 第一党总支")).toBe(true);

    const members = await readSheet(
      await download(exportRoute.loader, `/admin/stats/export.xlsx?unit=${id("甲支部")}&table=members&metric=assignment:${assignmentId}&status=unfinished`, cookie),
    );
    expect(members.rows.map((r) => r[2]).sort()).toEqual(employeeNos("甲二组", "甲支部"));
  });

  it("the assignment's not-finished list exports the organiser's part only", async () => {
    const cookie = await sessionCookie(organiserB1.id);
    const sheet = await readSheet(
      await download(assignmentExportRoute.loader, `/admin/assignments/${assignmentId}/export.xlsx?status=unfinished`, cookie, { assignmentId: String(assignmentId) }),
    );
    expect(sheet.rows.map((r) => r[2]).sort()).toEqual(employeeNos("甲二组", "甲支部"));
    expect(sheet.rows.every((r) => r[0].startsWith("仪表党委 / 第一党总支 / 甲支部"))).toBe(true);
    const b3 = await sessionCookie(organiserB3.id);
    const theirs = await readSheet(
      await download(assignmentExportRoute.loader, `/admin/assignments/${assignmentId}/export.xlsx?status=all`, b3, { assignmentId: String(assignmentId) }),
    );
    expect(theirs.rows.map((r) => r[2]).sort()).toEqual(employeeNos("丙支部"));
    const peek = await download(assignmentExportRoute.loader, `/admin/assignments/${assignmentId}/export.xlsx?unit=${id("甲支部")}`, b3, { assignmentId: String(assignmentId) });
    expect(peek.status).toBe(404);
  });
});
