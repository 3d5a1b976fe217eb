// Live battles through the domain functions, with the clock given explicitly: matchmaking (the
// rating window widening, concurrent requests, the 30 s limit), 2- and 4-player battles played to
// the end, timeouts, forfeits, ratings and points, and the integrity rules of answering.
import { and, eq, inArray } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  answerBattle,
  advanceBattle,
  advanceIfDue,
  battleTopic,
  battleView,
  closesAt,
  leaveBattle,
  markGone,
  markPresent,
  timing,
} from "~/battles/battles.server";
import { scheduleAdvance } from "~/battles/clock.server";
import { activeBattleOf, joinQueue, leaveQueue, matchmake, pollQueue, QUEUE_STALE_MS } from "~/battles/matchmaking.server";
import { eloUpdate, FIRST_CORRECT_POINTS, LATER_CORRECT_POINTS, MATCH_TIMEOUT_MS, QUESTIONS_PER_BATTLE } from "~/battles/rules";
import { db, driver } from "~/db/client.server";
import { battleAnswers, battlePlayers, battleQueue, battleRatings, battles, pointEntries, questionVersions, type QuizResponse } from "~/db/schema";
import { createBank, createQuestion } from "~/quiz/banks.server";
import { bus, createBus } from "~/realtime/bus.server";
import { makeMember, makeUnitTree } from "~/seed/factories.server";

const SECRET = "解析秘密";
let branchId: number;
let otherCommitteeBranchId: number;

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "对战党委", kind: "committee", children: [{ name: "对战支部", kind: "branch" }] });
  const other = await makeUnitTree({ name: "别的党委", kind: "committee", children: [{ name: "别的支部", kind: "branch" }] });
  branchId = tree.get("对战支部")!.id;
  otherCommitteeBranchId = other.get("别的支部")!.id;
  const bank = await createBank({ unitId: tree.get("对战党委")!.id, name: "对战题库" });
  const base = { difficulty: 3, tags: [], source: "", options: [] as string[], correct: [] as number[] };
  for (let i = 0; i < 4; i++) {
    await createQuestion(bank.id, {
      ...base,
      type: "single",
      stem: `单选${i}`,
      options: ["甲", "乙", "丙", "丁"],
      correct: [i % 4],
      explanation: `${SECRET}单${i}`,
    });
    await createQuestion(bank.id, { ...base, type: "true_false", stem: `判断${i}`, value: i % 2 === 0, explanation: `${SECRET}判${i}` });
  }
  // Not drawn for battles: answering takes more than one tap.
  await createQuestion(bank.id, { ...base, type: "fill_blank", stem: "填空____", blanks: [["答案"]], explanation: `${SECRET}填` });
  // The other committee's members have a bank of their own.
  const otherBank = await createBank({ unitId: other.get("别的党委")!.id, name: "别的题库" });
  await createQuestion(otherBank.id, { ...base, type: "true_false", stem: "别的判断", value: true, explanation: "别的解析" });
});

beforeEach(async () => {
  await db.delete(battleQueue);
});

async function players(n: number, { unitId = branchId, ratings = [] as number[] } = {}) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = await makeMember({ unitId });
    ids.push(m.id);
    if (ratings[i] !== undefined) await db.insert(battleRatings).values({ userId: m.id, rating: ratings[i] });
  }
  return ids;
}

async function battleOf(id: number) {
  const [b] = await db.select().from(battles).where(eq(battles.id, id));
  return b;
}

/** Everyone asks at `t`; returns the battle they were all put in. */
async function start(userIds: number[], size: 2 | 4, t: Date) {
  for (const u of userIds) await joinQueue(u, size, t);
  const ids = await Promise.all(userIds.map((u) => activeBattleOf(u)));
  expect(new Set(ids).size).toBe(1);
  expect(ids[0]).not.toBeNull();
  // Their battle pages are open.
  for (const u of userIds) await markPresent(ids[0]!, u);
  return ids[0]!;
}

