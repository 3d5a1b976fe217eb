// The default points rules (学习积分规则) from the design table. A committee admin may change an
// amount or a daily cap from a stated day; that is kept as a new version in `point_rules` and the
// ledger entry names the version it was earned under. Pure: shared by the server and the pages.
import { addDays, chinaDay } from "~/stats/metrics";

export const RULE_CODES = [
  "first_visit",
  "reading_lesson",
  "video_lesson",
  "study_time",
  "daily_quiz",
  "contest",
  "contest_top",
  "battle_win",
  "battle_play",
  "reflection_approved",
  "reflection_featured",
  "course_completed",
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

/**
 * Rules of one group share a daily cap (the awarded rule's cap against the group's total of the
 * day) and are serialised by one lock: a battle won or lost counts against the same "4 a day",
 * approval and featuring against the same "5 a day".
 */
export const RULE_GROUPS = [
  "first_visit",
  "reading_lesson",
  "video_lesson",
  "study_time",
  "daily_quiz",
  "contest",
  "battle",
  "reflection",
  "course_completed",
] as const;
export type RuleGroup = (typeof RULE_GROUPS)[number];

export type RuleDefault = {
  code: RuleCode;
  group: RuleGroup;
  amount: number;
  /** Points a day for the whole group; null: no cap. */
  dailyCap: number | null;
  /** Events a day that earn at all, across the group (battles: the first two a day). Not editable. */
  maxEventsPerDay?: number;
};

export const DEFAULT_RULES: readonly RuleDefault[] = [
  { code: "first_visit", group: "first_visit", amount: 1, dailyCap: 1 },
  { code: "reading_lesson", group: "reading_lesson", amount: 1, dailyCap: 6 },
  { code: "video_lesson", group: "video_lesson", amount: 1, dailyCap: 6 },
  { code: "study_time", group: "study_time", amount: 1, dailyCap: 6 },
  { code: "daily_quiz", group: "daily_quiz", amount: 1, dailyCap: 5 },
  { code: "contest", group: "contest", amount: 2, dailyCap: null },
  { code: "contest_top", group: "contest", amount: 3, dailyCap: null },
  { code: "battle_win", group: "battle", amount: 2, dailyCap: 4, maxEventsPerDay: 2 },
  { code: "battle_play", group: "battle", amount: 1, dailyCap: 4, maxEventsPerDay: 2 },
  { code: "reflection_approved", group: "reflection", amount: 2, dailyCap: 5 },
  { code: "reflection_featured", group: "reflection", amount: 3, dailyCap: 5 },
  { code: "course_completed", group: "course_completed", amount: 5, dailyCap: null },
];

/** Version 1 of every rule is in force from this day on. */
export const DEFAULT_EFFECTIVE_FROM = "2000-01-01";

/** Study time earns one block's amount per this many active seconds (4 minutes). */
export const STUDY_BLOCK_SECONDS = 240;

/** Top share of a contest's ranking that earns `contest_top` (10 %). */
export const CONTEST_TOP_SHARE = 0.1;

const byCode = new Map(DEFAULT_RULES.map((r) => [r.code, r]));

export function isRuleCode(code: string): code is RuleCode {
  return byCode.has(code as RuleCode);
}

export function ruleDefault(code: RuleCode): RuleDefault {
  return byCode.get(code)!;
}

export function groupOf(code: RuleCode): RuleGroup {
  return ruleDefault(code).group;
}

export function rulesOfGroup(group: RuleGroup): RuleCode[] {
  return DEFAULT_RULES.filter((r) => r.group === group).map((r) => r.code);
}

/**
 * What an award earns: its amount, cut to what is left under the cap; 0 when the cap is reached
 * or the group has used its events of the day.
 */
export function cappedAmount({
  amount,
  dailyCap,
  earnedToday,
  eventsToday,
  maxEventsPerDay,
}: {
  amount: number;
  dailyCap: number | null;
  earnedToday: number;
  eventsToday: number;
  maxEventsPerDay?: number;
}): number {
  if (amount <= 0) return 0;
  if (maxEventsPerDay !== undefined && eventsToday >= maxEventsPerDay) return 0;
  if (dailyCap === null) return amount;
  return Math.max(0, Math.min(amount, dailyCap - earnedToday));
}

/** Contest rank (1-based) within `entrants` that counts as the top 10 % (at least the winner). */
export function isContestTop(rank: number, entrants: number) {
  return rank >= 1 && rank <= Math.max(1, Math.floor(entrants * CONTEST_TOP_SHARE));
}

/** The calendar day in China (UTC+8, no daylight saving) as YYYY-MM-DD: the day points count on. */
export function pointsDay(at: Date = new Date()): string {
  return chinaDay(at);
}

export type Period = "week" | "month" | "year";
export const PERIODS: Period[] = ["week", "month", "year"];

/** First day of the week (Monday), month or year that holds `day`. */
export function periodStart(period: Period, day: string): string {
  if (period === "year") return `${day.slice(0, 4)}-01-01`;
  if (period === "month") return `${day.slice(0, 7)}-01`;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 Sunday
  return addDays(day, -((weekday + 6) % 7));
}
