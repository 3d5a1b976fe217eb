// Contest scoring as pure functions, shared by the server and the pages: the points of one
// answer (points per correct answer plus a speed bonus of 1000 × (T − t)/T, t measured by the
// server), the ranking order (score, then less total time) and each entrant's question order.
import { seededRng, seedFrom, shuffle, shuffleOptions, type QuestionOption } from "~/quiz/grading";

/** Answers that arrive this long after a question's time is up still count (network delay). */
export const ANSWER_GRACE_MS = 1_000;

/** The speed bonus of a right answer given after `elapsedMs` of `seconds`: 1000 at once, 0 at the bell. */
export function speedBonus(elapsedMs: number, seconds: number): number {
  const total = seconds * 1000;
  if (total <= 0) return 0;
  const t = Math.min(total, Math.max(0, elapsedMs));
  return Math.round((1000 * (total - t)) / total);
}

export type ScoringRule = { secondsPerQuestion: number; pointsPerCorrect: number; speedBonus: boolean };

/** The points one answer earns: nothing when wrong or unanswered. */
export function answerPoints(rule: ScoringRule, correct: boolean, elapsedMs: number): number {
  if (!correct) return 0;
  return rule.pointsPerCorrect + (rule.speedBonus ? speedBonus(elapsedMs, rule.secondsPerQuestion) : 0);
}

/** The time an answer counts towards the tie-break: what it took, at most the question's time. */
export function countedMs(elapsedMs: number, seconds: number): number {
  return Math.min(seconds * 1000, Math.max(0, Math.round(elapsedMs)));
}

export type Ranked = { score: number; totalMs: number };

/** Higher score first; on equal scores, less total time first. */
export function compareEntries(a: Ranked, b: Ranked): number {
  return b.score - a.score || a.totalMs - b.totalMs;
}

/** Competition ranks (1, 2, 2, 4): entrants with the same score and time share a rank. */
export function rankAll<T extends Ranked>(entries: readonly T[]): (T & { rank: number })[] {
  const sorted = entries.slice().sort(compareEntries);
  let rank = 0;
  return sorted.map((e, i) => {
    if (i === 0 || compareEntries(sorted[i - 1], e) !== 0) rank = i + 1;
    return { ...e, rank };
  });
}

/**
 * The order in which an entrant meets the contest's questions (positions 0…n−1): the same for the
 * same member and contest, different between members so that neighbours cannot copy.
 */
export function questionOrder(contestId: number, userId: number, count: number): number[] {
  return shuffle(
    Array.from({ length: count }, (_, i) => i),
    seededRng(seedFrom(`contest:${contestId}:${userId}`)),
  );
}

/** The option order an entrant sees for the question at `position`. */
export function optionOrder(contestId: number, userId: number, position: number, options: readonly QuestionOption[]): string[] {
  return shuffleOptions(options, seededRng(seedFrom(`contest:${contestId}:${userId}:${position}`)));
}

// ---------------------------------------------------------------------------------------------
// The live board

/** `name` and `unitName` are null for a member who hides their name beyond their branch, on a board wider than a branch. */
export type BoardEntrant = { rank: number; name: string | null; unitName: string | null; score: number; totalMs: number; finished: boolean };
export type BoardUnit = { unitId: number; name: string; entrants: number; eligible: number; participation: number; averageScore: number };
export type Board = {
  contestId: number;
  /** When it was computed (ms since the epoch). */
  at: number;
  entrants: number;
  finished: number;
  eligible: number;
  averageScore: number;
  top: BoardEntrant[];
  /** The units one level below the contest's unit (or that unit alone when it has none). */
  units: BoardUnit[];
};

/** Units by average score (then participation), and by participation rate (then average). */
export function rankUnits(units: BoardUnit[]) {
  return {
    byAverage: units.slice().sort((a, b) => b.averageScore - a.averageScore || b.participation - a.participation || a.name.localeCompare(b.name)),
    byParticipation: units.slice().sort((a, b) => b.participation - a.participation || b.averageScore - a.averageScore || a.name.localeCompare(b.name)),
  };
}
