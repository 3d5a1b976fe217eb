// Lesson quizzes: an attempt draws its questions by the lesson's rule, shuffles questions and
// options, may have a deadline, and is graded on the server when submitted. Until then no answer
// key leaves the server. Passing completes the lesson (and the course with its last lesson).
import { and, asc, eq, inArray, isNull, or } from "drizzle-orm";
import { completeLesson } from "~/courses/progress.server";
import { db } from "~/db/client.server";
import { questions, questionVersions, quizAttempts, users, type QuizRule } from "~/db/schema";
import { recordAnswers } from "./answers.server";
import type { Tx } from "./banks.server";
import {
  drawQuestions,
  grade,
  isQuestionType,
  passes,
  passPercent,
  presentQuestion,
  responseProblem,
  scorePercent,
  seededRng,
  shuffle,
  shuffleOptions,
  type AnswerKey,
  type PoolQuestion,
  type PresentedQuestion,
  type QuizResponse,
} from "./grading";

/** Seconds a submission may arrive after the deadline (network, a slow phone). */
export const GRACE_SECONDS = 20;

/** The rule as this module reads it; `partialCredit` is an optional extension of QuizRule. */
export type LessonQuizRule = QuizRule & { partialCredit?: boolean };

export type QuizLesson = { id: number; quizRule: LessonQuizRule | null };

export type QuizErrorCode = "notConfigured" | "noQuestions" | "noAttemptsLeft" | "notFound" | "alreadySubmitted" | "tampered";

export class QuizError extends Error {
  constructor(
    public code: QuizErrorCode,
    detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}

type Attempt = typeof quizAttempts.$inferSelect;
type Version = typeof questionVersions.$inferSelect;

/** How many questions the rule asks for (fewer if the banks run short when drawn). */
export function ruleQuestionCount(rule: LessonQuizRule | null) {
  if (!rule) return 0;
  return (rule.fixedQuestionIds?.length ?? 0) + (rule.draws ?? []).reduce((n, d) => n + Math.max(0, Math.floor(d.count)), 0);
}

async function loadPool(tx: Tx | typeof db, rule: LessonQuizRule): Promise<PoolQuestion[]> {
  const bankIds = [...new Set((rule.draws ?? []).map((d) => d.bankId))];
  const fixed = rule.fixedQuestionIds ?? [];
  if (bankIds.length === 0 && fixed.length === 0) return [];
  const conditions = [];
  if (bankIds.length) conditions.push(inArray(questions.bankId, bankIds));
  if (fixed.length) conditions.push(inArray(questions.id, fixed));
  const rows = await tx
    .select({ questionId: questions.id, versionId: questionVersions.id, bankId: questions.bankId, type: questionVersions.type, tags: questionVersions.tags })
    .from(questions)
    .innerJoin(questionVersions, and(eq(questionVersions.questionId, questions.id), eq(questionVersions.version, questions.currentVersion)))
    .where(and(eq(questions.archived, false), or(...conditions)));
  return rows.filter((r) => isQuestionType(r.type));
}

async function versionsById(executor: Tx | typeof db, ids: number[]) {
  if (ids.length === 0) return new Map<number, Version>();
  const rows = await executor.select().from(questionVersions).where(inArray(questionVersions.id, ids));
  return new Map(rows.map((v) => [v.id, v]));
}

function expired(attempt: Attempt, now: Date) {
  return attempt.deadline !== null && now.getTime() > attempt.deadline.getTime() + GRACE_SECONDS * 1000;
}

/** Grades an attempt's responses against the exact versions it drew. */
function gradeItems(attempt: Attempt, versions: Map<number, Version>, responses: (QuizResponse | null)[], rule: LessonQuizRule | null) {
  return attempt.items.map((item, i) => {
    const v = versions.get(item.versionId)!;
    return { item, version: v, response: responses[i] ?? null, ...grade(v, responses[i] ?? null, { partialCredit: rule?.partialCredit }) };
  });
}

/**
 * Closes an attempt whose time ran out without a submission: nothing was answered, so it scores 0
 * and every question counts as wrong. Returns the closed attempt.
 */
async function closeExpired(tx: Tx, attempt: Attempt, rule: LessonQuizRule | null, now: Date) {
  const responses = attempt.items.map(() => null);
  const versions = await versionsById(
    tx,
    attempt.items.map((i) => i.versionId),
  );
  const graded = gradeItems(attempt, versions, responses, rule);
  const [closed] = await tx
    .update(quizAttempts)
    .set({ submittedAt: now, responses, score: 0, passed: false })
    .where(and(eq(quizAttempts.id, attempt.id), isNull(quizAttempts.submittedAt)))
    .returning();
  if (closed) {
    await recordAnswers(
      tx,
      attempt.userId,
      "lesson",
      graded.map((g) => ({ questionId: g.version.questionId, versionId: g.version.id, response: null, correct: false })),
      now,
    );
  }
  return closed ?? attempt;
}

export async function listAttempts(userId: number, lessonId: number) {
  return db
    .select()
    .from(quizAttempts)
    .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.lessonId, lessonId)))
    .orderBy(asc(quizAttempts.id));
}

