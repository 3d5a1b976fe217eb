import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getCourse, listCourses } from "~/courses/catalogue.server";
import { completeLesson, reportProgress } from "~/courses/progress.server";
import { studyRecord } from "~/courses/record.server";
import { db } from "~/db/client.server";
import { courseCompletions, lessonProgress, sessions, studyDays, units, users } from "~/db/schema";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";
import * as progressRoute from "~/routes/api.progress";
import { invoke, sessionCookie } from "../support/routes";
import type { Viewer } from "~/auth/policy.server";
import { hotQuery } from "~/db/hot-query.server";

// The real hot queries, counted: reports arriving together must share one statement.
vi.mock("~/db/hot-query.server", async (importOriginal) => {
  const original = await importOriginal<typeof import("~/db/hot-query.server")>();
  return { ...original, hotQuery: vi.fn(original.hotQuery) };
});
const statementsNamed = (name: string) => vi.mocked(hotQuery).mock.calls.filter(([n]) => n === name).length;

let unitId: number;
let otherUnitId: number;
const t0 = new Date("2026-03-10T02:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "进度党委", kind: "committee", children: [{ name: "A支部", kind: "branch" }, { name: "B支部", kind: "branch" }] });
  unitId = tree.get("A支部")!.id;
  otherUnitId = tree.get("B支部")!.id;
});

/** Plays a video honestly: reports every 10 s of wall time at `rate`, cumulative ranges. */
async function watch(userId: number, lessonId: number, { from = 0, to, rate = 2, start = 0 }: { from?: number; to: number; rate?: number; start?: number }) {
  let position = from;
  let clock = start;
  let state;
  while (position < to) {
    clock += 10;
    const next = Math.min(to, position + 10 * rate);
    state = await reportProgress(userId, { lessonId, seq: at(clock).getTime(), ranges: [[from, next]], position: next }, at(clock));
    position = next;
  }
  return { state, clock };
}

describe("video progress", () => {
  it("completes a lesson watched at 2× and then the course, with credit hours", async () => {
    const user = await makeMember({ unitId });
    const { course, lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 120 }] });
    const { state } = await watch(user.id, lessons[0].id, { to: 120 });
    expect(state?.completed).toBe(true);
    expect(state?.justCompleted).toMatchObject({ lessonCompleted: true, courseCompleted: true, creditHours: 0.25 });
    const [completion] = await db.select().from(courseCompletions).where(and(eq(courseCompletions.userId, user.id), eq(courseCompletions.courseId, course.id)));
    expect(Number(completion.creditHours)).toBe(0.25);
  });

  it("does not complete on a seek to the end, nor on a forged report", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 600 }] });
    const id = lessons[0].id;
    await reportProgress(user.id, { lessonId: id, seq: 1, ranges: [[0, 10]], position: 10 }, at(0));
    const seek = await reportProgress(user.id, { lessonId: id, seq: 2, ranges: [[0, 10], [590, 600]], position: 600 }, at(5));
    expect(seek?.completed).toBe(false);
    const forged = await reportProgress(user.id, { lessonId: id, seq: 3, ranges: [[0, 600]], position: 600 }, at(10));
    expect(forged?.capped).toBe(true);
    expect(forged?.completed).toBe(false);
    expect(forged!.studiedSeconds).toBeLessThanOrEqual(10 + 20 + 10 + 5 + 5 + 1e-9);
  });

  it("treats a repeated or out-of-order report as a no-op", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 600 }] });
    const id = lessons[0].id;
    await reportProgress(user.id, { lessonId: id, seq: 100, ranges: [[0, 15]], position: 15 }, at(0));
    await reportProgress(user.id, { lessonId: id, seq: 200, ranges: [[0, 30]], position: 30 }, at(10));
    const replay = await reportProgress(user.id, { lessonId: id, seq: 200, ranges: [[0, 30]], position: 30 }, at(11));
    const late = await reportProgress(user.id, { lessonId: id, seq: 100, ranges: [[0, 15]], position: 15 }, at(12));
    expect(replay?.studiedSeconds).toBe(30);
    expect(late?.studiedSeconds).toBe(30);
    const [row] = await db.select().from(lessonProgress).where(and(eq(lessonProgress.userId, user.id), eq(lessonProgress.lessonId, id)));
    expect(row.positionSeconds).toBe(30);
    expect(row.watchedRanges).toEqual([[0, 30]]);
  });

  it("keeps every second of concurrent reports (compare-and-set, nothing lost)", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 1000 }] });
    const id = lessons[0].id;
    await reportProgress(user.id, { lessonId: id, seq: 1, ranges: [[0, 1]], position: 1 }, at(0));
    // Ten reports of disjoint 2-second pieces arrive at once; none may overwrite another.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => reportProgress(user.id, { lessonId: id, seq: 10 + i, ranges: [[10 + i * 10, 12 + i * 10]], position: 12 + i * 10 }, at(600))),
    );
    const [row] = await db.select().from(lessonProgress).where(and(eq(lessonProgress.userId, user.id), eq(lessonProgress.lessonId, id)));
    expect(row.watchedRanges).toEqual([[0, 1], ...Array.from({ length: 10 }, (_, i) => [10 + i * 10, 12 + i * 10])]);
    expect(row.watchedSeconds).toBe(21);
  });

  it("writes reports of several members and lessons arriving together in one go, each counted once", async () => {
    const [ann, bob] = [await makeMember({ unitId }), await makeMember({ unitId })];
    const { lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 1000 }, { kind: "video", durationSeconds: 1000 }] });
    const pairs = [ann, bob].flatMap((user) => lessons.map((lesson) => ({ userId: user.id, lessonId: lesson.id })));
    for (const { userId, lessonId } of pairs) await reportProgress(userId, { lessonId, seq: 1, ranges: [[0, 10]], position: 10 }, at(0));
    // One report per member and lesson at once: one group, one statement.
    const before = statementsNamed("progress_compare_and_set");
    const states = await Promise.all(
      pairs.map(({ userId, lessonId }) => reportProgress(userId, { lessonId, seq: 2, ranges: [[0, 30]], position: 30 }, at(10))),
    );
    expect(statementsNamed("progress_compare_and_set") - before).toBe(1);
    expect(states.map((state) => state?.studiedSeconds)).toEqual([30, 30, 30, 30]);
    const rows = await db.select().from(lessonProgress).where(eq(lessonProgress.userId, ann.id));
    expect(rows.map((r) => r.watchedSeconds)).toEqual([30, 30]);
    expect(rows.every((r) => r.positionSeconds === 30 && Number(r.lastSeq) === 2)).toBe(true);
    // Each member's day holds both lessons' seconds: 2 × 10 from the first reports, 2 × 20 now.
    for (const user of [ann, bob]) {
      const [day] = await db.select().from(studyDays).where(eq(studyDays.userId, user.id));
      expect(day.seconds).toBe(60);
    }
  });
});

