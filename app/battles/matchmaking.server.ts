// Matchmaking: a member asks for a 2- or 4-player battle and waits in battle_queue; the waiting
// page polls, and every request (a join or a poll, on any instance) runs a matching round. A
// round holds one transaction-scoped advisory lock, so rounds run one at a time across all app
// instances on the database: no member is put in two battles, nor matched after their wait ran
// out. Within a round, members are grouped by rating, the accepted gap widening as they wait
// (./rules formGroups); a member not matched within 30 s is told so and may try again.
import { and, eq, gt, inArray, lt, or, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { battlePlayers, battleQueue, battleRatings, battles, users, units } from "~/db/schema";
import { rowsOf, type Tx } from "~/quiz/banks.server";
import { timing, type BattleRow } from "./battles.server";
import { formGroups, MATCH_TIMEOUT_MS, QUESTIONS_PER_BATTLE, START_RATING, matchWindow, type BattleSize, type Waiting } from "./rules";

/** A waiting member whose page has not polled for this long has gone away and is not matched. */
export const QUEUE_STALE_MS = 6_000;
const QUEUE_LOCK = "battle-queue";

export type QueueState =
  | { state: "matched"; battleId: number }
  | { state: "waiting"; size: number; waitedMs: number; window: number }
  | { state: "noOpponent"; size: number }
  | { state: "idle" };

async function lockQueue(tx: Tx) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${QUEUE_LOCK}))`);
}

/** The running battle the member is in, if any. */
export async function activeBattleOf(userId: number, executor: Pick<Tx, "select"> = db): Promise<number | null> {
  const [row] = await executor
    .select({ id: battles.id })
    .from(battlePlayers)
    .innerJoin(battles, eq(battles.id, battlePlayers.battleId))
    .where(and(eq(battlePlayers.userId, userId), eq(battles.status, "running")))
    .limit(1);
  return row?.id ?? null;
}

export async function ratingOf(userId: number, executor: Pick<Tx, "select"> = db) {
  const [row] = await executor.select().from(battleRatings).where(eq(battleRatings.userId, userId));
  return row ?? { userId, rating: START_RATING, played: 0, won: 0 };
}

/**
 * Single-choice and true/false questions of the banks every player's unit uses (banks of a unit
 * above or at each of them): one tap answers, which suits a race.
 */
async function drawQuestions(tx: Tx, unitCodes: string[], count: number): Promise<number[]> {
  const everyone = sql.join(
    unitCodes.map((code) => sql`${code} like bu.code || '%'`),
    sql` and `,
  );
  const rows = await rowsOf<{ version_id: number }>(
    tx.execute(sql`
      select v.id as version_id
      from questions q
      join question_banks b on b.id = q.bank_id
      join units bu on bu.id = b.unit_id
      join question_versions v on v.question_id = q.id and v.version = q.current_version
      where not q.archived and v.type in ('single', 'true_false') and ${everyone}
      order by random()
      limit ${count}`),
  );
  return rows.map((r) => Number(r.version_id));
}

/**
 * One matching round at `now`: drops members who went away or are already playing, groups the
 * rest by size and rating, and starts a battle for each group that has questions to share.
 * Returns the battles formed.
 */
export async function matchmake(now = new Date(), { secondsPerQuestion = timing.secondsPerQuestion } = {}): Promise<BattleRow[]> {
  return db.transaction(async (tx) => {
    await lockQueue(tx);
    await tx.delete(battleQueue).where(
      or(
        lt(battleQueue.seenAt, new Date(now.getTime() - QUEUE_STALE_MS)),
        sql`exists (select 1 from battle_players bp join battles b on b.id = bp.battle_id
                      where bp.user_id = ${battleQueue.userId} and b.status = 'running')`,
      ),
    );
    const waiting = await tx
      .select({
        userId: battleQueue.userId,
        size: battleQueue.size,
        rating: battleQueue.rating,
        enqueuedAt: battleQueue.enqueuedAt,
        unitCode: units.code,
      })
      .from(battleQueue)
      .innerJoin(users, eq(users.id, battleQueue.userId))
      .innerJoin(units, eq(units.id, users.unitId))
      // Those whose wait ran out are told so by their own next poll; they are not matched meanwhile.
      .where(gt(battleQueue.enqueuedAt, new Date(now.getTime() - MATCH_TIMEOUT_MS)));
    const codeOf = new Map(waiting.map((w) => [w.userId, w.unitCode]));
    const formed: BattleRow[] = [];
    for (const size of new Set(waiting.map((w) => w.size))) {
      const pool: Waiting[] = waiting
        .filter((w) => w.size === size)
        // Banks belong to units: only members of one committee share any.
        .map((w) => ({
          userId: w.userId,
          rating: w.rating,
          waitedMs: now.getTime() - w.enqueuedAt.getTime(),
          group: w.unitCode.slice(0, 3),
        }));
      for (const group of formGroups(pool, size)) {
        const versionIds = await drawQuestions(
          tx,
          group.map((w) => codeOf.get(w.userId)!),
          QUESTIONS_PER_BATTLE,
        );
        if (versionIds.length === 0) continue;
        const [battle] = await tx
          .insert(battles)
          .values({
            size,
            status: "running",
            versionIds,
            currentIndex: 0,
            currentServedAt: new Date(now.getTime() + timing.startDelayMs),
            secondsPerQuestion,
            createdAt: now,
          })
          .returning();
        // Away until their battle page connects: a player whose page never opens forfeits once the
        // first question is served and the grace has passed, instead of holding up the others.
        const away = new Date(now.getTime() + timing.startDelayMs);
        await tx.insert(battlePlayers).values(group.map((w) => ({ battleId: battle.id, userId: w.userId, ratingBefore: w.rating, leftAt: away })));
        await tx.delete(battleQueue).where(
          inArray(
            battleQueue.userId,
            group.map((w) => w.userId),
          ),
        );
        formed.push(battle);
      }
    }
    return formed;
  });
}

export type QueueOutcome = { queue: QueueState; formed: BattleRow[] };

/** Where the member stands: in a battle, waiting (how long, what gap is accepted), or neither. */
export async function queueState(userId: number, now: Date): Promise<QueueState> {
  const battleId = await activeBattleOf(userId);
  if (battleId) return { state: "matched", battleId };
  const [row] = await db.select().from(battleQueue).where(eq(battleQueue.userId, userId));
  if (!row) return { state: "idle" };
  const waitedMs = now.getTime() - row.enqueuedAt.getTime();
  return {
    state: "waiting",
    size: row.size,
    waitedMs,
    window: Math.round(matchWindow(waitedMs)),
  };
}

/** The member asks for a battle of `size` (asking again restarts the wait, possibly for another size). */
export async function joinQueue(
  userId: number,
  size: BattleSize,
  now = new Date(),
  options?: { secondsPerQuestion?: number },
): Promise<QueueOutcome> {
  const battleId = await activeBattleOf(userId);
  if (battleId) return { queue: { state: "matched", battleId }, formed: [] };
  const { rating } = await ratingOf(userId);
  await db.transaction(async (tx) => {
    await lockQueue(tx);
    await tx
      .insert(battleQueue)
      .values({ userId, size, rating, enqueuedAt: now, seenAt: now })
      .onConflictDoUpdate({
        target: battleQueue.userId,
        set: { size, rating, enqueuedAt: now, seenAt: now },
      });
  });
  const formed = await matchmake(now, options);
  return { queue: await queueState(userId, now), formed };
}

/**
 * The waiting page polls: the member is still there, a round runs, and a member whose 30 s ran
 * out without a match leaves the queue and is told no opponent was found.
 */
export async function pollQueue(userId: number, now = new Date(), options?: { secondsPerQuestion?: number }): Promise<QueueOutcome> {
  await db.update(battleQueue).set({ seenAt: now }).where(eq(battleQueue.userId, userId));
  const formed = await matchmake(now, options);
  const queue = await queueState(userId, now);
  if (queue.state !== "waiting" || queue.waitedMs < MATCH_TIMEOUT_MS) return { queue, formed };
  // Under the queue lock: a round that matched the member meanwhile wins.
  const timedOut = await db.transaction(async (tx) => {
    await lockQueue(tx);
    return tx
      .delete(battleQueue)
      .where(and(eq(battleQueue.userId, userId), lt(battleQueue.enqueuedAt, new Date(now.getTime() - MATCH_TIMEOUT_MS + 1))))
      .returning();
  });
  return {
    queue: timedOut.length ? { state: "noOpponent", size: queue.size } : await queueState(userId, now),
    formed,
  };
}

/** The member stops waiting. */
export async function leaveQueue(userId: number) {
  await db.transaction(async (tx) => {
    await lockQueue(tx);
    await tx.delete(battleQueue).where(eq(battleQueue.userId, userId));
  });
}