async function responses(battleId: number, index: number): Promise<{ right: QuizResponse; wrong: QuizResponse }> {
  const b = await battleOf(battleId);
  const [v] = await db.select().from(questionVersions).where(eq(questionVersions.id, b.versionIds[index]));
  if (v.type === "true_false") return { right: { value: v.answer.value }, wrong: { value: !v.answer.value } };
  const right = v.answer.choices![0];
  return { right: { choices: [right] }, wrong: { choices: [v.options.find((o) => o.id !== right)!.id] } };
}

/** `ms` after the current question was served. */
async function during(battleId: number, ms: number) {
  const b = await battleOf(battleId);
  return new Date(b.currentServedAt!.getTime() + ms);
}

async function playerRows(battleId: number) {
  const rows = await db.select().from(battlePlayers).where(eq(battlePlayers.battleId, battleId));
  return new Map(rows.map((r) => [r.userId, r]));
}

async function battlePoints(userId: number, battleId: number) {
  const rows = await db
    .select()
    .from(pointEntries)
    .where(and(eq(pointEntries.userId, userId), eq(pointEntries.sourceKey, `battle:${battleId}`)));
  return rows.map((r) => `${r.ruleCode}:${r.amount}`);
}

describe("matchmaking", () => {
  it("matches close ratings at once and far ratings only after the window has widened", async () => {
    const [a, b, c] = await players(3, { ratings: [1200, 1500, 1250] });
    const t0 = new Date();
    expect((await joinQueue(a, 2, t0)).queue.state).toBe("waiting");
    expect((await joinQueue(b, 2, t0)).queue.state).toBe("waiting");
    const at = (ms: number) => new Date(t0.getTime() + ms);
    // 300 apart: 100 + 30/s accepts it after 6⅔ s.
    expect((await pollQueue(a, at(3_000))).queue).toMatchObject({ state: "waiting", window: 190 });
    expect((await pollQueue(b, at(6_000))).queue.state).toBe("waiting");
    const polled = await pollQueue(a, at(7_000));
    expect(polled.queue.state).toBe("matched");
    expect(polled.formed).toHaveLength(1);
    expect((await pollQueue(b, at(7_100))).queue).toEqual(polled.queue);
    // A close rating is matched at once with whoever suits, the far one no longer waiting.
    const [d] = await players(1, { ratings: [1290] });
    await joinQueue(c, 2, at(8_000));
    expect((await joinQueue(d, 2, at(8_000))).queue.state).toBe("matched");
    expect(await activeBattleOf(c)).toBe(await activeBattleOf(d));
  });

  it("tells a member after 30 s that no opponent was found, and lets them try again", async () => {
    const [a] = await players(1);
    const t0 = new Date();
    await joinQueue(a, 4, t0);
    expect((await pollQueue(a, new Date(t0.getTime() + 5_000))).queue.state).toBe("waiting");
    expect((await pollQueue(a, new Date(t0.getTime() + MATCH_TIMEOUT_MS))).queue).toEqual({ state: "noOpponent", size: 4 });
    expect(await db.select().from(battleQueue).where(eq(battleQueue.userId, a))).toEqual([]);
    expect((await pollQueue(a, new Date(t0.getTime() + MATCH_TIMEOUT_MS + 1_000))).queue).toEqual({ state: "idle" });
    expect((await joinQueue(a, 4, new Date(t0.getTime() + MATCH_TIMEOUT_MS + 2_000))).queue.state).toBe("waiting");
    await leaveQueue(a);
    expect((await pollQueue(a)).queue).toEqual({ state: "idle" });
  });

  it("does not match a member whose page went away, nor one of another committee, nor across sizes", async () => {
    const [gone, here, four] = await players(3);
    const [stranger] = await players(1, { unitId: otherCommitteeBranchId });
    const t0 = new Date();
    await joinQueue(gone, 2, t0);
    await joinQueue(four, 4, t0);
    await joinQueue(stranger, 2, new Date(t0.getTime() + QUEUE_STALE_MS + 1_000));
    expect((await joinQueue(here, 2, new Date(t0.getTime() + QUEUE_STALE_MS + 1_000))).queue.state).toBe("waiting");
    expect(await activeBattleOf(gone)).toBeNull();
    expect(await activeBattleOf(four)).toBeNull();
    expect(await activeBattleOf(stranger)).toBeNull();
  });

  it("forms correct battles from 20 concurrent requests, nobody in two", async () => {
    const ids = await players(20);
    const t0 = new Date();
    // 12 want a duel and 8 a four-player battle; two members also press the button twice.
    await Promise.all([...ids.map((u, i) => joinQueue(u, i < 12 ? 2 : 4, t0)), joinQueue(ids[0], 2, t0), joinQueue(ids[19], 4, t0)]);
    await Promise.all(ids.map((u) => pollQueue(u, t0)));
    const rows = await db.select().from(battlePlayers).where(inArray(battlePlayers.userId, ids));
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.userId)).size).toBe(20);
    const byBattle = new Map<number, number[]>();
    for (const r of rows) byBattle.set(r.battleId, [...(byBattle.get(r.battleId) ?? []), r.userId]);
    const formed = await db
      .select()
      .from(battles)
      .where(inArray(battles.id, [...byBattle.keys()]));
    expect(formed.filter((b) => b.size === 2)).toHaveLength(6);
    expect(formed.filter((b) => b.size === 4)).toHaveLength(2);
    for (const b of formed) {
      expect(byBattle.get(b.id)).toHaveLength(b.size);
      for (const u of byBattle.get(b.id)!) expect(ids.indexOf(u) < 12 ? 2 : 4).toBe(b.size);
      expect(b.versionIds).toHaveLength(QUESTIONS_PER_BATTLE);
    }
    expect(await db.select().from(battleQueue).where(inArray(battleQueue.userId, ids))).toEqual([]);
    // Asking again while in a battle goes back to it.
    expect((await joinQueue(ids[3], 2, t0)).queue).toEqual({ state: "matched", battleId: rows.find((r) => r.userId === ids[3])!.battleId });
  });

  it("draws only one-tap questions of the banks all players share", async () => {
    const [a, b] = await players(2);
    const id = await start([a, b], 2, new Date());
    const versions = await db
      .select()
      .from(questionVersions)
      .where(inArray(questionVersions.id, (await battleOf(id)).versionIds));
    expect(versions.every((v) => v.type === "single" || v.type === "true_false")).toBe(true);
    expect(versions.some((v) => v.stem.startsWith("别的"))).toBe(false);
    await leaveBattle(id, a);
  });
});

