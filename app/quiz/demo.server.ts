// Demo data of the quiz module: a committee-level bank of about forty questions, and draw rules
// for the quiz lessons of the demo courses. Idempotent: run it again and nothing is added twice.
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { catalogueChanged } from "~/courses/lesson-cache.server";
import { db } from "~/db/client.server";
import { courses, lessons, questionBanks, units, type QuizRule } from "~/db/schema";
import { insertDrafts } from "./banks.server";
import { DEMO_BANK_NAME, DEMO_COURSE_TAGS, DEMO_QUESTIONS, DEMO_QUIZ_SIZE } from "./demo-questions";

export type DemoQuestionsResult = { bankId: number | null; questionsCreated: number; lessonsFilled: number };

/**
 * Creates the demo bank on the first committee (top-level unit) and gives every quiz lesson of
 * the demo courses (platform-guide, party-informatization, work-safety) a rule drawing from it,
 * keeping the lesson's pass mark, time limit and attempt limit. Lessons that already draw
 * questions are left alone. Without any unit it does nothing.
 */
export async function seedDemoQuestions(): Promise<DemoQuestionsResult> {
  const [committee] = await db.select().from(units).where(isNull(units.parentId)).orderBy(asc(units.code)).limit(1);
  if (!committee) return { bankId: null, questionsCreated: 0, lessonsFilled: 0 };
  return db.transaction(async (tx) => {
    let questionsCreated = 0;
    let [bank] = await tx
      .select()
      .from(questionBanks)
      .where(and(eq(questionBanks.unitId, committee.id), eq(questionBanks.name, DEMO_BANK_NAME)));
    if (!bank) {
      [bank] = await tx
        .insert(questionBanks)
        .values({ unitId: committee.id, name: DEMO_BANK_NAME, description: "演示用题库：网上党校使用方法、党建基础知识和安全生产常识。" })
        .returning();
      questionsCreated = (await insertDrafts(tx, bank.id, DEMO_QUESTIONS)).length;
    }
    const quizLessons = await tx
      .select({ id: lessons.id, quizRule: lessons.quizRule, slug: courses.slug })
      .from(lessons)
      .innerJoin(courses, eq(courses.id, lessons.courseId))
      .where(and(eq(lessons.kind, "quiz"), inArray(courses.slug, Object.keys(DEMO_COURSE_TAGS))));
    let lessonsFilled = 0;
    for (const lesson of quizLessons) {
      const current = lesson.quizRule;
      if (current && ((current.draws?.length ?? 0) > 0 || (current.fixedQuestionIds?.length ?? 0) > 0)) continue;
      const rule: QuizRule = {
        passMark: current?.passMark ?? 60,
        ...(current?.timeLimitSeconds ? { timeLimitSeconds: current.timeLimitSeconds } : {}),
        ...(current?.maxAttempts ? { maxAttempts: current.maxAttempts } : {}),
        draws: [{ bankId: bank.id, tags: [DEMO_COURSE_TAGS[lesson.slug]], count: DEMO_QUIZ_SIZE }],
      };
      await tx.update(lessons).set({ quizRule: rule }).where(eq(lessons.id, lesson.id));
      lessonsFilled += 1;
    }
    if (lessonsFilled > 0) await catalogueChanged(tx);
    return { bankId: bank.id, questionsCreated, lessonsFilled };
  });
}
