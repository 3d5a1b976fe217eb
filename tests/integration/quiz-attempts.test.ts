// Lesson quizzes through the route: draws and shuffles per attempt, no answer key before
// submission (loader data and rendered HTML), tampered and late submissions refused, double
// submission refused, attempt limit, pass → lesson and course complete, versions kept.
import { renderToString } from "react-dom/server";
import { createElement } from "react";
import { Outlet } from "react-router-dom";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { and, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { answerRecords, courseCompletions, courses, lessonProgress, lessons, mistakeBook, questionVersions, quizAttempts, type QuizRule } from "~/db/schema";
import { createBank, createQuestion, updateQuestion } from "~/quiz/banks.server";
import { QuizError, startAttempt, submitAttempt } from "~/quiz/attempts.server";
import { versionToDraft, type QuestionDraft } from "~/quiz/draft";
import type { QuizResponse } from "~/quiz/grading";
import * as quizRoute from "~/routes/lessons.$lessonId_.quiz";
import { makeMember, makeUnitTree } from "~/seed/factories.server";
import { invoke, sessionCookie } from "../support/routes";

type LoaderData = Awaited<ReturnType<typeof quizRoute.loader>>;

let bankId: number;
let member: { id: number };
let other: { id: number };
let cookie: string;
let otherCookie: string;
const SECRETS: string[] = [];

const base = { options: [] as string[], correct: [] as number[], difficulty: 3, tags: [] as string[], source: "" };

async function addQuestions() {
  const drafts: QuestionDraft[] = [];
  for (let i = 0; i < 4; i++) drafts.push({ ...base, type: "single", stem: `单选${i}`, options: [`甲${i}`, `乙${i}`, `丙${i}`], correct: [i % 3], explanation: `单选解析秘密${i}` });
  for (let i = 0; i < 3; i++) drafts.push({ ...base, type: "multiple", stem: `多选${i}`, options: [`一${i}`, `二${i}`, `三${i}`, `四${i}`], correct: [0, 2], explanation: `多选解析秘密${i}` });
  for (let i = 0; i < 3; i++) drafts.push({ ...base, type: "true_false", stem: `判断${i}`, value: i % 2 === 0, explanation: `判断解析秘密${i}` });
  for (let i = 0; i < 3; i++) drafts.push({ ...base, type: "fill_blank", stem: `填空${i}：____`, blanks: [[`填空答案秘密${i}`, `另一种写法秘密${i}`]], explanation: `填空解析秘密${i}` });
  for (const d of drafts) {
    await createQuestion(bankId, d);
    SECRETS.push(d.explanation, ...(d.blanks?.flat() ?? []));
  }
}

async function makeLesson(rule: QuizRule, slug: string) {
  const [course] = await db.insert(courses).values({ slug, title: `课程${slug}`, published: true }).returning();
  const [lesson] = await db.insert(lessons).values({ courseId: course.id, position: 1, kind: "quiz", title: `测验${slug}`, durationSeconds: 600, quizRule: rule }).returning();
  return { courseId: course.id, lessonId: lesson.id, lesson: { id: lesson.id, quizRule: rule } };
}

const standardRule = (): QuizRule => ({
  passMark: 60,
  timeLimitSeconds: 600,
  maxAttempts: 3,
  draws: [
    { bankId, type: "single", count: 2 },
    { bankId, type: "multiple", count: 1 },
    { bankId, type: "true_false", count: 1 },
    { bankId, type: "fill_blank", count: 1 },
  ],
});

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "测验党委", kind: "committee", children: [{ name: "支部", kind: "branch" }] });
  member = await makeMember({ unitId: tree.get("支部")!.id });
  other = await makeMember({ unitId: tree.get("支部")!.id });
  cookie = await sessionCookie(member.id);
  otherCookie = await sessionCookie(other.id);
  bankId = (await createBank({ unitId: tree.get("测验党委")!.id, name: "测验题库" })).id;
  await addQuestions();
});

const path = (lessonId: number, query = "") => `/lessons/${lessonId}/quiz${query}`;
const params = (lessonId: number) => ({ lessonId: String(lessonId) });

async function load(lessonId: number, query = "", who = cookie) {
  const out = await invoke(quizRoute.loader, { path: path(lessonId, query), cookie: who, params: params(lessonId) });
  expect(out.status).toBe(200);
  return out.body as LoaderData;
}

async function post(lessonId: number, entries: [string, string][], who = cookie) {
  const form = new FormData();
  for (const [k, v] of entries) form.append(k, v);
  return invoke(quizRoute.action, { path: path(lessonId), method: "POST", cookie: who, params: params(lessonId), form });
}

