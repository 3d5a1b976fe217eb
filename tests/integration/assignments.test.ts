// Assignments through the routes: an organiser assigns courses within their subtree; members below
// see them with what is left; validation; other organisers and members get nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { myAssignments } from "~/assignments/assignments.server";
import { completeLesson } from "~/courses/progress.server";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";
import "~/stats/listeners.server";
import { addDays, chinaDay } from "~/stats/metrics";
import * as listRoute from "~/routes/admin.assignments._index";
import * as newRoute from "~/routes/admin.assignments.new";
import * as pageRoute from "~/routes/admin.assignments.$assignmentId";
import * as editRoute from "~/routes/admin.assignments.$assignmentId_.edit";
import * as exportRoute from "~/routes/admin.assignments.$assignmentId_.export[.xlsx]";
import { invoke, sessionCookie } from "../support/routes";

let units: Awaited<ReturnType<typeof makeUnitTree>>;
let organiser: { id: number };
let otherOrganiser: { id: number };
let admin: { id: number };
let members: { id: number; unitId: number; status: string }[];
let outsider: { id: number };
let course: Awaited<ReturnType<typeof makeCourse>>;
let privateCourse: Awaited<ReturnType<typeof makeCourse>>;
const today = chinaDay();

beforeAll(async () => {
  units = await makeUnitTree({
    name: "任务党委",
    kind: "committee",
    children: [
      { name: "一支部", kind: "branch", children: [{ name: "一组", kind: "group" }, { name: "二组", kind: "group" }] },
      { name: "二支部", kind: "branch" },
    ],
  });
  const id = (name: string) => units.get(name)!.id;
  admin = await makeMember({ unitId: id("任务党委"), grants: [{ unitId: id("任务党委"), role: "admin" }] });
  organiser = await makeMember({ unitId: id("一支部"), position: "支部书记", grants: [{ unitId: id("一支部"), role: "organiser" }] });
  otherOrganiser = await makeMember({ unitId: id("二支部"), grants: [{ unitId: id("二支部"), role: "organiser" }] });
  members = [
    await makeMember({ unitId: id("一组"), status: "full" }),
    await makeMember({ unitId: id("一组"), status: "activist" }),
    await makeMember({ unitId: id("二组"), status: "full" }),
  ];
  outsider = await makeMember({ unitId: id("二支部") });
  course = await makeCourse({ title: "党章学习", lessons: [{ kind: "video", durationSeconds: 300 }, { kind: "video", durationSeconds: 300 }] });
  // A course of the other branch: not open to the first branch's members.
  privateCourse = await makeCourse({ title: "二支部内部课", unitId: id("二支部"), lessons: [{ kind: "video", durationSeconds: 60 }] });
});

function form(values: Record<string, string | string[]>) {
  const data = new FormData();
  for (const [k, v] of Object.entries(values)) for (const item of Array.isArray(v) ? v : [v]) data.append(k, item);
  return data;
}

