// Knowledge contests: drafts, publication that freezes the questions, one entry per member,
// questions one at a time on the server's clock (resume, timeouts, grace), scoring with the speed
// bonus and ties broken by time, refused answers that change nothing, closing with points.
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { closeContest, ContestError, createContest, drawContest, frozenQuestions, getContest, publishContest, updateContest } from "~/contests/contests.server";
import { computeBoard } from "~/contests/live.server";
import { answerQuestion, enterContest, finishAwardsWritten, myResult, openContestsFor, playState, timeOut } from "~/contests/play.server";
import { ANSWER_GRACE_MS, answerPoints } from "~/contests/scoring";
import { db } from "~/db/client.server";
import { contestAnswers, contestEntries, contestQuestions, pointEntries, questions, users } from "~/db/schema";
import { makeMember } from "~/seed/factories.server";
import { updateQuestion } from "~/quiz/banks.server";
import { versionToDraft } from "~/quiz/draft";
import { ageServed, contestForm, entryOf, makeContestWorld, publishedContest, responseFor, viewerOf } from "../support/contests";

import { hotQuery } from "~/db/hot-query.server";

// The real hot queries, counted: answers arriving together must share one statement.
vi.mock("~/db/hot-query.server", async (importOriginal) => {
  const original = await importOriginal<typeof import("~/db/hot-query.server")>();
  return { ...original, hotQuery: vi.fn(original.hotQuery) };
});
const answerStatements = () => vi.mocked(hotQuery).mock.calls.filter(([name]) => name === "contest_answer").length;

let world: Awaited<ReturnType<typeof makeContestWorld>>;

beforeAll(async () => {
  world = await makeContestWorld("赛");
});

async function answersOf(contestId: number, userId: number) {
  const entry = await entryOf(contestId, userId);
  return entry ? db.select().from(contestAnswers).where(eq(contestAnswers.entryId, entry.id)) : [];
}

async function snapshot(contestId: number) {
  const [entries, answers] = await Promise.all([
    db.select().from(contestEntries).where(eq(contestEntries.contestId, contestId)).orderBy(contestEntries.id),
    db.execute(sql`select a.* from contest_answers a join contest_entries e on e.id = a.entry_id where e.contest_id = ${contestId} order by a.entry_id, a.position`),
  ]);
  return JSON.stringify([entries, (answers as { rows: unknown[] }).rows]);
}

describe("organising a contest", () => {
  it("previews the draw, publishes it frozen, and refuses edits afterwards", async () => {
    const organiser = await viewerOf(world.organiser.id);
    const draft = await createContest(organiser, contestForm(world.id("本支部"), world.bank.id));
    expect(draft.status).toBe("draft");
    const preview = await drawContest(draft);
    expect(preview.shortfalls).toEqual([]);
    expect(preview.versions.map((v) => v.type).sort()).toEqual(["fill_blank", "single", "single", "true_false", "true_false"]);
    // A draft can still change.
    await updateContest(organiser, draft.id, contestForm(world.id("本支部"), world.bank.id, { title: "改过的名称" }));
    expect((await getContest(draft.id))!.title).toBe("改过的名称");

    expect(await publishContest(draft.id)).toBe(5);
    const frozen = await frozenQuestions(draft.id);
    expect(frozen.map((v) => v.id)).toEqual(preview.versions.map((v) => v.id));

    // Editing a question in the bank adds a version; the contest keeps the one it froze.
    const q = frozen[0];
    await updateQuestion(q.questionId, { ...versionToDraft(q), stem: `${q.stem}（新版）` });
    const [current] = await db.select().from(questions).where(eq(questions.id, q.questionId));
    expect(current.currentVersion).toBe(2);
    expect((await frozenQuestions(draft.id)).map((v) => v.id)).toEqual(preview.versions.map((v) => v.id));

    await expect(updateContest(organiser, draft.id, contestForm(world.id("本支部"), world.bank.id, { countSingle: 1 }))).rejects.toThrow(ContestError);
    await expect(publishContest(draft.id)).rejects.toThrow(ContestError);
    const rows = await db.select().from(contestQuestions).where(eq(contestQuestions.contestId, draft.id));
    expect(rows).toHaveLength(5);
  });

  it("refuses to publish a draw the banks cannot fill, and banks the organiser cannot see", async () => {
    const organiser = await viewerOf(world.organiser.id);
    const draft = await createContest(organiser, contestForm(world.id("本支部"), world.bank.id, { countMultiple: 3 }));
    expect((await drawContest(draft)).shortfalls).toEqual([{ type: "multiple", wanted: 3, found: 0 }]);
    await expect(publishContest(draft.id)).rejects.toThrow(ContestError);
    expect((await getContest(draft.id))!.status).toBe("draft");
    expect(await db.select().from(contestQuestions).where(eq(contestQuestions.contestId, draft.id))).toHaveLength(0);

    const hidden = await makeContestWorld("隐");
    await expect(createContest(organiser, contestForm(world.id("本支部"), hidden.bank.id))).rejects.toThrow(ContestError);
  });
});

