import { and, eq, isNotNull, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { courseCompletions, lessonProgress, lessons } from "~/db/schema";
import { creditHoursFor } from "./rules";

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

export type Completion = { lessonCompleted: boolean; courseCompleted: boolean; creditHours: number | null; courseId: number };

/**
 * Marks a lesson complete (once; later calls only raise the best score) and, when it was the
 * course's last open lesson, completes the course with its credit hours. Idempotent.
 * Pass `tx` when already inside a transaction (PGlite has one connection: never use `db` there).
 */
export async function completeLesson(
  userId: number,
  lessonId: number,
  { score, now = new Date(), tx }: { score?: number; now?: Date; tx?: Tx } = {},
): Promise<Completion> {
  const run = async (t: Tx) => {
    const [lesson] = await t.select({ courseId: lessons.courseId }).from(lessons).where(eq(lessons.id, lessonId));
    if (!lesson) throw new Error(`lesson ${lessonId} does not exist`);
    const [before] = await t
      .select({ completedAt: lessonProgress.completedAt })
      .from(lessonProgress)
      .where(and(eq(lessonProgress.userId, userId), eq(lessonProgress.lessonId, lessonId)))
      .for("update");
    await t
      .insert(lessonProgress)
      .values({ userId, lessonId, completedAt: now, bestScore: score ?? null, updatedAt: now })
      .onConflictDoUpdate({
        target: [lessonProgress.userId, lessonProgress.lessonId],
        set: {
          completedAt: sql`coalesce(${lessonProgress.completedAt}, ${now})`,
          bestScore: score === undefined ? sql`${lessonProgress.bestScore}` : sql`greatest(${lessonProgress.bestScore}, ${score})`,
          updatedAt: now,
        },
      });
    const lessonCompleted = !before?.completedAt;
    if (!lessonCompleted) return { lessonCompleted, courseCompleted: false, creditHours: null, courseId: lesson.courseId };
    const course = await completeCourseIfDone(t, userId, lesson.courseId, now);
    return { lessonCompleted, ...course, courseId: lesson.courseId };
  };
  return tx ? run(tx) : db.transaction(run);
}

async function completeCourseIfDone(t: Tx, userId: number, courseId: number, now: Date) {
  const [summary] = await t
    .select({
      total: sql<number>`count(*)::int`,
      done: sql<number>`count(${lessonProgress.completedAt})::int`,
      seconds: sql<number>`coalesce(sum(${lessons.durationSeconds}), 0)::int`,
      quizzes: sql<number>`count(*) filter (where ${lessons.kind} = 'quiz')::int`,
    })
    .from(lessons)
    .leftJoin(
      lessonProgress,
      and(eq(lessonProgress.lessonId, lessons.id), eq(lessonProgress.userId, userId), isNotNull(lessonProgress.completedAt)),
    )
    .where(eq(lessons.courseId, courseId));
  if (!summary || summary.total === 0 || summary.done < summary.total) return { courseCompleted: false, creditHours: null };
  // Every quiz lesson is complete only once passed, so a course with a quiz earns the test bonus.
  const creditHours = creditHoursFor(summary.seconds, summary.quizzes > 0);
  const inserted = await t
    .insert(courseCompletions)
    .values({ userId, courseId, creditHours: creditHours.toFixed(2), completedAt: now })
    .onConflictDoNothing()
    .returning({ userId: courseCompletions.userId });
  return { courseCompleted: inserted.length > 0, creditHours: inserted.length > 0 ? creditHours : null };
}