describe("a 2-player battle", () => {
  it("is played to the end: first right answer 3, later 1, places, Elo, played/won and points", async () => {
    const [a, b] = await players(2);
    const t0 = new Date();
    const id = await start([a, b], 2, t0);
    const first = await battleOf(id);
    expect(first.status).toBe("running");
    expect(first.currentServedAt!.getTime()).toBe(t0.getTime() + timing.startDelayMs);
    for (let i = 0; i < QUESTIONS_PER_BATTLE; i++) {
      const { right, wrong } = await responses(id, i);
      // b is quicker on even questions, a on odd ones; a is wrong on question 0.
      const [quick, slow] = i % 2 === 0 ? [b, a] : [a, b];
      expect(await answerBattle({ battleId: id, userId: quick, index: i, response: right, now: await during(id, 1_000) })).toMatchObject({
        ok: true,
      });
      const last = await during(id, 2_000);
      expect(await answerBattle({ battleId: id, userId: slow, index: i, response: i === 0 ? wrong : right, now: last })).toMatchObject({ ok: true });
      const after = await battleOf(id);
      if (i < QUESTIONS_PER_BATTLE - 1) {
        // Both answered: the question closes at once and the next comes after the reveal pause.
        expect(after.currentIndex).toBe(i + 1);
        expect(after.currentServedAt!.getTime()).toBe(last.getTime() + timing.revealMs);
      } else {
        expect(after.status).toBe("finished");
      }
    }
    const rows = await playerRows(id);
    // b: 3 firsts and 2 later (11); a: 2 firsts and 2 later, one wrong (8).
    expect(rows.get(b)!.score).toBe(3 * FIRST_CORRECT_POINTS + 2 * LATER_CORRECT_POINTS);
    expect(rows.get(a)!.score).toBe(2 * FIRST_CORRECT_POINTS + 2 * LATER_CORRECT_POINTS);
    expect(rows.get(b)!.place).toBe(1);
    expect(rows.get(a)!.place).toBe(2);
    expect(rows.get(b)!.ratingAfter).toBe(1216);
    expect(rows.get(a)!.ratingAfter).toBe(1184);
    const ratings = new Map(
      (
        await db
          .select()
          .from(battleRatings)
          .where(inArray(battleRatings.userId, [a, b]))
      ).map((r) => [r.userId, r]),
    );
    expect(ratings.get(b)).toMatchObject({ rating: 1216, played: 1, won: 1 });
    expect(ratings.get(a)).toMatchObject({ rating: 1184, played: 1, won: 0 });
    expect(await battlePoints(b, id)).toEqual(["battle_win:2"]);
    expect(await battlePoints(a, id)).toEqual(["battle_play:1"]);
    const view = await battleView(id, a);
    expect(view).toMatchObject({ phase: "finished", pointsEarned: 1, question: null });
    expect(view!.reveal!.index).toBe(QUESTIONS_PER_BATTLE - 1);
    // Finishing again changes nothing.
    expect(await advanceBattle(id)).toBeNull();
    expect(await battlePoints(b, id)).toEqual(["battle_win:2"]);
  });

  it("forfeits a player whose battle page never opens, once the first question is served and the grace has passed", async () => {
    const [a, b] = await players(2);
    const t = new Date();
    await joinQueue(a, 2, t);
    await joinQueue(b, 2, t);
    const id = (await activeBattleOf(a))!;
    await markPresent(id, a);
    const servedAt = (await battleOf(id)).currentServedAt!.getTime();
    await advanceBattle(id, new Date(servedAt + timing.leaveGraceMs - 1));
    expect((await battleOf(id)).status).toBe("running");
    await advanceBattle(id, new Date(servedAt + timing.leaveGraceMs));
    expect((await playerRows(id)).get(b)).toMatchObject({ forfeited: true, place: 2 });
    expect((await playerRows(id)).get(a)).toMatchObject({ forfeited: false, place: 1 });
  });

  it("ends when one player leaves: the other wins, the leaver loses rating and earns nothing", async () => {
    const [a, b] = await players(2);
    const id = await start([a, b], 2, new Date());
    const { right } = await responses(id, 0);
    await answerBattle({ battleId: id, userId: a, index: 0, response: right, now: await during(id, 500) });
    expect((await leaveBattle(id, a, await during(id, 600))).left).toBe(true);
    const rows = await playerRows(id);
    expect((await battleOf(id)).status).toBe("finished");
    expect(rows.get(a)).toMatchObject({ forfeited: true, place: 2, ratingAfter: 1184 });
    expect(rows.get(b)).toMatchObject({ forfeited: false, place: 1, ratingAfter: 1216 });
    expect(await battlePoints(a, id)).toEqual([]);
    expect(await battlePoints(b, id)).toEqual(["battle_win:2"]);
    expect((await leaveBattle(id, b)).left).toBe(false);
  });
});