describe("progress written elsewhere", () => {
  it("reads the row again when another instance moved it on, and keeps both instances' seconds", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 600 }] });
    const id = lessons[0].id;
    const where = and(eq(lessonProgress.userId, user.id), eq(lessonProgress.lessonId, id));
    await reportProgress(user.id, { lessonId: id, seq: 1, ranges: [[0, 10]], position: 10 }, at(0));
    // Another app instance applies a report this process has not seen (its own write, version + 1).
    const [before] = await db.select().from(lessonProgress).where(where);
    await db
      .update(lessonProgress)
      .set({ watchedRanges: [[0, 10], [100, 110]], watchedSeconds: 20, lastReportAt: at(10), version: before.version + 1 })
      .where(where);
    const state = await reportProgress(user.id, { lessonId: id, seq: 3, ranges: [[0, 20]], position: 20 }, at(20));
    const [row] = await db.select().from(lessonProgress).where(where);
    expect(row.watchedRanges).toEqual([[0, 20], [100, 110]]);
    expect(state?.studiedSeconds).toBe(30);
    expect(row.version).toBe(before.version + 2);
  });
});

describe("reading progress", () => {
  it("completes after reaching the end and the minimum active time, not before", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ lessons: [{ kind: "reading", readingChars: 1000, durationSeconds: 120 }] });
    const id = lessons[0].id;
    const base = t0.getTime() / 1000;
    // Scrolled to the end at once: not enough time.
    let state = await reportProgress(user.id, { lessonId: id, seq: 1, ranges: [[base, base + 10]], reachedEnd: true }, at(10));
    expect(state?.completed).toBe(false);
    for (let s = 20; s <= 120; s += 10) {
      state = await reportProgress(user.id, { lessonId: id, seq: s, ranges: [[base, base + s]], reachedEnd: true }, at(s));
    }
    expect(state?.studiedSeconds).toBe(120);
    expect(state?.completed).toBe(true);
  });

  it("does not count time claimed in the future or beyond the wall clock", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ lessons: [{ kind: "reading", readingChars: 5000 }] });
    const base = t0.getTime() / 1000;
    const state = await reportProgress(user.id, { lessonId: lessons[0].id, seq: 1, ranges: [[base - 3600, base + 3600]], reachedEnd: true }, at(0));
    expect(state!.studiedSeconds).toBeLessThanOrEqual(15);
  });
});