/** Form fields answering an attempt's items right (or wrong), from the versions in the database. */
async function answersFor(attemptId: number, right: boolean): Promise<[string, string][]> {
  const [attempt] = await db.select().from(quizAttempts).where(eq(quizAttempts.id, attemptId));
  const versions = await db.select().from(questionVersions).where(inArray(questionVersions.id, attempt.items.map((i) => i.versionId)));
  const byId = new Map(versions.map((v) => [v.id, v]));
  const out: [string, string][] = [];
  attempt.items.forEach((item, i) => {
    const v = byId.get(item.versionId)!;
    const name = `a${i}`;
    if (v.type === "single" || v.type === "multiple") {
      const key = v.answer.choices!;
      const choices = right ? key : [v.options.find((o) => !key.includes(o.id))!.id];
      for (const c of choices) out.push([name, c]);
    } else if (v.type === "true_false") out.push([name, String(right ? v.answer.value : !v.answer.value)]);
    else v.answer.blanks!.forEach((alts, k) => out.push([`${name}.b${k}`, right ? `  ${alts[0].normalize("NFKC")} ` : "错"]));
  });
  return out;
}

/** Renders the route's page with the given loader data, as the server would. */
async function renderPage(lessonId: number, data: LoaderData) {
  const routes = [
    {
      id: "root",
      path: "/",
      loader: () => ({ locale: "zh-CN", viewer: null }),
      Component: Outlet,
      children: [{ id: "quiz", path: "lessons/:lessonId/quiz", loader: () => data, Component: quizRoute.default }],
    },
  ];
  const handler = createStaticHandler(routes);
  const context = await handler.query(new Request(`http://localhost${path(lessonId)}`));
  if (context instanceof Response) throw new Error("unexpected response");
  const router = createStaticRouter(handler.dataRoutes, context);
  return renderToString(createElement(StaticRouterProvider, { router, context, hydrate: false }));
}

function expectNoKey(json: string) {
  for (const secret of SECRETS) expect(json, secret).not.toContain(secret);
  expect(json).not.toMatch(/"(answer|explanation|correct|choices|value|credit|response)"/);
}

