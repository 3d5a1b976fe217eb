// Reflections through their routes: write, submit, review (return, resubmit, approve, feature),
// points, near-copy flags, and who may see, edit, review, like and comment.
import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { lessons, pointEntries, reflections } from "~/db/schema";
import { ensureDefaultPointRules } from "~/points/ledger.server";
import { featuredReflections } from "~/reflections/reflections.server";
import * as adminList from "~/routes/admin.reflections._index";
import * as adminPage from "~/routes/admin.reflections.$id";
import * as edit from "~/routes/reflections.$id_.edit";
import * as view from "~/routes/reflections.$id";
import * as list from "~/routes/reflections._index";
import * as create from "~/routes/reflections.new";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";
import { invoke, sessionCookie } from "../support/routes";

const read = (name: string) => fs.readFileSync(path.resolve("tests/fixtures/reflections", name), "utf8");

type Who = "author" | "peer" | "outsider" | "foreign" | "thisOrg" | "otherOrg" | "admin" | "copier" | "otherCopier";
const cookie = {} as Record<Who, string>;
const userId = {} as Record<Who, number>;
let readingId: number;
let videoId: number;
let courseId: number;
let hiddenCourseId: number;

type ViewData = Awaited<ReturnType<typeof view.loader>>;
type ReviewData = Awaited<ReturnType<typeof adminPage.loader>>;
type ListData = Awaited<ReturnType<typeof list.loader>>;

beforeAll(async () => {
  await ensureDefaultPointRules();
  const tree = await makeUnitTree({
    name: "心得党委",
    kind: "committee",
    children: [
      { name: "本支部", kind: "branch", children: [{ name: "甲小组", kind: "group" }] },
      { name: "他支部", kind: "branch" },
    ],
  });
  const foreignTree = await makeUnitTree({ name: "外党委", kind: "committee", children: [{ name: "外支部", kind: "branch" }] });
  const unit = (name: string) => (tree.get(name) ?? foreignTree.get(name))!.id;
  const people: [Who, string, { unitId: number; role: "organiser" | "admin" }[]][] = [
    ["author", "甲小组", []],
    ["peer", "本支部", []],
    ["copier", "甲小组", []],
    ["outsider", "他支部", []],
    ["otherCopier", "他支部", []],
    ["foreign", "外支部", []],
    ["thisOrg", "本支部", [{ unitId: unit("本支部"), role: "organiser" }]],
    ["otherOrg", "他支部", [{ unitId: unit("他支部"), role: "organiser" }]],
    ["admin", "他支部", [{ unitId: unit("心得党委"), role: "admin" }]],
  ];
  for (const [who, unitName, grants] of people) {
    const user = await makeMember({ unitId: unit(unitName), grants });
    userId[who] = user.id;
    cookie[who] = await sessionCookie(user.id);
  }
  const course = await makeCourse({ title: "安全生产微课", lessons: [{ kind: "reading", title: "危险源辨识" }, { kind: "video", title: "安全帽" }] });
  courseId = course.course.id;
  readingId = course.lessons[0].id;
  videoId = course.lessons[1].id;
  await db.update(lessons).set({ contentPath: "content/courses/work-safety/01-hazard-identification.mdx" }).where(eq(lessons.id, readingId));
  // A course only the other branch sees.
  hiddenCourseId = (await makeCourse({ title: "他支部专题", unitId: unit("他支部"), lessons: [{ kind: "reading" }] })).course.id;
});

function post(handler: Parameters<typeof invoke>[0], who: Who, url: string, form: Record<string, string>, params: Record<string, string> = {}) {
  return invoke(handler, { path: url, method: "POST", cookie: cookie[who], form, params });
}

function idFrom(location: string | undefined) {
  const match = /\/reflections\/(\d+)/.exec(location ?? "");
  expect(match, location).toBeTruthy();
  return Number(match![1]);
}

