// What the member's points page shows: today's progress per rule group against its cap, this
// year's and all-time totals, and the history with what earned each entry.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { contests, courses, lessons, pointEntries, pointRules, reflections, users } from "~/db/schema";
import { rulesInForce } from "./ledger.server";
import { DEFAULT_RULES, pointsDay, RULE_GROUPS, rulesOfGroup, type RuleCode, type RuleGroup } from "./rules";

export type GroupProgress = { group: RuleGroup; earned: number; cap: number | null; amounts: { code: RuleCode; amount: number }[] };

/** Today's points per rule group, with the cap in force today (the group's first rule's cap). */
export async function todayProgress(userId: number, day = pointsDay()): Promise<GroupProgress[]> {
  const [rules, rows] = await Promise.all([
    rulesInForce(day),
    db
      .select({ code: pointEntries.ruleCode, earned: sql<number>`sum(${pointEntries.amount})::int` })
      .from(pointEntries)
      .where(and(eq(pointEntries.userId, userId), eq(pointEntries.day, day)))
      .groupBy(pointEntries.ruleCode),
  ]);
  const earnedByCode = new Map(rows.map((r) => [r.code, Number(r.earned)]));
  const ruleByCode = new Map(rules.map((r) => [r.code, r]));
  return RULE_GROUPS.map((group) => {
    const codes = rulesOfGroup(group);
    return {
      group,
      earned: codes.reduce((sum, c) => sum + (earnedByCode.get(c) ?? 0), 0),
      cap: ruleByCode.get(codes[0])?.dailyCap ?? null,
      amounts: codes.map((code) => ({ code, amount: ruleByCode.get(code)?.amount ?? 0 })),
    };
  });
}

export async function pointTotals(userId: number, day = pointsDay()) {
  const [row] = await db
    .select({
      all: sql<number>`coalesce(sum(${pointEntries.amount}), 0)::int`,
      year: sql<number>`coalesce(sum(${pointEntries.amount}) filter (where ${pointEntries.day} >= ${`${day.slice(0, 4)}-01-01`}), 0)::int`,
      today: sql<number>`coalesce(sum(${pointEntries.amount}) filter (where ${pointEntries.day} = ${day}), 0)::int`,
    })
    .from(pointEntries)
    .where(eq(pointEntries.userId, userId));
  return { all: Number(row.all), year: Number(row.year), today: Number(row.today) };
}

/** What earned an entry, for the history: a kind and, where there is one, a title. */
export type EntrySource =
  | { kind: "visit" }
  | { kind: "lesson" | "course" | "reflection" | "contest" | "battle"; id: number; title: string | null }
  | { kind: "daily"; index: number }
  | { kind: "study"; block: number }
  | { kind: "other"; key: string };

function parseSource(key: string): EntrySource {
  const [kind, a, b] = key.split(":");
  if (kind === "visit") return { kind: "visit" };
  if (kind === "daily" && b !== undefined) return { kind: "daily", index: Number(b) };
  if (kind === "study" && b !== undefined) return { kind: "study", block: Number(b) };
  if ((kind === "lesson" || kind === "course" || kind === "reflection" || kind === "contest" || kind === "battle") && /^\d{1,9}$/.test(a ?? "") && b === undefined)
    return { kind, id: Number(a), title: null };
  return { kind: "other", key };
}

async function titles(table: typeof lessons | typeof courses | typeof reflections | typeof contests, ids: number[]) {
  if (ids.length === 0) return new Map<number, string>();
  const rows = await db.select({ id: table.id, title: table.title }).from(table).where(inArray(table.id, ids));
  return new Map(rows.map((r) => [r.id, r.title]));
}

export const HISTORY_PAGE_SIZE = 20;

export async function pointHistory(userId: number, page = 1, pageSize = HISTORY_PAGE_SIZE) {
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({
        id: pointEntries.id,
        ruleCode: pointEntries.ruleCode,
        amount: pointEntries.amount,
        sourceKey: pointEntries.sourceKey,
        day: pointEntries.day,
        createdAt: pointEntries.createdAt,
        version: pointRules.version,
      })
      .from(pointEntries)
      .innerJoin(pointRules, eq(pointRules.id, pointEntries.ruleId))
      .where(eq(pointEntries.userId, userId))
      .orderBy(desc(pointEntries.day), desc(pointEntries.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ total: sql<number>`count(*)::int` }).from(pointEntries).where(eq(pointEntries.userId, userId)),
  ]);
  const sources = rows.map((r) => parseSource(r.sourceKey));
  const idsOf = (kind: string) => [...new Set(sources.flatMap((s) => (s.kind === kind && "id" in s ? [s.id] : [])))];
  const [lessonTitles, courseTitles, reflectionTitles, contestTitles] = await Promise.all([
    titles(lessons, idsOf("lesson")),
    titles(courses, idsOf("course")),
    titles(reflections, idsOf("reflection")),
    titles(contests, idsOf("contest")),
  ]);
  const lookup: Record<string, Map<number, string>> = { lesson: lessonTitles, course: courseTitles, reflection: reflectionTitles, contest: contestTitles };
  return {
    total: Number(total),
    page,
    pages: Math.max(1, Math.ceil(Number(total) / pageSize)),
    entries: rows.map((r, i) => {
      const source = sources[i];
      if ("id" in source) source.title = lookup[source.kind]?.get(source.id) ?? null;
      return { ...r, createdAt: r.createdAt.toISOString(), source };
    }),
  };
}

export async function getHideFromWideRankings(userId: number) {
  const [row] = await db.select({ hide: users.hideFromWideRankings }).from(users).where(eq(users.id, userId));
  return row?.hide ?? false;
}

export async function setHideFromWideRankings(userId: number, hide: boolean) {
  await db.update(users).set({ hideFromWideRankings: hide, updatedAt: new Date() }).where(eq(users.id, userId));
}

export const RULE_ORDER: RuleCode[] = DEFAULT_RULES.map((r) => r.code);
