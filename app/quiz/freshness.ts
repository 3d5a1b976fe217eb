// Bank freshness figures (browser-safe types; computed by freshness.server.ts).
export type Freshness = {
  bankId: number;
  /** Active (not archived) questions. */
  questions: number;
  /** Members in the viewer's scope who use the bank. */
  members: number;
  /** Questions the average such member has not answered yet. */
  averageUnseen: number;
  /** Members who have answered every active question. */
  exhausted: number;
  /** Days of the daily quiz (5 a day) the average member has left before repeats. */
  daysLeft: number;
};

export const DAILY_QUESTIONS = 5;

/** Below this many unseen questions per member a bank needs new ones (about a week of daily quiz). */
export const LOW_FRESHNESS = 35;