describe("creating an assignment", () => {
  it("an organiser assigns a course to their branch; every member below sees it with what is left", async () => {
    const cookie = await sessionCookie(organiser.id);
    const page = await invoke(newRoute.loader, { path: `/admin/assignments/new?unit=${units.get("一支部")!.id}`, cookie });
    expect(page.status).toBe(200);
    const offered = (page.body as { courses: { id: number }[] }).courses.map((c) => c.id);
    expect(offered).toContain(course.course.id);
    expect(offered).not.toContain(privateCourse.course.id);

    const created = await invoke(newRoute.action, {
      path: "/admin/assignments/new",
      method: "POST",
      cookie,
      form: form({ intent: "save", unitId: String(units.get("一支部")!.id), title: "学党章", startsOn: today, dueOn: addDays(today, 10), courseIds: [String(course.course.id)], statuses: ["full"] }),
    });
    expect(created.status).toBe(302);
    const assignmentId = Number(created.location!.split("/").pop());

    const mine = await myAssignments({ id: members[0].id, unitCode: units.get("一组")!.code, status: "full" });
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: assignmentId, title: "学党章", daysLeft: 10, completed: false, lessonsDone: 0, lessonsTotal: 2 });
    // Only full members were chosen.
    expect(await myAssignments({ id: members[1].id, unitCode: units.get("一组")!.code, status: "activist" })).toHaveLength(0);
    expect(await myAssignments({ id: outsider.id, unitCode: units.get("二支部")!.code, status: "full" })).toHaveLength(0);

    await completeLesson(members[0].id, course.lessons[0].id);
    const after = await myAssignments({ id: members[0].id, unitCode: units.get("一组")!.code, status: "full" });
    expect(after[0]).toMatchObject({ lessonsDone: 1, completed: false });
    expect(after[0].courses[0].nextLessonId).toBe(course.lessons[1].id);

    const detail = await invoke(pageRoute.loader, { path: `/admin/assignments/${assignmentId}`, cookie, params: { assignmentId: String(assignmentId) } });
    expect(detail.status).toBe(200);
    const body = detail.body as { figures: { assigned: number; inProgress: number; notStarted: number }; members: { userId: number; state: string }[]; total: number };
    // The organiser (支部书记, full) and two full members below the branch.
    expect(body.figures).toMatchObject({ assigned: 3, inProgress: 1, notStarted: 2 });
    expect(body.total).toBe(3);
    expect(body.members.find((m) => m.userId === members[0].id)?.state).toBe("in_progress");

    await completeLesson(members[0].id, course.lessons[1].id);
    const done = await myAssignments({ id: members[0].id, unitCode: units.get("一组")!.code, status: "full" });
    expect(done[0]).toMatchObject({ completed: true, lessonsDone: 2 });
    const unfinished = await invoke(pageRoute.loader, { path: `/admin/assignments/${assignmentId}?status=unfinished`, cookie, params: { assignmentId: String(assignmentId) } });
    expect((unfinished.body as { members: { userId: number }[] }).members.map((m) => m.userId)).not.toContain(members[0].id);
  });

  it("refuses bad input with messages, and units and courses outside the organiser's reach", async () => {
    const cookie = await sessionCookie(organiser.id);
    const base = { intent: "save", unitId: String(units.get("一支部")!.id), title: "任务", startsOn: today, dueOn: today, courseIds: [String(course.course.id)] };
    const dueBefore = await invoke(newRoute.action, { path: "/admin/assignments/new", method: "POST", cookie, form: form({ ...base, dueOn: addDays(today, -1) }) });
    expect(JSON.stringify(dueBefore.body)).toContain("assign.v.dueBeforeStart");
    const noCourse = await invoke(newRoute.action, { path: "/admin/assignments/new", method: "POST", cookie, form: form({ ...base, courseIds: [] }) });
    expect(JSON.stringify(noCourse.body)).toContain("assign.v.courses");
    const hidden = await invoke(newRoute.action, { path: "/admin/assignments/new", method: "POST", cookie, form: form({ ...base, courseIds: [String(privateCourse.course.id)] }) });
    expect(JSON.stringify(hidden.body)).toContain("assign.v.courseNotVisible");
    const otherUnit = await invoke(newRoute.action, { path: "/admin/assignments/new", method: "POST", cookie, form: form({ ...base, unitId: String(units.get("二支部")!.id) }) });
    expect(otherUnit.status).toBe(404);
    const noTitle = await invoke(newRoute.action, { path: "/admin/assignments/new", method: "POST", cookie, form: form({ ...base, title: " " }) });
    expect(JSON.stringify(noTitle.body)).toContain("assign.v.title");
  });
});