/** The member's attempts at the lesson; an open one past its deadline is closed first. */
export async function attemptsWithExpiry(userId: number, lesson: QuizLesson, now = new Date()) {
  const attempts = await listAttempts(userId, lesson.id);
  const stale = attempts.filter((a) => !a.submittedAt && expired(a, now));
  if (stale.length === 0) return attempts;
  await db.transaction(async (tx) => {
    for (const a of stale) await closeExpired(tx, a, lesson.quizRule, now);
  });
  return listAttempts(userId, lesson.id);
}

/**
 * Starts an attempt (or returns the one still open): draws by the rule with a fresh random seed,
 * shuffles the questions and each question's options, and sets the deadline. Refuses when the
 * attempt limit is used up.
 */
export async function startAttempt(userId: number, lesson: QuizLesson, now = new Date()): Promise<Attempt> {
  const rule = lesson.quizRule;
  if (!rule) throw new QuizError("notConfigured");
  return db.transaction(async (tx) => {
    // One start at a time per member: two taps on "start" must not make two attempts.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    const attempts = await tx
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.lessonId, lesson.id)))
      .orderBy(asc(quizAttempts.id));
    for (const a of attempts) {
      if (a.submittedAt) continue;
      if (!expired(a, now)) return a;
      await closeExpired(tx, a, rule, now);
    }
    if (rule.maxAttempts && attempts.length >= rule.maxAttempts) throw new QuizError("noAttemptsLeft");
    const pool = await loadPool(tx, rule);
    const seed = globalThis.crypto.getRandomValues(new Uint32Array(1))[0];
    const rng = seededRng(seed);
    const { picked } = drawQuestions(pool, rule, rng);
    if (picked.length === 0) throw new QuizError("noQuestions");
    const versions = await versionsById(
      tx,
      picked.map((p) => p.versionId),
    );
    const items = shuffle(picked, rng).map((p) => {
      const v = versions.get(p.versionId)!;
      return { versionId: v.id, optionOrder: v.type === "single" || v.type === "multiple" ? shuffleOptions(v.options, rng) : [] };
    });
    const deadline = rule.timeLimitSeconds ? new Date(now.getTime() + rule.timeLimitSeconds * 1000) : null;
    const [attempt] = await tx.insert(quizAttempts).values({ userId, lessonId: lesson.id, items, startedAt: now, deadline }).returning();
    return attempt;
  });
}

export type AttemptQuestion = PresentedQuestion & { index: number };

/** An open attempt's questions as the member sees them: no answer key, no explanation. */
export async function presentAttempt(attempt: Attempt): Promise<AttemptQuestion[]> {
  const versions = await versionsById(
    db,
    attempt.items.map((i) => i.versionId),
  );
  return attempt.items.map((item, index) => {
    const v = versions.get(item.versionId)!;
    return { index, ...presentQuestion(v, item.optionOrder) };
  });
}

export type SubmitResult =
  | { ok: true; attempt: Attempt; score: number; passed: boolean; lessonCompleted: boolean; courseCompleted: boolean }
  | { ok: false; code: "late"; attempt: Attempt };