describe("the progress endpoint", () => {
  it("takes a batch, refuses lessons of courses the member may not see, and bad bodies", async () => {
    const user = await makeMember({ unitId });
    const cookie = await sessionCookie(user.id);
    const mine = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 300 }] });
    const theirs = await makeCourse({ unitId: otherUnitId, lessons: [{ kind: "video", durationSeconds: 300 }] });
    const post = (body: string) =>
      progressRoute.action({
        request: new Request("http://localhost:3000/api/progress", {
          method: "POST",
          headers: { cookie, origin: "http://localhost:3000", host: "localhost:3000", "content-type": "application/json" },
          body,
        }),
        params: {},
        context: {},
      }) as Promise<Response>;
    const ok = await post(
      JSON.stringify({ reports: [{ lessonId: mine.lessons[0].id, seq: 1, ranges: [[0, 10]], position: 10 }, { lessonId: theirs.lessons[0].id, seq: 1, ranges: [[0, 10]] }] }),
    );
    const json = (await ok.json()) as { results: { lessonId: number; error?: string; studiedSeconds?: number }[] };
    expect(json.results[0].studiedSeconds).toBe(10);
    expect(json.results[1].error).toBe("not found");
    expect(await db.select().from(lessonProgress).where(eq(lessonProgress.lessonId, theirs.lessons[0].id))).toHaveLength(0);
    expect((await post("not json")).status).toBe(400);
    expect((await post(JSON.stringify({ reports: [{ lessonId: "1; drop table users", seq: 1, ranges: [] }] }))).status).toBe(400);
    expect((await post(JSON.stringify({ reports: [{ lessonId: 1, seq: 1, ranges: [[0, "NaN"]] }] }))).status).toBe(400);
  });

  it("answers 401 without a session and 403 to another origin, and changes nothing", async () => {
    const out = await invoke(progressRoute.action, { path: "/api/progress", method: "POST", form: {} });
    expect(out.status).toBe(401);
    const user = await makeMember({ unitId });
    const cookie = await sessionCookie(user.id);
    const { lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 300 }] });
    const foreign = (await progressRoute.action({
      request: new Request("http://localhost:3000/api/progress", {
        method: "POST",
        headers: { cookie, origin: "http://evil.example", host: "localhost:3000", "content-type": "application/json" },
        body: JSON.stringify({ reports: [{ lessonId: lessons[0].id, seq: 1, ranges: [[0, 10]] }] }),
      }),
      params: {},
      context: {},
    })) as Response;
    expect(foreign.status).toBe(403);
    expect(await db.select().from(lessonProgress).where(eq(lessonProgress.lessonId, lessons[0].id))).toHaveLength(0);
  });
});

describe("the progress endpoint's remembered sessions", () => {
  it("re-checks the session in the write: signed out, moved to another unit, told to change the password", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ unitId, lessons: [{ kind: "video", durationSeconds: 300 }] });
    const lessonId = lessons[0].id;
    const post = async (cookie: string, seq: number, to: number) => {
      const response = (await progressRoute.action({
        request: new Request("http://localhost:3000/api/progress", {
          method: "POST",
          headers: { cookie, origin: "http://localhost:3000", host: "localhost:3000", "content-type": "application/json" },
          body: JSON.stringify({ reports: [{ lessonId, seq, ranges: [[0, to]], position: to }] }),
        }),
        params: {},
        context: {},
      })) as Response;
      return { status: response.status, json: (await response.json()) as { results?: { error?: string; studiedSeconds?: number }[] } };
    };
    const lastSeq = async () =>
      (await db.select({ seq: lessonProgress.lastSeq }).from(lessonProgress).where(and(eq(lessonProgress.userId, user.id), eq(lessonProgress.lessonId, lessonId))))[0]?.seq;

    // Looked up, then remembered: both count.
    let cookie = await sessionCookie(user.id);
    expect((await post(cookie, 1, 1)).status).toBe(200);
    expect((await post(cookie, 2, 2)).status).toBe(200);
    expect(Number(await lastSeq())).toBe(2);

    await db.delete(sessions).where(eq(sessions.userId, user.id));
    expect((await post(cookie, 3, 3)).status).toBe(401);
    expect(Number(await lastSeq())).toBe(2);

    cookie = await sessionCookie(user.id);
    expect((await post(cookie, 4, 4)).status).toBe(200);
    await db.update(users).set({ unitId: otherUnitId }).where(eq(users.id, user.id));
    const moved = await post(cookie, 5, 5);
    expect(moved.status).toBe(200);
    expect(moved.json.results![0].error).toBe("not found");
    expect(Number(await lastSeq())).toBe(4);

    // Moved back: the member remembered in the other unit is looked up again, and counts.
    await db.update(users).set({ unitId }).where(eq(users.id, user.id));
    expect((await post(cookie, 6, 6)).json.results![0].studiedSeconds).toBeGreaterThan(0);
    expect(Number(await lastSeq())).toBe(6);

    await db.update(users).set({ mustChangePassword: true }).where(eq(users.id, user.id));
    expect((await post(cookie, 7, 7)).status).toBe(403);
    expect(Number(await lastSeq())).toBe(6);
  });
});

