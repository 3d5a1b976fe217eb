// The demo bank and the demo courses' quiz rules.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { courses, lessons, questions, questionVersions } from "~/db/schema";
import { startAttempt } from "~/quiz/attempts.server";
import { seedDemoQuestions } from "~/quiz/demo.server";
import { DEMO_QUESTIONS, DEMO_QUIZ_SIZE, DEMO_TAGS } from "~/quiz/demo-questions";
import { draftProblems } from "~/quiz/draft";
import { makeMember, makeUnitTree } from "~/seed/factories.server";

describe("demo questions", () => {
  it("are about forty valid questions of all four types", () => {
    expect(DEMO_QUESTIONS.length).toBeGreaterThanOrEqual(38);
    expect(new Set(DEMO_QUESTIONS.map((q) => q.type))).toEqual(new Set(["single", "multiple", "true_false", "fill_blank"]));
    for (const q of DEMO_QUESTIONS) expect(draftProblems(q), q.stem).toEqual([]);
    expect(new Set(DEMO_QUESTIONS.map((q) => q.stem)).size).toBe(DEMO_QUESTIONS.length);
    for (const tag of Object.values(DEMO_TAGS)) expect(DEMO_QUESTIONS.filter((q) => q.tags.includes(tag)).length).toBeGreaterThanOrEqual(DEMO_QUIZ_SIZE * 2);
  });

  it("does nothing without an organisation, then fills the bank and the demo quiz lessons once", async () => {
    expect(await seedDemoQuestions()).toEqual({ bankId: null, questionsCreated: 0, lessonsFilled: 0 });
    const tree = await makeUnitTree({ name: "示范党委", kind: "committee", children: [{ name: "支部", kind: "branch" }] });
    const [course] = await db.insert(courses).values({ slug: "work-safety", title: "安全生产", published: true }).returning();
    const [quiz] = await db.insert(lessons).values({ courseId: course.id, position: 1, kind: "quiz", title: "测验", quizRule: { passMark: 80, maxAttempts: 5 } }).returning();
    const [other] = await db.insert(courses).values({ slug: "something-else", title: "其他", published: true }).returning();
    const [untouched] = await db.insert(lessons).values({ courseId: other.id, position: 1, kind: "quiz", title: "测验", quizRule: { passMark: 60 } }).returning();

    const first = await seedDemoQuestions();
    expect(first).toMatchObject({ questionsCreated: DEMO_QUESTIONS.length, lessonsFilled: 1 });
    expect(await db.select().from(questions).where(eq(questions.bankId, first.bankId!))).toHaveLength(DEMO_QUESTIONS.length);
    const [filled] = await db.select().from(lessons).where(eq(lessons.id, quiz.id));
    expect(filled.quizRule).toEqual({ passMark: 80, maxAttempts: 5, draws: [{ bankId: first.bankId, tags: [DEMO_TAGS.safety], count: DEMO_QUIZ_SIZE }] });
    expect((await db.select().from(lessons).where(eq(lessons.id, untouched.id)))[0].quizRule).toEqual({ passMark: 60 });

    expect(await seedDemoQuestions()).toEqual({ bankId: first.bankId, questionsCreated: 0, lessonsFilled: 0 });

    const member = await makeMember({ unitId: tree.get("支部")!.id });
    const attempt = await startAttempt(member.id, { id: quiz.id, quizRule: filled.quizRule });
    expect(attempt.items).toHaveLength(DEMO_QUIZ_SIZE);
    for (const item of attempt.items) {
      const [v] = await db.select().from(questionVersions).where(eq(questionVersions.id, item.versionId));
      expect(v.tags).toEqual([DEMO_TAGS.safety]);
    }
  });
});