async function write(who: Who, body: string, { target = `l:${readingId}`, title = "学习心得", intent = "submit" } = {}) {
  const outcome = await post(create.action, who, "/reflections/new", { intent, title, target, body });
  expect(outcome.status, JSON.stringify(outcome.body)).toBe(302);
  return idFrom(outcome.location);
}

async function row(id: number) {
  const [r] = await db.select().from(reflections).where(eq(reflections.id, id));
  return r;
}

const getView = (who: Who, id: number) => invoke(view.loader, { path: `/reflections/${id}`, cookie: cookie[who], params: { id: String(id) } });
const getReview = (who: Who, id: number) => invoke(adminPage.loader, { path: `/admin/reflections/${id}`, cookie: cookie[who], params: { id: String(id) } });
const review = (who: Who, id: number, form: Record<string, string>) => post(adminPage.action, who, `/admin/reflections/${id}`, form, { id: String(id) });

describe("writing", () => {
  it("lists the courses and lessons the member can see, and picks one from the URL", async () => {
    const outcome = await invoke(create.loader, { path: `/reflections/new?lesson=${readingId}`, cookie: cookie.author });
    const data = outcome.body as Awaited<ReturnType<typeof create.loader>>;
    expect(data.target).toBe(`l:${readingId}`);
    expect(data.minChars).toBe(200);
    expect(data.targets.map((c) => c.id)).toContain(courseId);
    expect(data.targets.map((c) => c.id)).not.toContain(hiddenCourseId);
  });

  it("saves a short draft, refuses to submit it under the minimum, then submits", async () => {
    const id = await write("author", "还没写完", { intent: "draft" });
    expect((await row(id)).status).toBe("draft");
    const short = await post(edit.action, "author", `/reflections/${id}/edit`, { intent: "submit", title: "学习心得", target: `l:${readingId}`, body: "太短了" }, { id: String(id) });
    expect(short.status).toBe(200);
    expect(JSON.stringify(short.body)).toContain("reflections.v.tooShort|min=200|n=3");
    expect((await row(id)).status).toBe("draft");
    const ok = await post(edit.action, "author", `/reflections/${id}/edit`, { intent: "submit", title: "学习心得", target: `l:${readingId}`, body: read("honest-a.md") }, { id: String(id) });
    expect(ok.location).toBe(`/reflections/${id}?saved=submitted`);
    const saved = await row(id);
    expect(saved.status).toBe("submitted");
    expect(saved.similarity).not.toBeNull();
    expect(saved.similarity!).toBeLessThan(0.5);
  });

  it("refuses a course or lesson the member cannot see", async () => {
    const outcome = await post(create.action, "author", "/reflections/new", { intent: "draft", title: "x", target: `c:${hiddenCourseId}`, body: "" });
    expect(outcome.status).toBe(200);
    expect(JSON.stringify(outcome.body)).toContain("reflections.v.target");
  });

  it("only the author edits, and only drafts and returned posts", async () => {
    const id = await write("author", "草稿", { intent: "draft" });
    for (const who of ["peer", "thisOrg", "admin", "outsider"] as Who[]) {
      const outcome = await post(edit.action, who, `/reflections/${id}/edit`, { intent: "draft", title: "改了", target: `l:${readingId}`, body: "改了" }, { id: String(id) });
      expect(outcome.status, who).toBe(404);
      expect((await invoke(edit.loader, { path: `/reflections/${id}/edit`, cookie: cookie[who], params: { id: String(id) } })).status, who).toBe(404);
    }
    expect((await row(id)).title).toBe("学习心得");
    // Drafts are private, even to the organiser.
    expect((await getView("thisOrg", id)).status).toBe(404);
    expect((await getReview("thisOrg", id)).status).toBe(404);
    // Submitted: the author can no longer edit it.
    const submitted = await write("author", read("honest-c.md"));
    expect((await invoke(edit.loader, { path: `/reflections/${submitted}/edit`, cookie: cookie.author, params: { id: String(submitted) } })).location).toBe(`/reflections/${submitted}`);
    const refused = await post(edit.action, "author", `/reflections/${submitted}/edit`, { intent: "draft", title: "改", target: `l:${readingId}`, body: "改" }, { id: String(submitted) });
    expect(JSON.stringify(refused.body)).toContain("reflections.v.stale");
  });

  it("the author deletes a draft, not a submitted post", async () => {
    const id = await write("author", "删掉", { intent: "draft" });
    expect((await post(edit.action, "peer", `/reflections/${id}/edit`, { intent: "delete" }, { id: String(id) })).status).toBe(404);
    expect((await post(edit.action, "author", `/reflections/${id}/edit`, { intent: "delete" }, { id: String(id) })).location).toBe("/reflections");
    expect(await row(id)).toBeUndefined();
  });
});