describe("taking a lesson quiz", () => {
  let ctx: Awaited<ReturnType<typeof makeLesson>>;
  beforeAll(async () => {
    ctx = await makeLesson(standardRule(), "main");
  });

  it("shows the rules before the first attempt", async () => {
    const data = await load(ctx.lessonId);
    expect(data.open).toBeNull();
    expect(data.rule).toEqual({ passMark: 60, timeLimitSeconds: 600, maxAttempts: 3, questions: 5 });
    expect(data.attemptsLeft).toBe(3);
  });

  let firstAttempt: number;
  it("draws by the rule, shuffles options per attempt, and sends no answer key before submission", async () => {
    const started = await post(ctx.lessonId, [["intent", "start"]]);
    expect(started).toMatchObject({ status: 302, location: path(ctx.lessonId) });
    // A second tap on "start" returns the same open attempt.
    await post(ctx.lessonId, [["intent", "start"]]);
    const attempts = await db.select().from(quizAttempts).where(eq(quizAttempts.lessonId, ctx.lessonId));
    expect(attempts).toHaveLength(1);
    firstAttempt = attempts[0].id;

    const data = await load(ctx.lessonId);
    expect(data.open!.id).toBe(firstAttempt);
    expect(data.open!.secondsLeft).toBeGreaterThan(590);
    const types = data.open!.questions.map((q) => q.type).sort();
    expect(types).toEqual(["fill_blank", "multiple", "single", "single", "true_false"]);
    for (const q of data.open!.questions) {
      expect(Object.keys(q).sort()).toEqual(["blanks", "index", "options", "stem", "type"]);
      for (const o of q.options) expect(Object.keys(o).sort()).toEqual(["id", "label", "text"]);
    }
    const json = JSON.stringify(data);
    expectNoKey(json);
    const html = await renderPage(ctx.lessonId, data);
    expect(html).toContain(data.open!.questions[0].stem);
    // The first question's input: `a0` for a choice, `a0.b0` for the first blank of a fill-in.
    expect(html).toContain(data.open!.questions[0].type === "fill_blank" ? 'name="a0.b0"' : 'name="a0"');
    expectNoKey(html);
    expect(html).not.toContain("正确答案");

    // The stored option order of each choice question is a permutation of its options.
    const [attempt] = attempts;
    const versions = await db.select().from(questionVersions).where(inArray(questionVersions.id, attempt.items.map((i) => i.versionId)));
    for (const item of attempt.items) {
      const v = versions.find((x) => x.id === item.versionId)!;
      if (v.options.length) expect([...item.optionOrder].sort()).toEqual(v.options.map((o) => o.id).sort());
    }
  });

  it("refuses tampered answers and leaves the attempt open", async () => {
    const good = await answersFor(firstAttempt, false);
    const unknownOption = good.map(([k, v]): [string, string] => (k === good.find(([, x]) => /^[a-z0-9]{6}$/.test(x))![0] ? [k, "zzzzzz"] : [k, v]));
    for (const entries of [
      [...good, ["a99", "abc"]],
      unknownOption,
      [...good.filter(([k]) => !k.startsWith("a0")), ["a0", "maybe"], ["a0", "zz"]],
      [...good, ["a-1", "x"]],
    ] as [string, string][][]) {
      const out = await post(ctx.lessonId, [["intent", "submit"], ["attemptId", String(firstAttempt)], ...entries]);
      expect(out.status).toBe(400);
      expect(out.body).toEqual({ error: "tampered" });
    }
    // Someone else's attempt is not found.
    const theirs = await post(ctx.lessonId, [["intent", "submit"], ["attemptId", String(firstAttempt)], ...good], otherCookie);
    expect(theirs.status).toBe(404);
    const [attempt] = await db.select().from(quizAttempts).where(eq(quizAttempts.id, firstAttempt));
    expect(attempt.submittedAt).toBeNull();
    expect(await db.select().from(answerRecords).where(eq(answerRecords.userId, member.id))).toHaveLength(0);
  });

  it("grades a failed attempt, fills the mistake book, and shows answers and explanations only now", async () => {
    const out = await post(ctx.lessonId, [["intent", "submit"], ["attemptId", String(firstAttempt)], ...(await answersFor(firstAttempt, false))]);
    expect(out).toMatchObject({ status: 302, location: path(ctx.lessonId, `?attempt=${firstAttempt}`) });
    const [attempt] = await db.select().from(quizAttempts).where(eq(quizAttempts.id, firstAttempt));
    expect(attempt).toMatchObject({ score: 0, passed: false });
    const records = await db.select().from(answerRecords).where(eq(answerRecords.userId, member.id));
    expect(records).toHaveLength(5);
    expect(records.every((r) => r.mode === "lesson" && !r.correct)).toBe(true);
    expect(await db.select().from(mistakeBook).where(eq(mistakeBook.userId, member.id))).toHaveLength(5);
    const [progress] = await db.select().from(lessonProgress).where(and(eq(lessonProgress.userId, member.id), eq(lessonProgress.lessonId, ctx.lessonId)));
    expect(progress?.completedAt ?? null).toBeNull();

    const data = await load(ctx.lessonId, `?attempt=${firstAttempt}`);
    expect(data.review!.score).toBe(0);
    expect(data.review!.questions.every((q) => !q.correct && q.explanation.includes("解析秘密"))).toBe(true);
    const html = await renderPage(ctx.lessonId, data);
    expect(html).toContain("正确答案");
    expect(html).toContain("解析秘密");
  });

  it("refuses a second submission of the same attempt", async () => {
    await expect(submitAttempt(member.id, ctx.lesson, firstAttempt, new Map())).rejects.toMatchObject({ code: "alreadySubmitted" });
    const again = await post(ctx.lessonId, [["intent", "submit"], ["attemptId", String(firstAttempt)], ...(await answersFor(firstAttempt, true))]);
    expect(again.status).toBe(302);
    const [attempt] = await db.select().from(quizAttempts).where(eq(quizAttempts.id, firstAttempt));
    expect(attempt.score).toBe(0);
    expect(await db.select().from(answerRecords).where(eq(answerRecords.userId, member.id))).toHaveLength(5);
  });

  it("passes on a retry, completing the lesson and the course", async () => {
    await post(ctx.lessonId, [["intent", "start"]]);
    const data = await load(ctx.lessonId);
    const second = data.open!.id;
    expect(second).not.toBe(firstAttempt);
    expectNoKey(JSON.stringify(data));
    const out = await post(ctx.lessonId, [["intent", "submit"], ["attemptId", String(second)], ...(await answersFor(second, true))]);
    expect(out.status).toBe(302);
    const [attempt] = await db.select().from(quizAttempts).where(eq(quizAttempts.id, second));
    expect(attempt).toMatchObject({ score: 100, passed: true });
    const [progress] = await db.select().from(lessonProgress).where(and(eq(lessonProgress.userId, member.id), eq(lessonProgress.lessonId, ctx.lessonId)));
    expect(progress.completedAt).not.toBeNull();
    expect(progress.bestScore).toBe(100);
    const [completion] = await db.select().from(courseCompletions).where(and(eq(courseCompletions.userId, member.id), eq(courseCompletions.courseId, ctx.courseId)));
    expect(Number(completion.creditHours)).toBe(0.75);
    const after = await load(ctx.lessonId);
    expect(after.completed).toBe(true);
    expect(after.best).toBe(100);
    expect(after.attemptsLeft).toBe(1);
  });

  it("refuses an attempt beyond the limit", async () => {
    await post(ctx.lessonId, [["intent", "start"]]);
    const third = (await load(ctx.lessonId)).open!.id;
    await post(ctx.lessonId, [["intent", "submit"], ["attemptId", String(third)], ...(await answersFor(third, true))]);
    const refused = await post(ctx.lessonId, [["intent", "start"]]);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: "noAttemptsLeft" });
    expect((await load(ctx.lessonId)).attemptsLeft).toBe(0);
  });
});

