// The lesson page is shared between members (app/http/shared-pages.server.ts): who gets which copy,
// that nothing of one member goes into it, and the member's progress fetched on its own.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { lessonPageKey } from "~/courses/lesson-page.server";
import { catalogueChanged } from "~/courses/lesson-cache.server";
import { db } from "~/db/client.server";
import { lessonProgress, sessions } from "~/db/schema";
import type { SharedPageRequest } from "~/http/shared-pages.server";
import { localeCookie } from "~/i18n/locale.server";
import * as root from "~/root";
import * as progressRoute from "~/routes/api.progress";
import * as lessonRoute from "~/routes/lessons.$lessonId";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";
import { invoke, sessionCookie } from "../support/routes";

let branchId: number;
let video: number;
let reading: number;
let quiz: number;
const cookies: Record<"first" | "second" | "organiser" | "outsider" | "mustChange", string> = {} as never;

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "共享页党委", kind: "committee", children: [{ name: "甲支部", kind: "branch" }, { name: "乙支部", kind: "branch" }] });
  const branch = tree.get("甲支部")!;
  branchId = branch.id;
  const other = tree.get("乙支部")!;
  const { lessons } = await makeCourse({
    unitId: branch.id,
    lessons: [
      { kind: "video", durationSeconds: 120, title: "共享视频" },
      { kind: "reading", title: "共享阅读" },
      { kind: "quiz", title: "共享测验" },
    ],
  });
  [video, reading, quiz] = lessons.map((l) => l.id);
  const members = {
    first: await makeMember({ unitId: branch.id, name: "第一位党员" }),
    second: await makeMember({ unitId: branch.id, name: "第二位党员" }),
    organiser: await makeMember({ unitId: branch.id, grants: [{ unitId: branch.id, role: "organiser" }] }),
    outsider: await makeMember({ unitId: other.id }),
    mustChange: await makeMember({ unitId: branch.id, mustChangePassword: true }),
  };
  for (const [who, member] of Object.entries(members) as [keyof typeof cookies, { id: number }][]) cookies[who] = await sessionCookie(member.id);
  await db.insert(lessonProgress).values({ userId: members.first.id, lessonId: video, watchedRanges: [[0, 100]], watchedSeconds: 100, positionSeconds: 100, completedAt: new Date() });
  await db.insert(lessonProgress).values({ userId: members.second.id, lessonId: video, watchedRanges: [[0, 12]], watchedSeconds: 12, positionSeconds: 12 });
});

const asking = (lessonId: number | string, cookie: string | null): SharedPageRequest => ({
  params: { lessonId: String(lessonId) },
  header: (name) => (name === "cookie" ? cookie : null),
});

describe("which copy of the lesson page a member gets", () => {
  it("is the same for members who see the same page, and differs by locale and admin link", async () => {
    const first = await lessonPageKey(asking(video, cookies.first));
    const second = await lessonPageKey(asking(video, cookies.second));
    expect(first).not.toBeNull();
    expect(second).toEqual(first);
    expect(second!.version).toBe(first!.version);

    const organiser = await lessonPageKey(asking(video, cookies.organiser));
    expect(organiser!.key).not.toBe(first!.key);
    const english = await lessonPageKey(asking(video, `${cookies.first}; ${(await localeCookie.serialize("en")).split(";")[0]}`));
    expect(english!.key).not.toBe(first!.key);
    expect((await lessonPageKey(asking(reading, cookies.first)))!.key).not.toBe(first!.key);
  });

  it("is none (Remix answers) for whoever may not have a copy", async () => {
    expect(await lessonPageKey(asking(video, null))).toBeNull();
    expect(await lessonPageKey(asking(video, "dx_session=forged"))).toBeNull();
    expect(await lessonPageKey(asking(video, cookies.outsider))).toBeNull();
    expect(await lessonPageKey(asking(video, cookies.mustChange))).toBeNull();
    expect(await lessonPageKey(asking(quiz, cookies.first))).toBeNull();
    expect(await lessonPageKey(asking(999_999_999, cookies.first))).toBeNull();
    for (const hostile of ["0", "-1", "1e3", "01", "12abc", "1".repeat(20), ""]) expect(await lessonPageKey(asking(hostile, cookies.first))).toBeNull();
  });

  it("is none once the member signs out, and while the session is due to be extended", async () => {
    const member = await makeMember({ unitId: branchId });
    const cookie = await sessionCookie(member.id);
    expect(await lessonPageKey(asking(video, cookie))).not.toBeNull();
    const sessionId = cookie.split("=")[1];
    await db.update(sessions).set({ expiresAt: new Date(Date.now() + 3600_000) }).where(eq(sessions.id, sessionId));
    expect(await lessonPageKey(asking(video, cookie))).toBeNull();
    await db.delete(sessions).where(eq(sessions.id, sessionId));
    expect(await lessonPageKey(asking(video, cookie))).toBeNull();
  });

  it("names a new version once the catalogue changes", async () => {
    const before = await lessonPageKey(asking(video, cookies.first));
    await catalogueChanged();
    const after = await lessonPageKey(asking(video, cookies.first));
    expect(after!.key).toBe(before!.key);
    expect(after!.version).not.toBe(before!.version);
  });
});

describe("what the shared page holds", () => {
  it("has the same loader data for members with different progress, and nothing of the member at the root", async () => {
    const pageOf = async (who: "first" | "second", lessonId: number) =>
      (await invoke(lessonRoute.loader, { path: `/lessons/${lessonId}`, cookie: cookies[who], params: { lessonId: String(lessonId) } })).body;
    const first = await pageOf("first", video);
    expect(first).toMatchObject({ lesson: { id: video, title: "共享视频" } });
    expect(await pageOf("second", video)).toEqual(first);
    expect(await pageOf("second", reading)).toEqual(await pageOf("first", reading));

    const rootOf = async (who: "first" | "second") => (await invoke(root.loader, { path: `/lessons/${video}`, cookie: cookies[who] })).body;
    expect(await rootOf("first")).toEqual(await rootOf("second"));
    expect(JSON.stringify(await rootOf("first"))).not.toContain("第一位党员");
  });
});

describe("GET /api/progress", () => {
  const progressOf = (lessonId: string, cookie?: string) => invoke(progressRoute.loader, { path: `/api/progress?lessonId=${lessonId}`, cookie });

  it("gives each member their own progress with the server's clock", async () => {
    const before = Date.now();
    const first = await progressOf(String(video), cookies.first);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ progress: { position: 100, ranges: [[0, 100]], watchedSeconds: 100, completed: true } });
    expect((first.body as { serverNow: number }).serverNow).toBeGreaterThanOrEqual(before);
    expect((await progressOf(String(video), cookies.second)).body).toMatchObject({ progress: { position: 12, watchedSeconds: 12, completed: false } });
    expect((await progressOf(String(reading), cookies.second)).body).toMatchObject({ progress: { position: 0, ranges: [], completed: false } });
  });

  it("refuses the signed-out, lessons the member may not see, and a bad lesson number", async () => {
    expect((await progressOf(String(video))).status).toBe(401);
    expect((await progressOf(String(video), cookies.outsider)).status).toBe(404);
    // An account told to change its password gets nothing until it has.
    expect((await progressOf(String(video), cookies.mustChange)).status).toBe(401);
    for (const hostile of ["", "abc", "-3", "1.5", "99999999999", "1;drop table users"]) {
      const out = await progressOf(encodeURIComponent(hostile), cookies.first);
      expect(out.status, hostile).toBe(400);
      expect(out.body).toMatchObject({ error: expect.stringContaining("lessonId") });
    }
  });
});