describe("taking part", () => {
  it("lists open contests for members of the subtree only", async () => {
    const contest = await publishedContest(world, { title: "首页竞赛" });
    const member = await viewerOf(world.members[3].id);
    const outsider = await viewerOf(world.outsider.id);
    expect((await openContestsFor(member)).map((c) => c.id)).toContain(contest.id);
    expect((await openContestsFor(outsider)).map((c) => c.id)).not.toContain(contest.id);
  });

  it("admits a member once and refuses members outside the subtree", async () => {
    const contest = await publishedContest(world);
    const member = await viewerOf(world.members[0].id);
    const results = await Promise.all(Array.from({ length: 5 }, () => enterContest(member, contest)));
    expect(results.filter((r) => r.status === "entered")).toHaveLength(1);
    expect(results.filter((r) => r.status === "already")).toHaveLength(4);
    expect(await enterContest(member, contest)).toEqual({ status: "already" });
    const entries = await db.select().from(contestEntries).where(and(eq(contestEntries.contestId, contest.id), eq(contestEntries.userId, member.id)));
    expect(entries).toHaveLength(1);
    // The clock has not started: nothing is served until the member asks for the first question.
    expect(entries[0].currentServedAt).toBeNull();

    const outsider = await viewerOf(world.outsider.id);
    expect(await enterContest(outsider, contest)).toEqual({ status: "refused", reason: "notEligible" });
    expect(await db.select().from(contestEntries).where(and(eq(contestEntries.contestId, contest.id), eq(contestEntries.userId, outsider.id)))).toHaveLength(0);
  });

  it("refuses entry before the contest opens and after it closes", async () => {
    const now = Date.now();
    const later = await publishedContest(world, {
      opensAt: new Date(now + 3_600_000 + 8 * 3_600_000).toISOString().slice(0, 16),
      closesAt: new Date(now + 7_200_000 + 8 * 3_600_000).toISOString().slice(0, 16),
    });
    const member = await viewerOf(world.members[0].id);
    expect(await enterContest(member, later)).toEqual({ status: "refused", reason: "notOpen" });
    const open = await publishedContest(world);
    await closeContest(open.id);
    expect(await enterContest(member, (await getContest(open.id))!)).toEqual({ status: "refused", reason: "notOpen" });
  });

  it("serves one question at a time and resumes on the same question with the server's remaining time", async () => {
    const contest = await publishedContest(world, { secondsPerQuestion: 30 });
    const member = await viewerOf(world.members[1].id);
    await enterContest(member, contest);
    const first = await playState(member, contest);
    if (first.state !== "question") throw new Error(first.state);
    expect(first.question.index).toBe(0);
    expect(first.question.total).toBe(5);
    expect(first.question.remainingMs).toBeGreaterThan(29_000);
    expect(first.question.remainingMs).toBeLessThanOrEqual(30_000);
    // No key in what is served.
    expect(JSON.stringify(first)).not.toMatch(/"answer"|秘析|秘答/);

    // A reload 12 s later (the member lost the network): the same question, 18 s left.
    await ageServed(contest.id, member.id, 12_000);
    const again = await playState(member, contest);
    if (again.state !== "question") throw new Error(again.state);
    expect(again.question.index).toBe(0);
    expect(again.question.stem).toBe(first.question.stem);
    expect(again.question.options).toEqual(first.question.options);
    expect(again.question.remainingMs).toBeGreaterThan(17_000);
    expect(again.question.remainingMs).toBeLessThanOrEqual(18_000);

    // Away past the deadline: the question scored zero and the next one is served on return.
    await ageServed(contest.id, member.id, 30_000);
    const moved = await playState(member, contest);
    if (moved.state !== "question") throw new Error(moved.state);
    expect(moved.question.index).toBe(1);
    expect(moved.question.remainingMs).toBeGreaterThan(29_000);
    const answers = await answersOf(contest.id, member.id);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ correct: false, score: 0, elapsedMs: 30_000, response: null });
  });

  it("scores right answers with points plus a speed bonus measured by the server", async () => {
    const contest = await publishedContest(world, { secondsPerQuestion: 10, pointsPerCorrect: 100 });
    const member = await viewerOf(world.members[2].id);
    await enterContest(member, contest);
    await playState(member, contest);
    await ageServed(contest.id, member.id, 2_500);
    const right = await answerQuestion(member, contest.id, 0, await responseFor(contest.id, member.id, 0));
    if (!right.ok) throw new Error(right.error);
    const [a0] = await answersOf(contest.id, member.id);
    expect(a0.elapsedMs).toBeGreaterThanOrEqual(2_500);
    expect(a0.elapsedMs).toBeLessThan(3_500);
    expect(right.points).toBe(answerPoints({ secondsPerQuestion: 10, pointsPerCorrect: 100, speedBonus: true }, true, a0.elapsedMs));
    expect(right.points).toBeGreaterThan(100 + 640);
    expect(right.points).toBeLessThanOrEqual(100 + 750);
    expect(right.correct).toBe(true);
    // The next question is served at once, without its key.
    expect(right.next?.index).toBe(1);
    expect(JSON.stringify(right.next)).not.toMatch(/"answer"|秘析|秘答/);

    const wrong = await answerQuestion(member, contest.id, 1, await responseFor(contest.id, member.id, 1, false));
    if (!wrong.ok) throw new Error(wrong.error);
    expect(wrong.correct).toBe(false);
    expect(wrong.points).toBe(0);
    const entry = await entryOf(contest.id, member.id);
    expect(entry.score).toBe(right.points);
    expect(entry.correctCount).toBe(1);
    expect(entry.currentIndex).toBe(2);
  });

  it("refuses a second answer, an answer not yet served and a late answer, changing nothing", async () => {
    const contest = await publishedContest(world, { secondsPerQuestion: 10 });
    const member = await viewerOf(world.members[0].id);
    const stranger = await viewerOf(world.members[3].id);
    // Not entered at all.
    expect(await answerQuestion(stranger, contest.id, 0, await responseFor(contest.id, stranger.id, 0))).toEqual({ ok: false, error: "notEntered" });

    await enterContest(member, contest);
    // Entered, but the first question is not served yet.
    let before = await snapshot(contest.id);
    expect(await answerQuestion(member, contest.id, 0, await responseFor(contest.id, member.id, 0))).toEqual({ ok: false, error: "notServed" });
    expect(await snapshot(contest.id)).toBe(before);

    await playState(member, contest);
    const ok = await answerQuestion(member, contest.id, 0, await responseFor(contest.id, member.id, 0));
    expect(ok.ok).toBe(true);

    before = await snapshot(contest.id);
    expect(await answerQuestion(member, contest.id, 0, await responseFor(contest.id, member.id, 0))).toEqual({ ok: false, error: "alreadyAnswered" });
    expect(await answerQuestion(member, contest.id, 2, await responseFor(contest.id, member.id, 2))).toEqual({ ok: false, error: "notServed" });
    expect(await answerQuestion(member, contest.id, 99, { value: true })).toEqual({ ok: false, error: "notServed" });
    expect(await answerQuestion(member, contest.id, 1, { choices: ["no-such-option"], value: true } as never)).toEqual({ ok: false, error: "tampered" });
    expect(await snapshot(contest.id)).toBe(before);

    // Within the network grace after the bell: accepted, with no speed bonus.
    await ageServed(contest.id, member.id, 10_000 + ANSWER_GRACE_MS / 2);
    const graced = await answerQuestion(member, contest.id, 1, await responseFor(contest.id, member.id, 1));
    if (!graced.ok) throw new Error(graced.error);
    expect(graced.points).toBe(100);

    // Past the grace: refused; a timeout moves on instead.
    await ageServed(contest.id, member.id, 10_000 + ANSWER_GRACE_MS + 500);
    before = await snapshot(contest.id);
    expect(await answerQuestion(member, contest.id, 2, await responseFor(contest.id, member.id, 2))).toEqual({ ok: false, error: "late" });
    expect(await snapshot(contest.id)).toBe(before);
    const skipped = await timeOut(member, contest.id, 2);
    if (!skipped.ok) throw new Error(skipped.error);
    expect(skipped.next?.index).toBe(3);
    // A timeout while time is left is refused.
    expect(await timeOut(member, contest.id, 3)).toEqual({ ok: false, error: "early" });
  });

  it("lets exactly one of many simultaneous answers to the same question count", async () => {
    const contest = await publishedContest(world);
    const member = await viewerOf(world.members[1].id);
    await enterContest(member, contest);
    await playState(member, contest);
    const response = await responseFor(contest.id, member.id, 0);
    const before = answerStatements();
    const results = await Promise.all(Array.from({ length: 8 }, () => answerQuestion(member, contest.id, 0, response)));
    // All eight in one statement: the entry advances once there.
    expect(answerStatements() - before).toBe(1);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await answersOf(contest.id, member.id)).toHaveLength(1);
    expect((await entryOf(contest.id, member.id)).currentIndex).toBe(1);
  });

  it("grades answers of several members arriving together each on its own entry and clock", async () => {
    const contest = await publishedContest(world, { secondsPerQuestion: 10, pointsPerCorrect: 100 });
    const [right, wrong, late] = await Promise.all(world.members.slice(0, 3).map((m) => viewerOf(m.id)));
    for (const member of [right, wrong, late]) {
      await enterContest(member, contest);
      await playState(member, contest);
    }
    await ageServed(contest.id, late.id, 10_000 + ANSWER_GRACE_MS + 500);
    const responses = [await responseFor(contest.id, right.id, 0), await responseFor(contest.id, wrong.id, 0, false), await responseFor(contest.id, late.id, 0)];
    const before = answerStatements();
    const results = await Promise.all([
      answerQuestion(right, contest.id, 0, responses[0]),
      answerQuestion(wrong, contest.id, 0, responses[1]),
      answerQuestion(late, contest.id, 0, responses[2]),
    ]);
    expect(answerStatements() - before).toBe(1);
    expect(results.map((r) => (r.ok ? r.points : r.error))).toEqual([expect.any(Number), 0, "late"]);
    expect((results[0] as { points: number }).points).toBeGreaterThan(100);
    expect((await entryOf(contest.id, right.id)).score).toBe((results[0] as { points: number }).points);
    expect((await entryOf(contest.id, wrong.id)).currentIndex).toBe(1);
    expect((await entryOf(contest.id, late.id)).currentIndex).toBe(0);
    expect(await answersOf(contest.id, late.id)).toHaveLength(0);
  });

  it("breaks ties by total time, shows score, rank and explanations, and closes with points once", async () => {
    const contest = await publishedContest(world, { countSingle: 1, countTrueFalse: 1, countFillBlank: 0, secondsPerQuestion: 10, speedBonus: undefined });
    const [fast, slow, none] = await Promise.all(world.members.slice(0, 3).map((m) => viewerOf(m.id)));
    for (const [member, delay] of [
      [fast, 1_000],
      [slow, 4_000],
    ] as const) {
      await enterContest(member, contest);
      for (let i = 0; i < 2; i++) {
        await playState(member, contest);
        await ageServed(contest.id, member.id, delay);
        const r = await answerQuestion(member, contest.id, i, await responseFor(contest.id, member.id, i));
        if (!r.ok) throw new Error(r.error);
      }
    }
    await enterContest(none, contest);
    await playState(none, contest);

    const fastResult = (await myResult(fast, contest))!;
    const slowResult = (await myResult(slow, contest))!;
    // Without the speed bonus both have 200; the one who took less time ranks first.
    expect([fastResult.score, slowResult.score]).toEqual([200, 200]);
    expect(fastResult.rank).toBe(1);
    expect(slowResult.rank).toBe(2);
    expect(fastResult.items).toHaveLength(2);
    expect(fastResult.items[0].explanation).toMatch(/秘析/);

    const board = await computeBoard(contest.id);
    expect(board.entrants).toBe(3);
    expect(board.finished).toBe(2);
    expect(board.top.map((t) => t.name)).toEqual([fast.name, slow.name, none.name]);
    const group1 = board.units.find((u) => u.name === "赛一组")!;
    expect(group1).toMatchObject({ entrants: 3, eligible: 3, participation: 1 });
    expect(board.units.find((u) => u.name === "赛二组")).toMatchObject({ entrants: 0, eligible: 1, participation: 0 });

    // Finishing earns the points for taking part, written just after the last answer.
    await finishAwardsWritten();
    const earned = await db.select().from(pointEntries).where(eq(pointEntries.sourceKey, `contest:${contest.id}`));
    expect(earned.map((p) => [p.userId, p.ruleCode]).sort()).toEqual([
      [fast.id, "contest"],
      [slow.id, "contest"],
    ].sort());

    expect(await closeContest(contest.id)).toBe(true);
    expect(await closeContest(contest.id)).toBe(false);
    const points = await db.select().from(pointEntries).where(eq(pointEntries.sourceKey, `contest:${contest.id}`));
    const byUser = (userId: number) => points.filter((p) => p.userId === userId).map((p) => p.ruleCode).sort();
    expect(byUser(fast.id)).toEqual(["contest", "contest_top"]);
    expect(byUser(slow.id)).toEqual(["contest"]);
    expect(byUser(none.id)).toEqual(["contest"]);
    // Closed: the unfinished entry ended, and answers are refused.
    expect((await entryOf(contest.id, none.id)).finishedAt).not.toBeNull();
    expect(await answerQuestion(none, contest.id, 0, await responseFor(contest.id, none.id, 0))).toMatchObject({ ok: false });
  });

  it("keeps results back until closing when the organiser says so", async () => {
    const contest = await publishedContest(world, { countSingle: 1, countTrueFalse: 0, countFillBlank: 0, showResultsAtOnce: undefined });
    const member = await viewerOf(world.members[2].id);
    await enterContest(member, contest);
    await playState(member, contest);
    const r = await answerQuestion(member, contest.id, 0, await responseFor(contest.id, member.id, 0));
    if (!r.ok) throw new Error(r.error);
    expect(r).toMatchObject({ correct: null, points: null, finished: true, next: null });
    const hidden = (await myResult(member, contest))!;
    expect(hidden).toMatchObject({ reveal: false, score: null, rank: null, items: [] });
    await closeContest(contest.id);
    const shown = (await myResult(member, (await getContest(contest.id))!))!;
    expect(shown.reveal).toBe(true);
    expect(shown.score).toBeGreaterThan(100);
    expect(shown.items[0].explanation).toMatch(/秘析/);
  });
});