describe("time limit", () => {
  it("accepts a submission within the grace period and refuses one after it", async () => {
    const { lesson } = await makeLesson({ ...standardRule(), timeLimitSeconds: 60, maxAttempts: undefined }, "timed");
    const t0 = new Date("2030-01-01T08:00:00Z");
    const a = await startAttempt(other.id, lesson, t0);
    expect(a.deadline!.getTime()).toBe(t0.getTime() + 60_000);
    const inGrace = await submitAttempt(other.id, lesson, a.id, new Map(), new Date(t0.getTime() + 75_000));
    expect(inGrace.ok).toBe(true);

    const b = await startAttempt(other.id, lesson, new Date(t0.getTime() + 100_000));
    const late = await submitAttempt(other.id, lesson, b.id, new Map([[0, null]]), new Date(t0.getTime() + 100_000 + 81_000));
    expect(late).toMatchObject({ ok: false, code: "late" });
    const [closed] = await db.select().from(quizAttempts).where(eq(quizAttempts.id, b.id));
    expect(closed).toMatchObject({ score: 0, passed: false });
    expect(closed.submittedAt).not.toBeNull();
    await expect(submitAttempt(other.id, lesson, b.id, new Map(), new Date(t0.getTime() + 200_000))).rejects.toMatchObject({ code: "alreadySubmitted" });
  });

  it("closes an abandoned attempt when the member comes back after the deadline", async () => {
    const ctx = await makeLesson({ ...standardRule(), timeLimitSeconds: 1 }, "abandoned");
    const started = await startAttempt(member.id, ctx.lesson, new Date(Date.now() - 60_000));
    const data = await load(ctx.lessonId);
    expect(data.open).toBeNull();
    expect(data.attempts).toEqual([{ id: started.id, number: 1, submitted: true, score: 0, passed: false, expired: true }]);
  });
});

describe("rules and versions", () => {
  it("uses fixed questions and grades against the version the attempt drew", async () => {
    const [fixed] = await db
      .select({ id: questionVersions.questionId, version: questionVersions })
      .from(questionVersions)
      .where(eq(questionVersions.stem, "判断0"));
    const ctx = await makeLesson({ passMark: 100, fixedQuestionIds: [fixed.id] }, "fixed");
    const attempt = await startAttempt(member.id, ctx.lesson);
    expect(attempt.items.map((i) => i.versionId)).toEqual([fixed.version.id]);
    // The question is corrected after the attempt was drawn: its answer flips.
    await updateQuestion(fixed.id, { ...versionToDraft(fixed.version), value: !fixed.version.answer.value });
    const response: QuizResponse = { value: fixed.version.answer.value! };
    const result = await submitAttempt(member.id, ctx.lesson, attempt.id, new Map([[0, response]]));
    expect(result).toMatchObject({ ok: true, score: 100, passed: true });
    const [record] = await db.select().from(answerRecords).where(and(eq(answerRecords.userId, member.id), eq(answerRecords.questionId, fixed.id))).orderBy(answerRecords.id);
    expect(record.versionId).toBe(fixed.version.id);
    // A new attempt draws the new version.
    const ctx2 = await makeLesson({ passMark: 100, fixedQuestionIds: [fixed.id] }, "fixed2");
    const next = await startAttempt(member.id, ctx2.lesson);
    expect(next.items[0].versionId).not.toBe(fixed.version.id);
  });

  it("refuses to start a quiz without rule or questions", async () => {
    const none = await makeLesson({ passMark: 60, draws: [{ bankId: 999_999, count: 3 }] }, "empty");
    await expect(startAttempt(member.id, none.lesson)).rejects.toBeInstanceOf(QuizError);
    expect((await post(none.lessonId, [["intent", "start"]])).body).toEqual({ error: "noQuestions" });
  });

  it("is not found for a lesson that is not a quiz or not published", async () => {
    const [course] = await db.insert(courses).values({ slug: "hidden", title: "未发布", published: false }).returning();
    const [hidden] = await db.insert(lessons).values({ courseId: course.id, position: 1, kind: "quiz", title: "隐藏", quizRule: standardRule() }).returning();
    expect((await invoke(quizRoute.loader, { path: path(hidden.id), cookie, params: params(hidden.id) })).status).toBe(404);
    const [reading] = await db.insert(lessons).values({ courseId: course.id, position: 2, kind: "reading", title: "阅读" }).returning();
    expect((await invoke(quizRoute.loader, { path: path(reading.id), cookie, params: params(reading.id) })).status).toBe(404);
  });
});
