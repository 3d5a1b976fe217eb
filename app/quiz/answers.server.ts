// Recording answers, in any mode, and keeping the mistake book in step with them:
// every wrong answer puts the question in the member's mistake book (or starts its streak again);
// a right answer to a question in the book counts towards the two in a row that take it out.
// Contests may call recordAnswers too (mode "contest").
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { answerRecords, mistakeBook } from "~/db/schema";
import type { QuizResponse } from "./grading";
import type { Tx } from "./banks.server";

export type AnswerMode = "lesson" | "daily" | "practice" | "contest";
export type AnswerInput = { questionId: number; versionId: number; response: QuizResponse | null; correct: boolean };

/** Right answers in a row that take a question out of the mistake book. */
export const STREAK_TO_LEAVE = 2;

export async function recordAnswers(tx: Tx, userId: number, mode: AnswerMode, answers: AnswerInput[], now = new Date()) {
  if (answers.length === 0) return;
  await tx.insert(answerRecords).values(
    answers.map((a) => ({ userId, questionId: a.questionId, versionId: a.versionId, mode, response: a.response ?? {}, correct: a.correct, answeredAt: now })),
  );
  const practised = mode === "practice" ? now : undefined;
  const wrong = [...new Set(answers.filter((a) => !a.correct).map((a) => a.questionId))];
  const right = [...new Set(answers.filter((a) => a.correct).map((a) => a.questionId))].filter((id) => !wrong.includes(id));
  if (wrong.length) {
    await tx
      .insert(mistakeBook)
      .values(wrong.map((questionId) => ({ userId, questionId, correctStreak: 0, addedAt: now, lastPractisedAt: practised ?? null })))
      .onConflictDoUpdate({
        target: [mistakeBook.userId, mistakeBook.questionId],
        set: { correctStreak: 0, lastPractisedAt: practised ? sql`excluded.last_practised_at` : sql`${mistakeBook.lastPractisedAt}` },
      });
  }
  if (right.length) {
    const inBook = and(eq(mistakeBook.userId, userId), inArray(mistakeBook.questionId, right));
    await tx
      .update(mistakeBook)
      .set({ correctStreak: sql`${mistakeBook.correctStreak} + 1`, ...(practised ? { lastPractisedAt: practised } : {}) })
      .where(inBook);
    await tx.delete(mistakeBook).where(and(inBook, gte(mistakeBook.correctStreak, STREAK_TO_LEAVE)));
  }
}