describe("the live board and members who hide their name", () => {
  it("hides them on a board wider than their branch, and not on their branch's own", async () => {
    const admin = await makeMember({ unitId: world.id("党委"), name: "赛管理员", grants: [{ unitId: world.id("党委"), role: "admin" }] });
    const hidden = world.members[3];
    await db.update(users).set({ hideFromWideRankings: true }).where(eq(users.id, hidden.id));
    const wide = await createContest(await viewerOf(admin.id), contestForm(world.id("党委"), world.bank.id, { title: "全委竞赛", countSingle: 1, countTrueFalse: 0, countFillBlank: 0 }));
    await publishContest(wide.id);
    const branchContest = await publishedContest(world, { title: "支部竞赛", countSingle: 1, countTrueFalse: 0, countFillBlank: 0 });
    for (const contest of [(await getContest(wide.id))!, branchContest]) {
      for (const m of [hidden, world.members[0]]) {
        const member = await viewerOf(m.id);
        await enterContest(member, contest);
        await playState(member, contest);
      }
    }
    const wideTop = (await computeBoard(wide.id)).top;
    expect(wideTop.find((r) => r.name === world.members[0].name)).toBeDefined();
    expect(wideTop.some((r) => r.name === hidden.name)).toBe(false);
    expect(wideTop.filter((r) => r.name === null && r.unitName === null)).toHaveLength(1);
    expect((await computeBoard(branchContest.id)).top.map((r) => r.name)).toContain(hidden.name);
  });
});