describe("a 4-player battle", () => {
  it("scores by order, times out unanswered questions, and continues when a player leaves", async () => {
    const ratings = [1200, 1300, 1250, 1220];
    const [a, b, c, d] = await players(4, { ratings });
    const id = await start([a, b, c, d], 4, new Date());
    // Question 0: a right first, b right later, c wrong, d silent → closes on time.
    let r = await responses(id, 0);
    await answerBattle({ battleId: id, userId: a, index: 0, response: r.right, now: await during(id, 800) });
    await answerBattle({ battleId: id, userId: c, index: 0, response: r.wrong, now: await during(id, 900) });
    await answerBattle({ battleId: id, userId: b, index: 0, response: r.right, now: await during(id, 1_000) });
    let b0 = await battleOf(id);
    expect(b0.currentIndex).toBe(0);
    expect(await advanceBattle(id, new Date(closesAt(b0) - 1))).toBe(closesAt(b0));
    expect((await battleOf(id)).currentIndex).toBe(0);
    await advanceBattle(id, new Date(closesAt(b0)));
    const b1 = await battleOf(id);
    expect(b1.currentIndex).toBe(1);
    expect(b1.currentServedAt!.getTime()).toBe(closesAt(b0) + timing.revealMs);
    let rows = await playerRows(id);
    expect([a, b, c, d].map((u) => rows.get(u)!.score)).toEqual([3, 1, 0, 0]);
    // d's page closes and does not come back: gone after the grace, the rest play on.
    const goneAt = await during(id, 100);
    await markGone(id, d, goneAt);
    await advanceBattle(id, new Date(goneAt.getTime() + timing.leaveGraceMs - 1));
    expect((await playerRows(id)).get(d)!.forfeited).toBe(false);
    await advanceBattle(id, new Date(goneAt.getTime() + timing.leaveGraceMs));
    expect((await playerRows(id)).get(d)!.forfeited).toBe(true);
    expect(
      (await answerBattle({ battleId: id, userId: d, index: 1, response: (await responses(id, 1)).right, now: await during(id, 5_500) })).ok,
    ).toBe(false);
    // The three left answering closes the question at once.
    for (let i = 1; i < QUESTIONS_PER_BATTLE; i++) {
      r = await responses(id, i);
      for (const [k, u] of [c, a, b].entries()) {
        const out = await answerBattle({ battleId: id, userId: u, index: i, response: r.right, now: await during(id, 6_000 + k) });
        expect(out.ok).toBe(true);
      }
    }
    b0 = await battleOf(id);
    expect(b0.status).toBe("finished");
    rows = await playerRows(id);
    // c first on 4 questions (12); a later ×4 + 3 = 7; b later ×4 + 1 = 5; d left.
    expect([a, b, c, d].map((u) => rows.get(u)!.score)).toEqual([7, 5, 12, 0]);
    expect([a, b, c, d].map((u) => rows.get(u)!.place)).toEqual([2, 3, 1, 4]);
    expect([a, b, c, d].map((u) => rows.get(u)!.ratingAfter)).toEqual(eloUpdate(ratings.map((rating, i) => ({ rating, place: [2, 3, 1, 4][i] }))));
    expect(await battlePoints(c, id)).toEqual(["battle_win:2"]);
    expect(await battlePoints(a, id)).toEqual(["battle_play:1"]);
    expect(await battlePoints(d, id)).toEqual([]);
  });

  it("gives exactly one first place to right answers that arrive together", async () => {
    const ids = await players(4);
    const id = await start(ids, 4, new Date());
    const { right } = await responses(id, 0);
    const now = await during(id, 1_000);
    const results = await Promise.all(ids.map((userId) => answerBattle({ battleId: id, userId, index: 0, response: right, now })));
    expect(results.every((r) => r.ok)).toBe(true);
    const points = (await db.select().from(battleAnswers).where(eq(battleAnswers.battleId, id))).map((a) => a.points).sort();
    expect(points).toEqual([LATER_CORRECT_POINTS, LATER_CORRECT_POINTS, LATER_CORRECT_POINTS, FIRST_CORRECT_POINTS]);
    expect((await battleOf(id)).currentIndex).toBe(1);
    for (const u of ids) await leaveBattle(id, u);
  });

  it("keeps a player whose connection comes back within the grace", async () => {
    const [a, b, c, d] = await players(4);
    const id = await start([a, b, c, d], 4, new Date());
    const t = await during(id, 0);
    await markGone(id, b, t);
    await markPresent(id, b);
    await advanceBattle(id, new Date(t.getTime() + timing.leaveGraceMs + 10));
    expect((await playerRows(id)).get(b)!.forfeited).toBe(false);
    // Everyone leaving one by one: the last one in wins.
    await leaveBattle(id, a);
    await leaveBattle(id, b);
    expect((await battleOf(id)).status).toBe("running");
    await leaveBattle(id, c);
    expect((await battleOf(id)).status).toBe("finished");
    expect((await playerRows(id)).get(d)!.place).toBe(1);
  });
});