describe("review", () => {
  let id: number;

  beforeAll(async () => {
    id = await write("author", read("honest-b.md"), { title: "检修现场的安全体会", target: `c:${courseId}` });
  });

  it("is for organisers whose scope holds the post, never of another branch", async () => {
    expect((await getReview("otherOrg", id)).status).toBe(404);
    expect((await review("otherOrg", id, { intent: "approve" })).status).toBe(404);
    expect((await review("author", id, { intent: "approve" })).status).toBe(403);
    expect((await review("peer", id, { intent: "approve" })).status).toBe(403);
    expect((await getView("otherOrg", id)).status).toBe(404);
    const queue = (await invoke(adminList.loader, { path: "/admin/reflections", cookie: cookie.otherOrg })).body as Awaited<ReturnType<typeof adminList.loader>>;
    expect(queue.items.map((r) => r.id)).not.toContain(id);
    const mine = (await invoke(adminList.loader, { path: "/admin/reflections", cookie: cookie.thisOrg })).body as Awaited<ReturnType<typeof adminList.loader>>;
    expect(mine.items.map((r) => r.id)).toContain(id);
    expect((await getReview("thisOrg", id)).status).toBe(200);
    expect((await getReview("admin", id)).status).toBe(200);
  });

  it("return with a comment, the member resubmits, the organiser approves: points follow", async () => {
    const empty = await review("thisOrg", id, { intent: "return", comment: "" });
    expect(JSON.stringify(empty.body)).toContain("reflections.v.comment");
    expect((await row(id)).status).toBe("submitted");
    expect((await review("thisOrg", id, { intent: "return", comment: "请结合本岗位实际再谈谈" })).location).toBe(`/admin/reflections/${id}?done=returned`);
    expect(await row(id)).toMatchObject({ status: "returned", reviewComment: "请结合本岗位实际再谈谈" });
    // Returned: not approvable until resubmitted; the member sees the comment.
    expect((await review("thisOrg", id, { intent: "approve" })).body).toMatchObject({ stale: true });
    const page = (await invoke(edit.loader, { path: `/reflections/${id}/edit`, cookie: cookie.author, params: { id: String(id) } })).body as Awaited<ReturnType<typeof edit.loader>>;
    expect(page.reviewComment).toBe("请结合本岗位实际再谈谈");
    const resubmitted = await post(
      edit.action,
      "author",
      `/reflections/${id}/edit`,
      { intent: "submit", title: "检修现场的安全体会", target: `c:${courseId}`, body: `${read("honest-b.md")}\n\n补充：我们班组已经把进罐作业前的气体检测写进了班前会的固定内容。` },
      { id: String(id) },
    );
    expect(resubmitted.location).toBe(`/reflections/${id}?saved=submitted`);
    expect((await row(id)).status).toBe("submitted");
    expect((await review("thisOrg", id, { intent: "approve" })).location).toBe(`/admin/reflections/${id}?done=approved`);
    expect(await row(id)).toMatchObject({ status: "approved", reviewedBy: userId.thisOrg });
    // Approving again is stale and earns nothing twice.
    expect((await review("thisOrg", id, { intent: "approve" })).body).toMatchObject({ stale: true });
    const entries = await db.select().from(pointEntries).where(eq(pointEntries.userId, userId.author));
    expect(entries.map((e) => [e.ruleCode, e.sourceKey, e.amount])).toEqual([["reflection_approved", `reflection:${id}`, 2]]);
  });

  it("approved: the branch sees it in its feed; other branches and committees do not", async () => {
    expect((await getView("peer", id)).status).toBe(200);
    const feed = (await invoke(list.loader, { path: "/reflections?tab=feed", cookie: cookie.peer })).body as ListData;
    expect(feed.items.map((r) => r.id)).toContain(id);
    expect((await getView("outsider", id)).status).toBe(404);
    expect((await getView("foreign", id)).status).toBe(404);
    const otherFeed = (await invoke(list.loader, { path: "/reflections?tab=feed", cookie: cookie.outsider })).body as ListData;
    expect(otherFeed.items.map((r) => r.id)).not.toContain(id);
  });

  it("likes and comments: members who can see it; scoped like the post", async () => {
    const like = (who: Who) => post(view.action, who, `/reflections/${id}`, { intent: "like" }, { id: String(id) });
    expect((await like("peer")).status).toBe(200);
    expect((await like("outsider")).status).toBe(404);
    const comment = (who: Who, body: string) => post(view.action, who, `/reflections/${id}`, { intent: "comment", body }, { id: String(id) });
    expect((await comment("peer", "写得实在，<script>alert(1)</script>")).status).toBe(200);
    expect((await comment("outsider", "看不到")).status).toBe(404);
    expect((await comment("foreign", "看不到")).status).toBe(404);
    expect((await comment("peer", "  ")).body).toMatchObject({ ok: false });
    const page = (await getView("author", id)).body as ViewData;
    expect(page.likes.total).toBe(1);
    expect(page.comments).toHaveLength(1);
    expect(page.comments[0].html).toBe("<p>写得实在，&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    // Unlike.
    await like("peer");
    expect(((await getView("peer", id)).body as ViewData).likes).toEqual({ total: 0, mine: false });
    // The author of a comment or the organiser may delete it; other members may not.
    const commentId = String(page.comments[0].id);
    expect((await post(view.action, "author", `/reflections/${id}`, { intent: "deleteComment", commentId }, { id: String(id) })).status).toBe(403);
    expect((await post(view.action, "thisOrg", `/reflections/${id}`, { intent: "deleteComment", commentId }, { id: String(id) })).status).toBe(200);
    expect(((await getView("peer", id)).body as ViewData).comments).toHaveLength(0);
  });

  it("featuring adds points and shows it across the committee, not beyond", async () => {
    expect((await review("otherOrg", id, { intent: "feature" })).status).toBe(404);
    expect((await review("thisOrg", id, { intent: "feature" })).location).toBe(`/admin/reflections/${id}?done=featured`);
    expect((await row(id)).featured).toBe(true);
    expect((await getView("outsider", id)).status).toBe(200);
    expect((await getView("foreign", id)).status).toBe(404);
    expect((await featuredReflections({ unitCode: (await unitCodeOf("outsider")) })).map((r) => r.id)).toContain(id);
    expect((await featuredReflections({ unitCode: (await unitCodeOf("foreign")) })).map((r) => r.id)).not.toContain(id);
    // Un-feature and feature again: the +3 is earned once.
    await review("thisOrg", id, { intent: "unfeature" });
    expect((await getView("outsider", id)).status).toBe(404);
    await review("thisOrg", id, { intent: "feature" });
    const entries = await db.select().from(pointEntries).where(and(eq(pointEntries.userId, userId.author), eq(pointEntries.ruleCode, "reflection_featured")));
    expect(entries.map((e) => e.amount)).toEqual([3]);
  });

  it("an organiser never reviews their own post; someone above does", async () => {
    const own = await write("thisOrg", read("honest-c.md").replace("化验室", "支部办公室"), { target: `l:${videoId}` });
    const queue = (await invoke(adminList.loader, { path: "/admin/reflections", cookie: cookie.thisOrg })).body as Awaited<ReturnType<typeof adminList.loader>>;
    expect(queue.items.map((r) => r.id)).not.toContain(own);
    expect((await review("thisOrg", own, { intent: "approve" })).status).toBe(403);
    expect((await review("admin", own, { intent: "approve" })).status).toBe(302);
  });
});

async function unitCodeOf(who: Who) {
  const { users, units } = await import("~/db/schema");
  const [r] = await db.select({ code: units.code }).from(users).innerJoin(units, eq(units.id, users.unitId)).where(eq(users.id, userId[who]));
  return r.code;
}

describe("near-copy detection on submission", () => {
  let original: number;

  beforeAll(async () => {
    original = await write("author", read("honest-a.md"), { title: "原创：危险源辨识体会" });
  });

  it("flags a lightly edited copy of an earlier post and shows both texts marked", async () => {
    const copy = await write("copier", read("copy-of-a.md"), { title: "我的体会" });
    const saved = await row(copy);
    expect(saved.similarity!).toBeGreaterThanOrEqual(0.5);
    expect(saved.similarToId).toBe(original);
    const queue = (await invoke(adminList.loader, { path: "/admin/reflections", cookie: cookie.thisOrg })).body as Awaited<ReturnType<typeof adminList.loader>>;
    expect(queue.items.find((r) => r.id === copy)?.similarity).toBeGreaterThanOrEqual(0.5);
    const page = (await getReview("thisOrg", copy)).body as ReviewData;
    expect(page.similarity).toMatchObject({ kind: "post", flagged: true, title: "原创：危险源辨识体会" });
    expect(page.similarity!.mine!.some((s) => s.shared)).toBe(true);
    expect(page.similarity!.other!.filter((s) => s.shared).map((s) => s.text).join("")).toContain("作业前停一停");
  });

  it("passes an honest post on the same lesson", async () => {
    const honest = await write("peer", read("honest-d.md"), { title: "控制措施有先后" });
    expect((await row(honest)).similarity!).toBeLessThan(0.5);
    const page = (await getReview("thisOrg", honest)).body as ReviewData;
    expect(page.similarity?.flagged).toBe(false);
  });

  it("flags a post copied from the lesson text", async () => {
    const copied = await write("peer", read("lesson-copy.md"), { title: "危险源辨识" });
    const saved = await row(copied);
    expect(saved.similarity!).toBeGreaterThanOrEqual(0.5);
    expect(saved.similarToId).toBe(-readingId);
    const page = (await getReview("thisOrg", copied)).body as ReviewData;
    expect(page.similarity).toMatchObject({ kind: "lesson", flagged: true, title: "危险源辨识" });
    expect(page.similarity!.other!.some((s) => s.shared && s.text.includes("练就一双能发现这些苗头的眼睛"))).toBe(true);
  });

  it("a copy in another branch is flagged, but that branch's organiser does not see the original", async () => {
    const copy = await write("otherCopier", read("copy-of-a.md").replace("锅炉房", "化水车间"), { title: "他支部的体会" });
    // Closest: the original or the first copy, both in the author's branch.
    const found = await row(copy);
    expect(found.similarity!).toBeGreaterThanOrEqual(0.5);
    expect((await row(found.similarToId!)).userId).toBeOneOf([userId.author, userId.copier]);
    const page = (await getReview("otherOrg", copy)).body as ReviewData;
    expect(page.similarity).toMatchObject({ kind: "hidden", flagged: true, other: null, title: null, name: null });
    expect(page.similarity!.mine!.some((s) => s.shared)).toBe(true);
    // The committee admin sees both.
    expect(((await getReview("admin", copy)).body as ReviewData).similarity?.kind).toBe("post");
  });

  it("my list shows every status; other members see none of my drafts", async () => {
    const mine = (await invoke(list.loader, { path: "/reflections", cookie: cookie.author })).body as ListData;
    expect(new Set(mine.items.map((r) => r.status))).toEqual(new Set(["draft", "submitted", "approved"]));
    const feed = (await invoke(list.loader, { path: "/reflections?tab=feed", cookie: cookie.peer })).body as ListData;
    expect(feed.items.every((r) => r.status === "approved")).toBe(true);
  });
});
