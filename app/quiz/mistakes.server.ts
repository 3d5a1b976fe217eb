// The mistake book (错题本): every question a member answered wrong, in any mode, until they answer
// it right twice in a row. Practice serves the entry practised longest ago (never practised
// first), in its current version, with immediate feedback.
import { and, asc, count, eq, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { mistakeBook, questions, questionVersions } from "~/db/schema";
import { recordAnswers, STREAK_TO_LEAVE } from "./answers.server";
import { grade, presentQuestion, responseProblem, seededRng, seedFrom, shuffleOptions, type PresentedQuestion, type QuizResponse } from "./grading";

const current = and(eq(questionVersions.questionId, questions.id), eq(questionVersions.version, questions.currentVersion));

export async function mistakeCount(userId: number) {
  const [{ n }] = await db
    .select({ n: count() })
    .from(mistakeBook)
    .innerJoin(questions, eq(questions.id, mistakeBook.questionId))
    .where(and(eq(mistakeBook.userId, userId), eq(questions.archived, false)));
  return n;
}

/** The book's entries (active questions), oldest first. */
export async function listMistakes(userId: number, limit = 200) {
  return db
    .select({
      questionId: mistakeBook.questionId,
      correctStreak: mistakeBook.correctStreak,
      addedAt: mistakeBook.addedAt,
      type: questionVersions.type,
      stem: questionVersions.stem,
    })
    .from(mistakeBook)
    .innerJoin(questions, eq(questions.id, mistakeBook.questionId))
    .innerJoin(questionVersions, current)
    .where(and(eq(mistakeBook.userId, userId), eq(questions.archived, false)))
    .orderBy(asc(mistakeBook.addedAt), asc(mistakeBook.questionId))
    .limit(limit);
}

function orderFor(userId: number, questionId: number, lastPractisedAt: Date | null, options: { id: string; text: string }[]) {
  return shuffleOptions(options, seededRng(seedFrom(`practice:${userId}:${questionId}:${lastPractisedAt?.getTime() ?? 0}`)));
}

export type PracticeQuestion = PresentedQuestion & { questionId: number; versionId: number; correctStreak: number };

/** The next question to practise (no answer key), or null when the book is empty. */
export async function nextPractice(userId: number): Promise<PracticeQuestion | null> {
  const [row] = await db
    .select({ entry: mistakeBook, version: questionVersions })
    .from(mistakeBook)
    .innerJoin(questions, eq(questions.id, mistakeBook.questionId))
    .innerJoin(questionVersions, current)
    .where(and(eq(mistakeBook.userId, userId), eq(questions.archived, false)))
    .orderBy(sql`${mistakeBook.lastPractisedAt} asc nulls first`, asc(mistakeBook.addedAt), asc(mistakeBook.questionId))
    .limit(1);
  if (!row) return null;
  const { entry, version } = row;
  return {
    questionId: entry.questionId,
    versionId: version.id,
    correctStreak: entry.correctStreak,
    ...presentQuestion(version, orderFor(userId, entry.questionId, entry.lastPractisedAt, version.options)),
  };
}

/** The shape (type, blanks) of a question version as shown for practice; null if there is no such version. */
export async function practiceShape(questionId: number, versionId: number): Promise<PresentedQuestion | null> {
  const [v] = await db
    .select()
    .from(questionVersions)
    .where(and(eq(questionVersions.id, versionId), eq(questionVersions.questionId, questionId)));
  return v ? presentQuestion(v) : null;
}

export type PracticeFeedback = PresentedQuestion & {
  questionId: number;
  response: QuizResponse;
  correct: boolean;
  answer: (typeof questionVersions.$inferSelect)["answer"];
  explanation: string;
  /** Right answers in a row now; the question leaves the book at STREAK_TO_LEAVE. */
  streak: number;
  removed: boolean;
};

export type PracticeError = "gone" | "stale" | "tampered";

/**
 * Answers a practice question. `versionId` is the version the member was shown: if the question
 * was edited meanwhile the answer is refused as stale (the page then shows the new version).
 */
export async function answerPractice(
  userId: number,
  questionId: number,
  versionId: number,
  response: QuizResponse,
  now = new Date(),
): Promise<{ ok: true; feedback: PracticeFeedback } | { ok: false; error: PracticeError }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ entry: mistakeBook, version: questionVersions, archived: questions.archived })
      .from(mistakeBook)
      .innerJoin(questions, eq(questions.id, mistakeBook.questionId))
      .innerJoin(questionVersions, current)
      .where(and(eq(mistakeBook.userId, userId), eq(mistakeBook.questionId, questionId)))
      .for("update", { of: mistakeBook });
    if (!row || row.archived) return { ok: false as const, error: "gone" as const };
    if (row.version.id !== versionId) return { ok: false as const, error: "stale" as const };
    if (responseProblem(row.version, response)) return { ok: false as const, error: "tampered" as const };
    const { correct } = grade(row.version, response);
    const shownOrder = orderFor(userId, questionId, row.entry.lastPractisedAt, row.version.options);
    await recordAnswers(tx, userId, "practice", [{ questionId, versionId, response, correct }], now);
    const streak = correct ? row.entry.correctStreak + 1 : 0;
    return {
      ok: true as const,
      feedback: {
        questionId,
        ...presentQuestion(row.version, shownOrder),
        response,
        correct,
        answer: row.version.answer,
        explanation: row.version.explanation,
        streak,
        removed: streak >= STREAK_TO_LEAVE,
      },
    };
  });
}