describe("the clock", () => {
  it("times out questions nobody answers, and catches up after a pause", async () => {
    const [a, b] = await players(2);
    const id = await start([a, b], 2, new Date());
    const b0 = await battleOf(id);
    expect(await advanceIfDue(id, new Date(closesAt(b0) - 1))).toBe(closesAt(b0));
    expect((await battleOf(id)).currentIndex).toBe(0);
    expect(await advanceIfDue(id, new Date(closesAt(b0)))).toBeGreaterThan(closesAt(b0));
    expect((await battleOf(id)).currentIndex).toBe(1);
    // An instance that was down for an hour: every overdue question closes on its own schedule.
    await advanceIfDue(id, new Date(closesAt(b0) + 3_600_000));
    const done = await battleOf(id);
    expect(done.status).toBe("finished");
    const rows = await playerRows(id);
    expect([...rows.values()].map((p) => p.score)).toEqual([0, 0]);
    // Equal: a draw, nobody won.
    expect([...rows.values()].map((p) => p.place)).toEqual([1, 1]);
    expect(await battlePoints(a, id)).toEqual(["battle_play:1"]);
  });

  it("advances by timer when nobody acts, and announces it on the bus", async () => {
    const [a, b] = await players(2);
    const id = await start([a, b], 2, new Date());
    // Due 300 ms from now.
    const servedAt = new Date(Date.now() + 300 - (await battleOf(id)).secondsPerQuestion * 1000 - timing.graceMs);
    await db.update(battles).set({ currentServedAt: servedAt }).where(eq(battles.id, id));
    let heard!: (data: unknown) => void;
    const message = new Promise<unknown>((resolve) => (heard = resolve));
    const stop = await bus.subscribe(battleTopic(id), (data) => heard(data));
    scheduleAdvance(id, closesAt(await battleOf(id)));
    await message;
    expect((await battleOf(id)).currentIndex).toBe(1);
    scheduleAdvance(id, null);
    stop();
  });
});

