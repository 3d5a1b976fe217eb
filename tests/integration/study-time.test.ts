// Study time (学习时长): the seconds the server accepts from progress reports add up per member and
// day, and every full 4 minutes earn a point through the ledger, capped at 6 a day.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { reportProgress } from "~/courses/progress.server";
import { db } from "~/db/client.server";
import { pointEntries, studyDays } from "~/db/schema";
import "~/points/listeners.server";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";

let unitId: number;
const t0 = new Date("2026-03-10T02:00:00Z"); // 10:00 in Beijing
const at = (s: number) => new Date(t0.getTime() + s * 1000);

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "学时党委", kind: "committee", children: [{ name: "学时支部", kind: "branch" }] });
  unitId = tree.get("学时支部")!.id;
});

/** Plays a video honestly at 2×: a cumulative report every 10 s of wall time. */
async function watch(userId: number, lessonId: number, { to, start = 0 }: { to: number; start?: number }) {
  let clock = start;
  for (let position = 0; position < to; ) {
    clock += 10;
    const next = Math.min(to, position + 20);
    await reportProgress(userId, { lessonId, seq: at(clock).getTime(), ranges: [[0, next]], position: next }, at(clock));
    position = next;
  }
  return clock;
}

async function studyPoints(userId: number) {
  const rows = await db.select().from(pointEntries).where(and(eq(pointEntries.userId, userId), eq(pointEntries.ruleCode, "study_time")));
  return rows.reduce((sum, r) => sum + r.amount, 0);
}

async function studySeconds(userId: number, day = "2026-03-10") {
  const [row] = await db.select().from(studyDays).where(and(eq(studyDays.userId, userId), eq(studyDays.day, day)));
  return row?.seconds ?? 0;
}

describe("study time points", () => {
  it("gives 2 points for 9 minutes of accepted video, nothing more for replays or forged seconds", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 1200 }] });
    const id = lessons[0].id;
    const clock = await watch(user.id, id, { to: 540 });
    expect(await studySeconds(user.id)).toBe(540);
    expect(await studyPoints(user.id)).toBe(2);

    // The last report again, an older one late, and the whole batch replayed: no new seconds.
    await reportProgress(user.id, { lessonId: id, seq: at(clock).getTime(), ranges: [[0, 540]], position: 540 }, at(clock + 1));
    await reportProgress(user.id, { lessonId: id, seq: at(10).getTime(), ranges: [[0, 20]], position: 20 }, at(clock + 2));
    await watch(user.id, id, { to: 540, start: clock + 2 });
    expect(await studySeconds(user.id)).toBe(540);
    expect(await studyPoints(user.id)).toBe(2);

    // A forged claim of the whole video 10 s later counts only what the wall clock allows.
    const forged = await reportProgress(user.id, { lessonId: id, seq: at(clock + 300).getTime(), ranges: [[0, 1200]], position: 1200 }, at(clock + 300));
    expect(forged?.capped).toBe(true);
    const seconds = await studySeconds(user.id);
    expect(seconds).toBeGreaterThan(540);
    expect(seconds).toBe(forged!.studiedSeconds);
    expect(await studyPoints(user.id)).toBe(Math.min(6, Math.floor(seconds / 240)));
  });

  it("holds the daily cap of 6 across lessons, and counts again the next day", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 1200 }, { kind: "video", durationSeconds: 1200 }] });
    const clock = await watch(user.id, lessons[0].id, { to: 1200 });
    await watch(user.id, lessons[1].id, { to: 600, start: clock });
    expect(await studySeconds(user.id)).toBe(1800);
    expect(await studyPoints(user.id)).toBe(6);

    // The next day in Beijing (the second lesson goes on from 600 s).
    const nextDay = 24 * 3600;
    let position = 600;
    for (let s = nextDay + 10; position < 840; s += 10) {
      position += 20;
      await reportProgress(user.id, { lessonId: lessons[1].id, seq: at(s).getTime(), ranges: [[0, position]], position }, at(s));
    }
    expect(await studySeconds(user.id, "2026-03-11")).toBe(240);
    expect(await studyPoints(user.id)).toBe(7);
  });

  it("counts a reading lesson's active time", async () => {
    const user = await makeMember({ unitId });
    const { lessons } = await makeCourse({ lessons: [{ kind: "reading", readingChars: 5000 }] });
    const base = t0.getTime() / 1000;
    for (let s = 10; s <= 250; s += 10) {
      await reportProgress(user.id, { lessonId: lessons[0].id, seq: s, ranges: [[base, base + s]] }, at(s));
    }
    expect(await studySeconds(user.id)).toBe(250);
    expect(await studyPoints(user.id)).toBe(1);
  });
});
