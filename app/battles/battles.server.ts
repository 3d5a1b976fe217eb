// Playing a live battle. The server keeps the clock: question i is shown from current_served_at,
// may be answered until that plus seconds_per_question (and a short grace for the network), and
// closes early once every player still in answered. The battle row is locked (FOR UPDATE) for
// every change, so answers to one battle are judged one at a time and the first right answer is
// well defined, whichever app instance takes it. Every change is announced on the bus topic
// `battle:<id>` inside its transaction, so open pages on every instance hear of it on commit.
//
// Nothing here waits for time to pass: `advanceLocked` closes whatever is overdue at `now`, and
// is called on every answer, every page view, every tick of a live connection and by the
// per-process timers of ./clock.server — a restarted or lost instance cannot stall a battle.
import { and, asc, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { battleAnswers, battlePlayers, battleRatings, battles, pointEntries, questionVersions, units, users } from "~/db/schema";
import { awardBattle } from "~/points/ledger.server";
import {
  presentQuestion,
  responseProblem,
  grade,
  seededRng,
  seedFrom,
  shuffleOptions,
  type PresentedQuestion,
  type QuizResponse,
} from "~/quiz/grading";
import type { Tx } from "~/quiz/banks.server";
import { bus } from "~/realtime/bus.server";
import { answerPoints, eloUpdate, isWinner, placesOf } from "./rules";

export type BattleRow = typeof battles.$inferSelect;
type PlayerRow = typeof battlePlayers.$inferSelect;

function envInt(name: string, fallback: number, min: number, max: number) {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

export const timing = {
  /** Seconds to answer one question (BATTLE_SECONDS_PER_QUESTION, 3–120; the end-to-end tests use a few). */
  secondsPerQuestion: envInt("BATTLE_SECONDS_PER_QUESTION", 15, 3, 120),
  /** From the match to the first question: time for every page to open. */
  startDelayMs: 3_000,
  /** Between questions: the right answer and who got it are shown. */
  revealMs: 3_000,
  /** Answers that arrive this late after the deadline still count (the network, not the player, was slow). */
  graceMs: 1_000,
  /** A player whose live connection stays away this long has left the battle. */
  leaveGraceMs: 5_000,
};

export const battleTopic = (battleId: number) => `battle:${battleId}`;

/** When the current question stops taking answers (deadline plus grace). */
export function closesAt(b: Pick<BattleRow, "currentServedAt" | "secondsPerQuestion">): number {
  return (b.currentServedAt?.getTime() ?? 0) + b.secondsPerQuestion * 1000 + timing.graceMs;
}

/** The next moment the battle changes by itself (a question times out, a player's grace runs out), or null. */
export function dueAt(b: BattleRow, players: readonly Pick<PlayerRow, "forfeited" | "leftAt">[]): number | null {
  if (b.status !== "running") return null;
  let due = closesAt(b);
  for (const p of players) if (!p.forfeited && p.leftAt) due = Math.min(due, p.leftAt.getTime() + timing.leaveGraceMs);
  return due;
}

/** The option order of question `index` of a battle: the same for every player. */
function optionOrder(battleId: number, index: number, options: { id: string; text: string }[]) {
  return shuffleOptions(options, seededRng(seedFrom(`battle:${battleId}:${index}`)));
}

async function lockBattle(tx: Tx, battleId: number) {
  const [b] = await tx.select().from(battles).where(eq(battles.id, battleId)).for("update");
  return b;
}

/** Places, ratings, played/won and points, once, when the battle ends. */
async function finish(tx: Tx, b: BattleRow, players: PlayerRow[], at: Date) {
  const places = placesOf(players);
  const ratings = eloUpdate(
    players.map((p) => ({
      rating: p.ratingBefore,
      place: places.get(p.userId)!,
    })),
  );
  for (const [i, p] of players.entries()) {
    const won = isWinner(p, places);
    const delta = ratings[i] - p.ratingBefore;
    await tx
      .update(battlePlayers)
      .set({ place: places.get(p.userId)!, ratingAfter: ratings[i] })
      .where(and(eq(battlePlayers.battleId, b.id), eq(battlePlayers.userId, p.userId)));
    await tx
      .insert(battleRatings)
      .values({
        userId: p.userId,
        rating: ratings[i],
        played: 1,
        won: won ? 1 : 0,
      })
      .onConflictDoUpdate({
        target: battleRatings.userId,
        set: {
          rating: sql`${battleRatings.rating} + ${delta}`,
          played: sql`${battleRatings.played} + 1`,
          won: sql`${battleRatings.won} + ${won ? 1 : 0}`,
        },
      });
    // Leaving is not playing: a player who forfeited earns no points.
    if (!p.forfeited) await awardBattle({ userId: p.userId, battleId: b.id, won, at, tx });
  }
  const [done] = await tx.update(battles).set({ status: "finished", finishedAt: at }).where(eq(battles.id, b.id)).returning();
  return done;
}

/**
 * Brings a locked, running battle up to `now`: players away longer than the grace forfeit; the
 * current question closes when every player still in has answered or its time is up, and the
 * next is served after the reveal pause; with one player or none left, or after the last
 * question, the battle finishes. Timing follows the schedule, not the moment this runs, so a
 * late call catches up (closing several questions) rather than stretching the battle.
 */
async function advanceLocked(tx: Tx, locked: BattleRow, now: Date): Promise<{ battle: BattleRow; changed: boolean }> {
  let b = locked;
  if (b.status !== "running") return { battle: b, changed: false };
  const gone = await tx
    .update(battlePlayers)
    .set({ forfeited: true })
    .where(
      and(
        eq(battlePlayers.battleId, b.id),
        eq(battlePlayers.forfeited, false),
        lte(battlePlayers.leftAt, new Date(now.getTime() - timing.leaveGraceMs)),
      ),
    )
    .returning();
  let changed = gone.length > 0;
  for (;;) {
    const players = await tx.select().from(battlePlayers).where(eq(battlePlayers.battleId, b.id)).orderBy(asc(battlePlayers.userId));
    const active = players.filter((p) => !p.forfeited);
    if (active.length <= 1) {
      b = await finish(tx, b, players, now);
      return { battle: b, changed: true };
    }
    const servedAt = b.currentServedAt?.getTime() ?? 0;
    if (now.getTime() < servedAt) break;
    const [{ answered }] = await tx
      .select({ answered: sql<number>`count(*)::int` })
      .from(battleAnswers)
      .where(
        and(
          eq(battleAnswers.battleId, b.id),
          eq(battleAnswers.position, b.currentIndex),
          inArray(
            battleAnswers.userId,
            active.map((p) => p.userId),
          ),
        ),
      );
    const closeAt = closesAt(b);
    const everyone = Number(answered) >= active.length;
    if (!everyone && now.getTime() < closeAt) break;
    const closedAt = new Date(everyone ? Math.min(now.getTime(), closeAt) : closeAt);
    changed = true;
    if (b.currentIndex + 1 >= b.versionIds.length) {
      b = await finish(tx, b, players, closedAt);
      break;
    }
    [b] = await tx
      .update(battles)
      .set({
        currentIndex: b.currentIndex + 1,
        currentServedAt: new Date(closedAt.getTime() + timing.revealMs),
      })
      .where(eq(battles.id, b.id))
      .returning();
  }
  return { battle: b, changed };
}

async function announce(tx: Tx, battleId: number) {
  await bus.publish(battleTopic(battleId), { at: Date.now() }, tx);
}

/** Closes whatever is overdue; the next moment the battle changes by itself, for the caller's timer. */
export async function advanceBattle(battleId: number, now = new Date()): Promise<number | null> {
  return db.transaction(async (tx) => {
    const locked = await lockBattle(tx, battleId);
    if (!locked) return null;
    const { battle, changed } = await advanceLocked(tx, locked, now);
    if (changed) await announce(tx, battleId);
    const players = await tx.select().from(battlePlayers).where(eq(battlePlayers.battleId, battleId));
    return dueAt(battle, players);
  });
}

/** Like advanceBattle, but takes no lock unless something is due: cheap enough for every request. */
export async function advanceIfDue(battleId: number, now = new Date()): Promise<number | null> {
  const [b] = await db.select().from(battles).where(eq(battles.id, battleId));
  if (!b || b.status !== "running") return null;
  const players = await db.select().from(battlePlayers).where(eq(battlePlayers.battleId, battleId));
  const due = dueAt(b, players);
  if (due === null) return null;
  return now.getTime() >= due ? advanceBattle(battleId, now) : due;
}

export type AnswerError = "notPlayer" | "over" | "forfeited" | "notServed" | "closed" | "late" | "already" | "tampered";
export type AnswerResult = { ok: true; dueAt: number | null } | { ok: false; error: AnswerError; dueAt: number | null };

/**
 * Player `userId` answers question `index`. Refused when they are not in the battle, have left
 * it, the battle is over, the question is not the one being shown (not yet served, or already
 * closed), the deadline and grace have passed, they answered it already, or the response does
 * not fit the question. Right answers score by the order the server took them in.
 */
export async function answerBattle({
  battleId,
  userId,
  index,
  response,
  now = new Date(),
}: {
  battleId: number;
  userId: number;
  index: number;
  response: QuizResponse;
  now?: Date;
}): Promise<AnswerResult> {
  return db.transaction(async (tx) => {
    const locked = await lockBattle(tx, battleId);
    const [player] = locked
      ? await tx
          .select()
          .from(battlePlayers)
          .where(and(eq(battlePlayers.battleId, battleId), eq(battlePlayers.userId, userId)))
      : [];
    if (!locked || !player) return { ok: false as const, error: "notPlayer" as const, dueAt: null };
    // Judged on the battle as it stood when the answer arrived, before anything overdue is closed.
    const late = locked.status === "running" && index === locked.currentIndex && now.getTime() > closesAt(locked);
    const { battle: b, changed } = await advanceLocked(tx, locked, now);
    const refuse = async (error: AnswerError) => {
      if (changed) await announce(tx, battleId);
      const players = await tx.select().from(battlePlayers).where(eq(battlePlayers.battleId, battleId));
      return { ok: false as const, error, dueAt: dueAt(b, players) };
    };
    if (late) return refuse("late");
    if (b.status !== "running") return refuse("over");
    if (player.forfeited) return refuse("forfeited");
    if (index > b.currentIndex || (index === b.currentIndex && now.getTime() < (b.currentServedAt?.getTime() ?? 0))) return refuse("notServed");
    if (index < b.currentIndex) return refuse("closed");
    const [v] = await tx.select().from(questionVersions).where(eq(questionVersions.id, b.versionIds[index]));
    if (responseProblem(v, response)) return refuse("tampered");
    const { correct } = grade(v, response);
    const [{ rightBefore }] = await tx
      .select({ rightBefore: sql<number>`count(*)::int` })
      .from(battleAnswers)
      .where(and(eq(battleAnswers.battleId, battleId), eq(battleAnswers.position, index), eq(battleAnswers.correct, true)));
    const points = answerPoints(correct, Number(rightBefore));
    const elapsedMs = Math.max(0, now.getTime() - b.currentServedAt!.getTime());
    const [saved] = await tx
      .insert(battleAnswers)
      .values({
        battleId,
        position: index,
        userId,
        response,
        correct,
        points,
        elapsedMs,
        answeredAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!saved) return refuse("already");
    await tx
      .update(battlePlayers)
      .set({
        score: sql`${battlePlayers.score} + ${points}`,
        correctMs: sql`${battlePlayers.correctMs} + ${correct ? elapsedMs : 0}`,
        leftAt: null,
      })
      .where(and(eq(battlePlayers.battleId, battleId), eq(battlePlayers.userId, userId)));
    const after = await advanceLocked(tx, b, now);
    await announce(tx, battleId);
    const players = await tx.select().from(battlePlayers).where(eq(battlePlayers.battleId, battleId));
    return { ok: true as const, dueAt: dueAt(after.battle, players) };
  });
}

/** 退出: the player forfeits at once; the others play on. False when they are not in a running battle. */
export async function leaveBattle(battleId: number, userId: number, now = new Date()): Promise<{ left: boolean; dueAt: number | null }> {
  return db.transaction(async (tx) => {
    const locked = await lockBattle(tx, battleId);
    if (!locked || locked.status !== "running") return { left: false, dueAt: null };
    const [left] = await tx
      .update(battlePlayers)
      .set({ forfeited: true })
      .where(and(eq(battlePlayers.battleId, battleId), eq(battlePlayers.userId, userId), eq(battlePlayers.forfeited, false)))
      .returning();
    const { battle } = await advanceLocked(tx, locked, now);
    if (left) await announce(tx, battleId);
    const players = await tx.select().from(battlePlayers).where(eq(battlePlayers.battleId, battleId));
    return { left: Boolean(left), dueAt: dueAt(battle, players) };
  });
}

/** The player's live connection closed: unless it comes back within the grace, they have left. */
export async function markGone(battleId: number, userId: number, now = new Date()) {
  await db
    .update(battlePlayers)
    .set({ leftAt: now })
    .where(
      and(
        eq(battlePlayers.battleId, battleId),
        eq(battlePlayers.userId, userId),
        eq(battlePlayers.forfeited, false),
        sql`exists (select 1 from battles where battles.id = ${battleId} and battles.status = 'running')`,
      ),
    );
  return now.getTime() + timing.leaveGraceMs;
}

/** The player's live connection is open (again). */
export async function markPresent(battleId: number, userId: number) {
  await db
    .update(battlePlayers)
    .set({ leftAt: null })
    .where(and(eq(battlePlayers.battleId, battleId), eq(battlePlayers.userId, userId), sql`${battlePlayers.leftAt} is not null`));
}

/** The member's last finished battles, newest first. */
export async function recentBattles(userId: number, limit = 5) {
  return db
    .select({
      id: battles.id,
      size: battles.size,
      finishedAt: battles.finishedAt,
      place: battlePlayers.place,
      score: battlePlayers.score,
      ratingBefore: battlePlayers.ratingBefore,
      ratingAfter: battlePlayers.ratingAfter,
    })
    .from(battlePlayers)
    .innerJoin(battles, eq(battles.id, battlePlayers.battleId))
    .where(and(eq(battlePlayers.userId, userId), eq(battles.status, "finished")))
    .orderBy(desc(battles.finishedAt))
    .limit(limit);
}

export async function isPlayer(battleId: number, userId: number) {
  const [row] = await db
    .select({ userId: battlePlayers.userId })
    .from(battlePlayers)
    .where(and(eq(battlePlayers.battleId, battleId), eq(battlePlayers.userId, userId)));
  return Boolean(row);
}

// ---------------------------------------------------------------------------------------------
// What a player's page shows

/** A question as the battle page shows it: the presented question, and for true/false its two choices. */
export type BattleQuestion = PresentedQuestion & { index: number };

export type BattlePlayerView = {
  userId: number;
  name: string;
  unitName: string;
  score: number;
  forfeited: boolean;
  /** Answered the question being shown (not what, nor whether it was right, until it closes). */
  answered: boolean;
  place: number | null;
  ratingBefore: number;
  ratingAfter: number | null;
  me: boolean;
};

export type BattleReveal = BattleQuestion & {
  /** The right option id, or "true"/"false". */
  key: string[];
  explanation: string;
  results: {
    userId: number;
    answered: boolean;
    correct: boolean;
    points: number;
  }[];
};

export type BattleView = {
  id: number;
  size: number;
  phase: "starting" | "question" | "reveal" | "finished";
  serverNow: number;
  total: number;
  index: number;
  servedAt: number | null;
  deadline: number | null;
  secondsPerQuestion: number;
  question: BattleQuestion | null;
  myAnswered: boolean;
  myForfeited: boolean;
  players: BattlePlayerView[];
  /** The question that closed last, with its key: only once it is closed. */
  reveal: BattleReveal | null;
  /** Points the player earned for this battle (after it ends); null while it runs. */
  pointsEarned: number | null;
  /** When the battle changes by itself next (for the server's timers; harmless to show). */
  dueAt: number | null;
};

function keyOf(v: typeof questionVersions.$inferSelect): string[] {
  if (v.type === "true_false") return [String(v.answer.value)];
  return v.answer.choices ?? [];
}

/** The battle as player `userId` may see it at `now`, or null when they are not in it. */
export async function battleView(battleId: number, userId: number, now = new Date()): Promise<BattleView | null> {
  const [b] = await db.select().from(battles).where(eq(battles.id, battleId));
  if (!b) return null;
  const players = await db
    .select({ p: battlePlayers, name: users.name, unitName: units.name })
    .from(battlePlayers)
    .innerJoin(users, eq(users.id, battlePlayers.userId))
    .innerJoin(units, eq(units.id, users.unitId))
    .where(eq(battlePlayers.battleId, battleId))
    .orderBy(asc(battlePlayers.userId));
  const mine = players.find((r) => r.p.userId === userId);
  if (!mine) return null;
  const finished = b.status !== "running";
  const servedAt = b.currentServedAt?.getTime() ?? null;
  const shown = !finished && servedAt !== null && now.getTime() >= servedAt;
  const phase: BattleView["phase"] = finished ? "finished" : shown ? "question" : b.currentIndex === 0 ? "starting" : "reveal";
  // The last closed question: the one before the current, or (once finished) the last one answered.
  const revealIndex = finished ? lastPlayedIndex(b) : b.currentIndex - 1;
  const indexes = [shown ? b.currentIndex : -1, revealIndex].filter((i) => i >= 0);
  const answers = indexes.length
    ? await db
        .select()
        .from(battleAnswers)
        .where(and(eq(battleAnswers.battleId, battleId), inArray(battleAnswers.position, indexes)))
    : [];
  const versions = indexes.length
    ? await db
        .select()
        .from(questionVersions)
        .where(
          inArray(
            questionVersions.id,
            indexes.map((i) => b.versionIds[i]),
          ),
        )
    : [];
  const versionAt = (i: number) => versions.find((v) => v.id === b.versionIds[i])!;
  const present = (i: number): BattleQuestion => {
    const v = versionAt(i);
    return { index: i, ...presentQuestion(v, optionOrder(b.id, i, v.options)) };
  };
  const answeredNow = new Set(answers.filter((a) => shown && a.position === b.currentIndex).map((a) => a.userId));
  let reveal: BattleReveal | null = null;
  if (revealIndex >= 0) {
    const v = versionAt(revealIndex);
    reveal = {
      ...present(revealIndex),
      key: keyOf(v),
      explanation: v.explanation,
      results: players.map(({ p }) => {
        const a = answers.find((x) => x.position === revealIndex && x.userId === p.userId);
        return {
          userId: p.userId,
          answered: Boolean(a),
          correct: a?.correct ?? false,
          points: a?.points ?? 0,
        };
      }),
    };
  }
  let pointsEarned: number | null = null;
  if (finished) {
    const [row] = await db
      .select({
        amount: sql<number>`coalesce(sum(${pointEntries.amount}), 0)::int`,
      })
      .from(pointEntries)
      .where(
        and(
          eq(pointEntries.userId, userId),
          inArray(pointEntries.ruleCode, ["battle_win", "battle_play"]),
          eq(pointEntries.sourceKey, `battle:${battleId}`),
        ),
      );
    pointsEarned = Number(row.amount);
  }
  return {
    id: b.id,
    size: b.size,
    phase,
    serverNow: now.getTime(),
    total: b.versionIds.length,
    index: b.currentIndex,
    servedAt: finished ? null : servedAt,
    deadline: finished || servedAt === null ? null : servedAt + b.secondsPerQuestion * 1000,
    secondsPerQuestion: b.secondsPerQuestion,
    question: shown ? present(b.currentIndex) : null,
    myAnswered: answeredNow.has(userId),
    myForfeited: mine.p.forfeited,
    players: players.map(({ p, name, unitName }) => ({
      userId: p.userId,
      name,
      unitName,
      score: p.score,
      forfeited: p.forfeited,
      answered: answeredNow.has(p.userId),
      place: p.place,
      ratingBefore: p.ratingBefore,
      ratingAfter: p.ratingAfter,
      me: p.userId === userId,
    })),
    reveal,
    pointsEarned,
    dueAt: dueAt(
      b,
      players.map((r) => r.p),
    ),
  };
}

/** The last question a finished battle got to (it may have ended early when players left). */
function lastPlayedIndex(b: BattleRow) {
  const reached = b.finishedAt && b.currentServedAt && b.finishedAt.getTime() >= b.currentServedAt.getTime();
  return reached ? b.currentIndex : b.currentIndex - 1;
}
