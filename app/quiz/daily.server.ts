// The daily quiz (每日答题): five questions a day per member from the banks their unit uses (banks
// of their unit and of every unit above it), questions they have not seen first; answered one at a
// time with immediate feedback; once a day, the day being Asia/Shanghai's.
import { awardDailyQuizAnswer } from "~/points/ledger.server";
import { and, eq, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { dailyQuizzes, questionVersions } from "~/db/schema";
import { recordAnswers } from "./answers.server";
import { rowsOf } from "./banks.server";
import { DAILY_QUESTIONS } from "./freshness";
import { grade, presentQuestion, responseProblem, seededRng, seedFrom, shuffleOptions, type PresentedQuestion, type QuizResponse } from "./grading";

const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" });

/** The calendar day in China (UTC+8, no daylight saving) as YYYY-MM-DD. */
export function shanghaiDay(now = new Date()): string {
  return dayFormat.format(now);
}

export type DailyRow = typeof dailyQuizzes.$inferSelect;

/** Active questions (current versions) of the banks the member's unit uses, unseen ones first, picked at random. */
async function drawDaily(userId: number, unitCode: string, count: number) {
  const rows = await rowsOf<{ version_id: number }>(
    db.execute(sql`
      select v.id as version_id
      from questions q
      join question_banks b on b.id = q.bank_id
      join units bu on bu.id = b.unit_id
      join question_versions v on v.question_id = q.id and v.version = q.current_version
      where not q.archived and ${unitCode} like bu.code || '%'
      order by exists (select 1 from answer_records ar where ar.user_id = ${userId} and ar.question_id = q.id), random()
      limit ${count}`),
  );
  return rows.map((r) => Number(r.version_id));
}

/** Today's quiz for the member, drawn on first sight; null when their banks have no questions. */
export async function todaysQuiz(userId: number, unitCode: string, now = new Date()): Promise<DailyRow | null> {
  const day = shanghaiDay(now);
  const [found] = await db.select().from(dailyQuizzes).where(and(eq(dailyQuizzes.userId, userId), eq(dailyQuizzes.day, day)));
  if (found) return found;
  const versionIds = await drawDaily(userId, unitCode, DAILY_QUESTIONS);
  if (versionIds.length === 0) return null;
  // Two tabs at once: the first insert wins and both see the same questions.
  await db.insert(dailyQuizzes).values({ userId, day, versionIds }).onConflictDoNothing();
  const [row] = await db.select().from(dailyQuizzes).where(and(eq(dailyQuizzes.userId, userId), eq(dailyQuizzes.day, day)));
  return row;
}

/** The option order of the daily question at `index`: fixed for the member and the day. */
function optionOrder(userId: number, day: string, index: number, options: { id: string; text: string }[]) {
  return shuffleOptions(options, seededRng(seedFrom(`daily:${userId}:${day}:${index}`)));
}

export type DailyQuestion = PresentedQuestion & { index: number; versionId: number };

/** The question the member is on (without its answer key), or null when today's quiz is done. */
export async function currentDailyQuestion(quiz: DailyRow): Promise<DailyQuestion | null> {
  if (quiz.finishedAt || quiz.answered >= quiz.versionIds.length) return null;
  const versionId = quiz.versionIds[quiz.answered];
  const [v] = await db.select().from(questionVersions).where(eq(questionVersions.id, versionId));
  return { index: quiz.answered, versionId, ...presentQuestion(v, optionOrder(quiz.userId, quiz.day, quiz.answered, v.options)) };
}

export type DailyFeedback = PresentedQuestion & {
  index: number;
  response: QuizResponse;
  correct: boolean;
  answer: (typeof questionVersions.$inferSelect)["answer"];
  explanation: string;
  answered: number;
  correctCount: number;
  total: number;
  finished: boolean;
};

export type DailyError = "none" | "finished" | "stale" | "tampered";

/**
 * Answers question `index` of today's quiz. Refused when the quiz is finished, when `index` is not
 * the question the member is on (a resubmitted form), or when the response does not fit the question.
 */
export async function answerDaily(
  userId: number,
  index: number,
  response: QuizResponse,
  now = new Date(),
): Promise<{ ok: true; feedback: DailyFeedback } | { ok: false; error: DailyError }> {
  const day = shanghaiDay(now);
  return db.transaction(async (tx) => {
    const [quiz] = await tx
      .select()
      .from(dailyQuizzes)
      .where(and(eq(dailyQuizzes.userId, userId), eq(dailyQuizzes.day, day)))
      .for("update");
    if (!quiz) return { ok: false as const, error: "none" as const };
    if (quiz.finishedAt || quiz.answered >= quiz.versionIds.length) return { ok: false as const, error: "finished" as const };
    if (index !== quiz.answered) return { ok: false as const, error: "stale" as const };
    const [v] = await tx.select().from(questionVersions).where(eq(questionVersions.id, quiz.versionIds[index]));
    if (responseProblem(v, response)) return { ok: false as const, error: "tampered" as const };
    const { correct } = grade(v, response);
    const answered = quiz.answered + 1;
    const finished = answered >= quiz.versionIds.length;
    const [saved] = await tx
      .update(dailyQuizzes)
      .set({ answered, correct: quiz.correct + (correct ? 1 : 0), finishedAt: finished ? now : null })
      .where(and(eq(dailyQuizzes.userId, userId), eq(dailyQuizzes.day, day), eq(dailyQuizzes.answered, quiz.answered)))
      .returning();
    await recordAnswers(tx, userId, "daily", [{ questionId: v.questionId, versionId: v.id, response, correct }], now);
    await awardDailyQuizAnswer({ userId, index, correct, at: now, tx });
    return {
      ok: true as const,
      feedback: {
        index,
        ...presentQuestion(v, optionOrder(userId, day, index, v.options)),
        response,
        correct,
        answer: v.answer,
        explanation: v.explanation,
        answered: saved.answered,
        correctCount: saved.correct,
        total: saved.versionIds.length,
        finished,
      },
    };
  });
}