describe("several instances", () => {
  it("announces each change to another instance's listeners (its own LISTEN connection on PostgreSQL)", async () => {
    const [a, b] = await players(2);
    const id = await start([a, b], 2, new Date());
    const second = createBus(db, driver);
    const heard: unknown[] = [];
    await second.subscribe(battleTopic(id), (data) => heard.push(data));
    await answerBattle({ battleId: id, userId: a, index: 0, response: (await responses(id, 0)).right, now: await during(id, 100) });
    await expect.poll(() => heard.length, { timeout: 3_000 }).toBeGreaterThan(0);
    // Another instance sees the same state and, its timers being idempotent, cannot double a step.
    const due = closesAt(await battleOf(id));
    await Promise.all([advanceBattle(id, new Date(due)), advanceBattle(id, new Date(due))]);
    expect((await battleOf(id)).currentIndex).toBe(1);
    expect((await playerRows(id)).get(a)!.score).toBe(FIRST_CORRECT_POINTS);
    await second.close();
    await leaveBattle(id, a);
  });
});

describe("integrity", () => {
  it("refuses a second answer, an unserved question, a late answer, a stranger and a tampered answer", async () => {
    const [a, b] = await players(2);
    const [stranger] = await players(1);
    const id = await start([a, b], 2, new Date());
    const r0 = await responses(id, 0);
    const answer = (userId: number, index: number, response: QuizResponse, now: Date) => answerBattle({ battleId: id, userId, index, response, now });
    // Before the first question is served (the start countdown).
    expect(await answer(a, 0, r0.right, await during(id, -500))).toMatchObject({ ok: false, error: "notServed" });
    expect(await answer(a, 1, r0.right, await during(id, 500))).toMatchObject({ ok: false, error: "notServed" });
    expect(await answer(stranger, 0, r0.right, await during(id, 500))).toMatchObject({ ok: false, error: "notPlayer" });
    expect(await answer(a, 0, { choices: ["nope"], value: true }, await during(id, 500))).toMatchObject({ ok: false, error: "tampered" });
    expect(await answer(a, 0, r0.wrong, await during(id, 600))).toMatchObject({ ok: true });
    expect(await answer(a, 0, r0.right, await during(id, 700))).toMatchObject({ ok: false, error: "already" });
    const answers = await db.select().from(battleAnswers).where(eq(battleAnswers.battleId, id));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ userId: a, correct: false, points: 0 });
    // Within the 1 s grace after the deadline: still counts.
    const b0 = await battleOf(id);
    const deadline = b0.currentServedAt!.getTime() + b0.secondsPerQuestion * 1000;
    expect(await answer(b, 0, r0.right, new Date(deadline + timing.graceMs - 10))).toMatchObject({ ok: true });
    // Question 1: b answers after the grace.
    const b1 = await battleOf(id);
    const r1 = await responses(id, 1);
    expect(await answer(b, 1, r1.right, new Date(closesAt(b1) + 1))).toMatchObject({ ok: false, error: "late" });
    expect(await answer(a, 1, r1.right, new Date(closesAt(b1) + 2))).toMatchObject({ ok: false, error: "closed" });
    expect((await playerRows(id)).get(b)!.score).toBe(FIRST_CORRECT_POINTS);
    await leaveBattle(id, a);
    expect(await answer(b, 2, (await responses(id, 2)).right, await during(id, 100))).toMatchObject({ ok: false, error: "over" });
  });

  it("shows a question without its key until it closes, and nothing to a stranger", async () => {
    const [a, b] = await players(2);
    const [stranger] = await players(1);
    const id = await start([a, b], 2, new Date());
    expect(await battleView(id, stranger)).toBeNull();
    const starting = await battleView(id, a, await during(id, -1));
    expect(starting).toMatchObject({ phase: "starting", question: null, reveal: null });
    const open = await battleView(id, a, await during(id, 10));
    expect(open!.phase).toBe("question");
    expect(open!.question!.stem).toBeTruthy();
    expect(JSON.stringify(open)).not.toContain(SECRET);
    expect(JSON.stringify(open)).not.toContain('"answer"');
    await answerBattle({ battleId: id, userId: a, index: 0, response: (await responses(id, 0)).right, now: await during(id, 20) });
    const answered = await battleView(id, b, await during(id, 30));
    expect(answered!.players.find((p) => p.userId === a)!.answered).toBe(true);
    expect(JSON.stringify(answered)).not.toContain(SECRET);
    await answerBattle({ battleId: id, userId: b, index: 0, response: (await responses(id, 0)).wrong, now: await during(id, 40) });
    const reveal = await battleView(id, b, await during(id, -10));
    expect(reveal!.phase).toBe("reveal");
    expect(reveal!.question).toBeNull();
    expect(reveal!.reveal!.explanation).toContain(SECRET);
    expect(reveal!.reveal!.results.find((x) => x.userId === a)).toMatchObject({ correct: true, points: FIRST_CORRECT_POINTS });
    expect(reveal!.reveal!.results.find((x) => x.userId === b)).toMatchObject({ correct: false, points: 0 });
    await leaveBattle(id, a);
  });
});

describe("matchmaking and battles together", () => {
  it("frees players for a new battle once theirs is over", async () => {
    const [a, b] = await players(2);
    const id = await start([a, b], 2, new Date());
    await leaveBattle(id, b);
    expect(await activeBattleOf(a)).toBeNull();
    const t = new Date();
    await joinQueue(a, 2, t);
    expect((await joinQueue(b, 2, t)).queue.state).toBe("matched");
    expect(await activeBattleOf(a)).not.toBe(id);
    expect((await matchmake(t)).length).toBe(0);
  });
});