/**
 * Grades and closes an attempt. `responses` holds one entry per item index (missing or null:
 * unanswered). Refused: an attempt that is not the member's or not this lesson's (notFound), one
 * already submitted, an answer to a question not in the attempt or naming an option the question
 * does not have (tampered), and a submission after the deadline plus grace (the attempt is then
 * closed with what it had: nothing).
 */
export async function submitAttempt(
  userId: number,
  lesson: QuizLesson,
  attemptId: number,
  responses: Map<number, QuizResponse | null>,
  now = new Date(),
): Promise<SubmitResult> {
  return db.transaction(async (tx) => {
    const [attempt] = await tx
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.id, attemptId), eq(quizAttempts.userId, userId), eq(quizAttempts.lessonId, lesson.id)))
      .for("update");
    if (!attempt) throw new QuizError("notFound");
    if (attempt.submittedAt) throw new QuizError("alreadySubmitted");
    if (expired(attempt, now)) return { ok: false as const, code: "late" as const, attempt: await closeExpired(tx, attempt, lesson.quizRule, now) };
    for (const index of responses.keys()) {
      if (!Number.isInteger(index) || index < 0 || index >= attempt.items.length) throw new QuizError("tampered", `no question ${index} in the attempt`);
    }
    const versions = await versionsById(
      tx,
      attempt.items.map((i) => i.versionId),
    );
    const list = attempt.items.map((_, i) => responses.get(i) ?? null);
    list.forEach((r, i) => {
      if (!r) return;
      const problem = responseProblem(versions.get(attempt.items[i].versionId)!, r);
      if (problem) throw new QuizError("tampered", `question ${i}: ${problem}`);
    });
    const graded = gradeItems(attempt, versions, list, lesson.quizRule);
    const score = scorePercent(graded.map((g) => g.credit));
    const passed = passes(score, lesson.quizRule?.passMark ?? 0);
    const [saved] = await tx
      .update(quizAttempts)
      .set({ submittedAt: now, responses: list, score, passed })
      .where(and(eq(quizAttempts.id, attempt.id), isNull(quizAttempts.submittedAt)))
      .returning();
    if (!saved) throw new QuizError("alreadySubmitted");
    await recordAnswers(
      tx,
      userId,
      "lesson",
      graded.map((g) => ({ questionId: g.version.questionId, versionId: g.version.id, response: g.response, correct: g.correct })),
      now,
    );
    let lessonCompleted = false;
    let courseCompleted = false;
    if (passed) {
      const completion = await completeLesson(userId, lesson.id, { score, now, tx });
      lessonCompleted = completion.lessonCompleted;
      courseCompleted = completion.courseCompleted;
    }
    return { ok: true as const, attempt: saved, score, passed, lessonCompleted, courseCompleted };
  });
}

export type ReviewedQuestion = AttemptQuestion & {
  response: QuizResponse | null;
  correct: boolean;
  credit: number;
  answer: AnswerKey;
  explanation: string;
};

/** A submitted attempt with each question's response, the right answer and the explanation. */
export async function reviewAttempt(attempt: Attempt, rule: LessonQuizRule | null): Promise<ReviewedQuestion[]> {
  if (!attempt.submittedAt) throw new Error("reviewAttempt: the attempt is still open");
  const versions = await versionsById(
    db,
    attempt.items.map((i) => i.versionId),
  );
  return gradeItems(attempt, versions, attempt.responses ?? [], rule).map((g, index) => ({
    index,
    ...presentQuestion(g.version, g.item.optionOrder),
    response: g.response,
    correct: g.correct,
    credit: g.credit,
    answer: g.version.answer,
    explanation: g.version.explanation,
  }));
}

export function ruleSummary(rule: LessonQuizRule | null) {
  return {
    passMark: rule ? passPercent(rule.passMark) : 0,
    timeLimitSeconds: rule?.timeLimitSeconds ?? null,
    maxAttempts: rule?.maxAttempts ?? null,
    questions: ruleQuestionCount(rule),
  };
}