describe("access", () => {
  it("another branch's organiser gets 404 for the assignment, its edit page and its export; a member 403", async () => {
    const cookie = await sessionCookie(organiser.id);
    const created = await invoke(newRoute.action, {
      path: "/admin/assignments/new",
      method: "POST",
      cookie,
      form: form({ intent: "save", unitId: String(units.get("一支部")!.id), title: "保密任务", startsOn: today, dueOn: addDays(today, 5), courseIds: [String(course.course.id)] }),
    });
    const id = created.location!.split("/").pop()!;
    const other = await sessionCookie(otherOrganiser.id);
    for (const [route, path] of [
      [pageRoute.loader, `/admin/assignments/${id}`],
      [editRoute.loader, `/admin/assignments/${id}/edit`],
      [exportRoute.loader, `/admin/assignments/${id}/export.xlsx`],
    ] as const) {
      expect((await invoke(route, { path, cookie: other, params: { assignmentId: id } })).status).toBe(404);
    }
    expect((await invoke(pageRoute.action, { path: `/admin/assignments/${id}`, method: "POST", cookie: other, params: { assignmentId: id }, form: { intent: "delete" } })).status).toBe(404);
    const list = await invoke(listRoute.loader, { path: "/admin/assignments", cookie: other });
    expect((list.body as { assignments: { title: string }[] }).assignments.map((a) => a.title)).not.toContain("保密任务");
    const member = await sessionCookie(members[2].id);
    expect((await invoke(pageRoute.loader, { path: `/admin/assignments/${id}`, cookie: member, params: { assignmentId: id } })).status).toBe(403);
    expect((await invoke(listRoute.loader, { path: "/admin/assignments", cookie: member })).status).toBe(403);
  });

  it("a committee assignment is visible to a branch organiser (their part), but not editable", async () => {
    const adminCookie = await sessionCookie(admin.id);
    const created = await invoke(newRoute.action, {
      path: "/admin/assignments/new",
      method: "POST",
      cookie: adminCookie,
      form: form({ intent: "save", unitId: String(units.get("任务党委")!.id), title: "全委任务", startsOn: today, dueOn: addDays(today, 5), courseIds: [String(course.course.id)] }),
    });
    const id = created.location!.split("/").pop()!;
    const cookie = await sessionCookie(organiser.id);
    const page = await invoke(pageRoute.loader, { path: `/admin/assignments/${id}`, cookie, params: { assignmentId: id } });
    expect(page.status).toBe(200);
    const body = page.body as { editable: boolean; unit: { id: number }; members: { userId: number }[] };
    expect(body.editable).toBe(false);
    expect(body.unit.id).toBe(units.get("一支部")!.id);
    expect(body.members.map((m) => m.userId)).not.toContain(outsider.id);
    expect((await invoke(editRoute.loader, { path: `/admin/assignments/${id}/edit`, cookie, params: { assignmentId: id } })).status).toBe(404);
    expect((await invoke(pageRoute.action, { path: `/admin/assignments/${id}`, method: "POST", cookie, params: { assignmentId: id }, form: { intent: "delete" } })).status).toBe(404);
    // Asking for the other branch's list: 404, not their names.
    const peek = await invoke(pageRoute.loader, { path: `/admin/assignments/${id}?unit=${units.get("二支部")!.id}`, cookie, params: { assignmentId: id } });
    expect(peek.status).toBe(404);
  });

  it("the organiser edits and deletes their assignment", async () => {
    const cookie = await sessionCookie(organiser.id);
    const created = await invoke(newRoute.action, {
      path: "/admin/assignments/new",
      method: "POST",
      cookie,
      form: form({ intent: "save", unitId: String(units.get("一支部")!.id), title: "将改的任务", startsOn: today, dueOn: addDays(today, 5), courseIds: [String(course.course.id)] }),
    });
    const id = created.location!.split("/").pop()!;
    const edited = await invoke(editRoute.action, {
      path: `/admin/assignments/${id}/edit`,
      method: "POST",
      cookie,
      params: { assignmentId: id },
      form: form({ intent: "save", unitId: String(units.get("二组")!.id), title: "改过的任务", startsOn: today, dueOn: addDays(today, 7), courseIds: [String(course.course.id)] }),
    });
    expect(edited.status).toBe(302);
    const page = await invoke(pageRoute.loader, { path: `/admin/assignments/${id}?status=all`, cookie, params: { assignmentId: id } });
    const body = page.body as { assignment: { title: string; dueOn: string }; figures: { assigned: number } };
    expect(body.assignment).toMatchObject({ title: "改过的任务", dueOn: addDays(today, 7) });
    expect(body.figures.assigned).toBe(1);
    const deleted = await invoke(pageRoute.action, { path: `/admin/assignments/${id}`, method: "POST", cookie, params: { assignmentId: id }, form: { intent: "delete" } });
    expect(deleted.status).toBe(302);
    expect((await invoke(pageRoute.loader, { path: `/admin/assignments/${id}`, cookie, params: { assignmentId: id } })).status).toBe(404);
  });
});
