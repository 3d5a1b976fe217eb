// The points ledger (学习积分): append-only, one entry per earning event. An award looks up the
// rule version in force on the event's day (Asia/Shanghai), cuts the amount to what is left under
// the daily cap, and writes one entry; the same (member, rule, source) never earns twice.
//
// Concurrency: every award runs in a transaction that first takes a transaction-scoped advisory
// lock on (member, rule group, day), so two awards that count against the same cap run one after
// the other and the second sees the first's entry (READ COMMITTED takes a new snapshot per
// statement). The unique key (user_id, rule_code, source_key) backs up replays that cross a
// day boundary. Pass `tx` to award inside a caller's transaction (PGlite has one connection:
// inside a transaction never touch `db`); the lock is then held until that transaction ends.
import { and, asc, desc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import type { Tx } from "~/courses/events.server";
import { db } from "~/db/client.server";
import { pointEntries, pointRules } from "~/db/schema";
import {
  DEFAULT_EFFECTIVE_FROM,
  DEFAULT_RULES,
  groupOf,
  cappedAmount,
  pointsDay,
  ruleDefault,
  rulesOfGroup,
  STUDY_BLOCK_SECONDS,
  isContestTop,
  type RuleCode,
} from "./rules";

export type { Tx };
type Executor = Pick<Tx, "select" | "insert" | "execute">;

export type RuleVersion = typeof pointRules.$inferSelect;
export type PointEntry = typeof pointEntries.$inferSelect;

export type AwardResult =
  | { status: "awarded"; amount: number; entry: PointEntry }
  | { status: "duplicate" }
  | { status: "capped" }
  | { status: "disabled" };

/** Writes version 1 of every default rule that is missing. Idempotent; call at start and in tests. */
export async function ensureDefaultPointRules(executor: Executor = db) {
  await executor
    .insert(pointRules)
    .values(
      DEFAULT_RULES.map((r) => ({
        code: r.code,
        version: 1,
        amount: r.amount,
        dailyCap: r.dailyCap,
        effectiveFrom: DEFAULT_EFFECTIVE_FROM,
        note: "默认规则",
      })),
    )
    .onConflictDoNothing();
}

/** The version of a rule in force on `day`: the latest effective day not after it, the newest version on a tie. */
export async function ruleInForce(code: RuleCode, day: string, executor: Executor = db): Promise<RuleVersion> {
  const find = () =>
    executor
      .select()
      .from(pointRules)
      .where(and(eq(pointRules.code, code), lte(pointRules.effectiveFrom, day)))
      .orderBy(desc(pointRules.effectiveFrom), desc(pointRules.version))
      .limit(1);
  let [rule] = await find();
  if (!rule) {
    // A database where the defaults were never written (a test, a fresh start racing boot).
    await ensureDefaultPointRules(executor);
    [rule] = await find();
  }
  if (!rule) throw new Error(`no points rule ${code} in force on ${day}`);
  return rule;
}

/** Every rule's version in force on `day`, in the design table's order. */
export async function rulesInForce(day: string = pointsDay(), executor: Executor = db, ensured = false): Promise<RuleVersion[]> {
  const rows = await executor
    .select()
    .from(pointRules)
    .where(lte(pointRules.effectiveFrom, day))
    .orderBy(asc(pointRules.code), desc(pointRules.effectiveFrom), desc(pointRules.version));
  const current = new Map<string, RuleVersion>();
  for (const row of rows) if (!current.has(row.code)) current.set(row.code, row);
  if (!ensured && DEFAULT_RULES.some((r) => !current.has(r.code))) {
    await ensureDefaultPointRules(executor);
    return rulesInForce(day, executor, true);
  }
  return DEFAULT_RULES.flatMap((r) => current.get(r.code) ?? []);
}

function lockKey(userId: number, group: string, day: string) {
  return `points:${userId}:${group}:${day}`;
}

export type AwardInput = {
  userId: number;
  ruleCode: RuleCode;
  /** What earned it, unique per member and rule: "lesson:12", "daily:2026-03-01:2", "reflection:7". */
  sourceKey: string;
  at?: Date;
  tx?: Tx;
};

/** Awards one event under the rule in force on its day; replays and capped events write nothing. */
export async function awardPoints({ userId, ruleCode, sourceKey, at = new Date(), tx }: AwardInput): Promise<AwardResult> {
  if (sourceKey.length === 0 || sourceKey.length > 120) throw new Error(`bad points source key: ${sourceKey}`);
  const day = pointsDay(at);
  const group = groupOf(ruleCode);
  const run = async (t: Tx): Promise<AwardResult> => {
    await t.execute(sql`select pg_advisory_xact_lock(hashtext(${lockKey(userId, group, day)}))`);
    const [seen] = await t
      .select({ id: pointEntries.id })
      .from(pointEntries)
      .where(and(eq(pointEntries.userId, userId), eq(pointEntries.ruleCode, ruleCode), eq(pointEntries.sourceKey, sourceKey)));
    if (seen) return { status: "duplicate" };
    const rule = await ruleInForce(ruleCode, day, t);
    if (rule.amount <= 0) return { status: "disabled" };
    const [today] = await t
      .select({ earned: sql<number>`coalesce(sum(${pointEntries.amount}), 0)::int`, events: sql<number>`count(*)::int` })
      .from(pointEntries)
      .where(and(eq(pointEntries.userId, userId), eq(pointEntries.day, day), inArray(pointEntries.ruleCode, rulesOfGroup(group))));
    const amount = cappedAmount({
      amount: rule.amount,
      dailyCap: rule.dailyCap,
      earnedToday: Number(today.earned),
      eventsToday: Number(today.events),
      maxEventsPerDay: ruleDefault(ruleCode).maxEventsPerDay,
    });
    if (amount === 0) return { status: "capped" };
    const [entry] = await t
      .insert(pointEntries)
      .values({ userId, ruleId: rule.id, ruleCode, amount, sourceKey, day, createdAt: at })
      .onConflictDoNothing()
      .returning();
    return entry ? { status: "awarded", amount, entry } : { status: "duplicate" };
  };
  return tx ? run(tx) : db.transaction(run);
}

// Helpers for the other domains: each names its source key once, here.

// Members whose first visit today is already written (this process); the database stays the judge.
const visited = new Map<number, string>();

/**
 * 当日首次登录: call from the home page loader. Cheap after the first call of the day, and never
 * throws (a failed award is logged; the page still shows).
 */
export async function awardFirstVisit(viewer: { id: number }, at = new Date()): Promise<AwardResult | { status: "failed" }> {
  const day = pointsDay(at);
  if (visited.get(viewer.id) === day) return { status: "duplicate" };
  try {
    const result = await awardPoints({ userId: viewer.id, ruleCode: "first_visit", sourceKey: `visit:${day}`, at });
    if (visited.size > 50_000) visited.clear();
    visited.set(viewer.id, day);
    return result;
  } catch (error) {
    console.error(`points: first visit of user ${viewer.id} not recorded: ${String(error)}`);
    return { status: "failed" };
  }
}

/** 每日答题: one award per correct answer of the day's quiz (question `index`, 0-based). */
export function awardDailyQuizAnswer({ userId, index, correct, at = new Date(), tx }: { userId: number; index: number; correct: boolean; at?: Date; tx?: Tx }) {
  if (!correct) return Promise.resolve({ status: "disabled" } as AwardResult);
  return awardPoints({ userId, ruleCode: "daily_quiz", sourceKey: `daily:${pointsDay(at)}:${index}`, at, tx });
}

/**
 * 学习时长: one award per full 4 active minutes of the day. Give the member's total active seconds
 * of the day so far; blocks already awarded are replays and earn nothing.
 */
export async function awardStudyTime({ userId, activeSecondsToday, at = new Date(), tx }: { userId: number; activeSecondsToday: number; at?: Date; tx?: Tx }) {
  const day = pointsDay(at);
  const blocks = Math.floor(Math.max(0, activeSecondsToday) / STUDY_BLOCK_SECONDS);
  let total = 0;
  for (let block = 1; block <= blocks; block++) {
    const result = await awardPoints({ userId, ruleCode: "study_time", sourceKey: `study:${day}:${block}`, at, tx });
    if (result.status === "awarded") total += result.amount;
    if (result.status === "capped" || result.status === "disabled") break;
  }
  return total;
}

/** 知识竞赛: taking part earns `contest`; a rank in the top 10 % of the entrants adds `contest_top`. */
export async function awardContest({
  userId,
  contestId,
  rank,
  entrants,
  at = new Date(),
  tx,
}: {
  userId: number;
  contestId: number;
  rank?: number;
  entrants?: number;
  at?: Date;
  tx?: Tx;
}) {
  const results = [await awardPoints({ userId, ruleCode: "contest", sourceKey: `contest:${contestId}`, at, tx })];
  if (rank !== undefined && entrants !== undefined && isContestTop(rank, entrants)) {
    results.push(await awardPoints({ userId, ruleCode: "contest_top", sourceKey: `contest:${contestId}`, at, tx }));
  }
  return results;
}

/** 双人对战/四人赛: 2 for a win, 1 otherwise; only the first two battles of the day earn. */
export function awardBattle({ userId, battleId, won, at = new Date(), tx }: { userId: number; battleId: number; won: boolean; at?: Date; tx?: Tx }) {
  return awardPoints({ userId, ruleCode: won ? "battle_win" : "battle_play", sourceKey: `battle:${battleId}`, at, tx });
}

/** Sum of a member's points, optionally from a day on (inclusive). */
export async function pointsTotal(userId: number, fromDay?: string) {
  const [row] = await db
    .select({ total: sql<number>`coalesce(sum(${pointEntries.amount}), 0)::int` })
    .from(pointEntries)
    .where(and(eq(pointEntries.userId, userId), fromDay ? gte(pointEntries.day, fromDay) : undefined));
  return Number(row.total);
}