describe("study record", () => {
  it("sums this year's credit hours per month against the requirement", async () => {
    const user = await makeMember({ unitId, position: "支部书记" });
    const a = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 40 * 60 }, { kind: "quiz" }] });
    const b = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 20 * 60 }] });
    for (const l of a.lessons) await completeLesson(user.id, l.id, { now: new Date("2026-03-05T10:00:00Z") });
    await completeLesson(user.id, b.lessons[0].id, { now: new Date("2026-05-31T17:00:00Z") }); // 1 June in Beijing
    const viewer = { id: user.id, isCadre: true } as Viewer;
    const record = await studyRecord(viewer, 2026);
    expect(record.required).toBe(56);
    expect(record.total).toBe(1.5 + 0.5);
    expect(record.perMonth[2]).toBe(1.5);
    expect(record.perMonth[5]).toBe(0.5);
    expect(record.courses).toHaveLength(2);
    expect((await studyRecord(viewer, 2025)).total).toBe(0);
  });
});

describe("catalogue", () => {
  it("counts each course's own lessons, the member's progress and credit hours, and hides other units' courses", async () => {
    const user = await makeMember({ unitId });
    const [unit] = await db.select().from(units).where(eq(units.id, unitId));
    const viewer = { id: user.id, unitCode: unit.code } as Viewer;
    const a = await makeCourse({ title: "目录甲", tags: ["安全"], lessons: [{ kind: "video", durationSeconds: 1200 }, { kind: "reading", durationSeconds: 600 }, { kind: "quiz", durationSeconds: 0 }] });
    await makeCourse({ title: "目录乙", lessons: [{ kind: "video" }] });
    await makeCourse({ title: "目录丙（他支部）", unitId: otherUnitId, lessons: [{ kind: "video" }] });
    await completeLesson(user.id, a.lessons[0].id);
    const listed = await listCourses(viewer, { q: "目录" });
    expect(listed.map((c) => c.title)).toEqual(["目录甲", "目录乙"]);
    expect(listed[0]).toMatchObject({ lessonCount: 3, done: 1, seconds: 1800, creditHours: 1.5 });
    expect(listed[1]).toMatchObject({ lessonCount: 1, done: 0 });
    expect((await listCourses(viewer, { q: "目录", tag: "安全" })).map((c) => c.title)).toEqual(["目录甲"]);
    expect(await getCourse(viewer, a.course.id)).toMatchObject({ creditHours: 1.5, seconds: 1800 });
  });
});

describe("study events", () => {
  it("are emitted once each, inside the transaction that recorded them", async () => {
    const { onStudyEvent } = await import("~/courses/events.server");
    const seen: string[] = [];
    onStudyEvent("lessonStarted", async (_tx, e) => void seen.push(`started:${e.lessonId}`));
    onStudyEvent("lessonCompleted", async (_tx, e) => void seen.push(`completed:${e.lessonId}:${e.kind}`));
    onStudyEvent("courseCompleted", async (_tx, e) => void seen.push(`course:${e.courseId}:${e.creditHours}`));
    const user = await makeMember({ unitId });
    const { course, lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 20 }, { kind: "quiz" }] });
    await reportProgress(user.id, { lessonId: lessons[0].id, seq: 1, ranges: [[0, 10]] }, at(0));
    await reportProgress(user.id, { lessonId: lessons[0].id, seq: 2, ranges: [[0, 20]] }, at(10));
    await reportProgress(user.id, { lessonId: lessons[0].id, seq: 3, ranges: [[0, 20]] }, at(20));
    await completeLesson(user.id, lessons[1].id, { score: 80 });
    await completeLesson(user.id, lessons[1].id, { score: 90 });
    expect(seen).toEqual([
      `started:${lessons[0].id}`,
      `completed:${lessons[0].id}:video`,
      `started:${lessons[1].id}`,
      `completed:${lessons[1].id}:quiz`,
      `course:${course.id}:0.75`,
    ]);
  });
});
