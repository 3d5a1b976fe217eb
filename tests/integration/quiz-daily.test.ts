// The daily quiz (five a day from the banks the member's unit uses, unseen first, one at a time
// with feedback, once a day in Asia/Shanghai) and the mistake book (every wrong answer goes in,
// two right in a row take it out).
import { and, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { answerRecords, dailyQuizzes, mistakeBook, questions, questionVersions } from "~/db/schema";
import { recordAnswers } from "~/quiz/answers.server";
import { createBank, createQuestion, setArchived, updateQuestion } from "~/quiz/banks.server";
import { shanghaiDay, todaysQuiz } from "~/quiz/daily.server";
import { versionToDraft, type QuestionDraft } from "~/quiz/draft";
import { answerPractice, nextPractice } from "~/quiz/mistakes.server";
import * as dailyRoute from "~/routes/quiz.daily";
import * as mistakesRoute from "~/routes/quiz.mistakes";
import { makeMember, makeUnitTree } from "~/seed/factories.server";
import { invoke, sessionCookie } from "../support/routes";

type DailyData = Awaited<ReturnType<typeof dailyRoute.loader>>;
type MistakesData = Awaited<ReturnType<typeof mistakesRoute.loader>>;

const SECRETS: string[] = [];
const base = { options: [] as string[], correct: [] as number[], difficulty: 3, tags: [] as string[], source: "" };
let tree: Awaited<ReturnType<typeof makeUnitTree>>;
const id = (name: string) => tree.get(name)!.id;

async function fill(bankId: number, prefix: string, n: number) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const d: QuestionDraft =
      i % 3 === 0
        ? { ...base, type: "single", stem: `${prefix}单选${i}`, options: ["甲", "乙", "丙"], correct: [1], explanation: `${prefix}解析秘密${i}` }
        : i % 3 === 1
          ? { ...base, type: "fill_blank", stem: `${prefix}填空${i}____`, blanks: [[`${prefix}答案秘密${i}`]], explanation: `${prefix}解析秘密${i}` }
          : { ...base, type: "true_false", stem: `${prefix}判断${i}`, value: true, explanation: `${prefix}解析秘密${i}` };
    SECRETS.push(d.explanation, ...(d.blanks?.flat() ?? []));
    ids.push((await createQuestion(bankId, d)).question.id);
  }
  return ids;
}

let committeeQuestions: number[];
let branchQuestions: number[];
let otherQuestions: number[];

beforeAll(async () => {
  tree = await makeUnitTree({
    name: "每日党委",
    kind: "committee",
    children: [
      { name: "本支部", kind: "branch", children: [{ name: "本小组", kind: "group" }] },
      { name: "他支部", kind: "branch" },
    ],
  });
  await makeUnitTree({ name: "无题党委", kind: "committee" });
  committeeQuestions = await fill((await createBank({ unitId: id("每日党委"), name: "党委题库" })).id, "党委", 4);
  branchQuestions = await fill((await createBank({ unitId: id("本支部"), name: "支部题库" })).id, "支部", 3);
  otherQuestions = await fill((await createBank({ unitId: id("他支部"), name: "他支部题库" })).id, "他支部", 3);
});

/** The right (or a wrong) response to a version, as form fields named q{index}. */
async function fieldsFor(versionId: number, index: number, right: boolean): Promise<[string, string][]> {
  const [v] = await db.select().from(questionVersions).where(eq(questionVersions.id, versionId));
  const name = `q${index}`;
  if (v.type === "single") return [[name, right ? v.answer.choices![0] : v.options.find((o) => !v.answer.choices!.includes(o.id))!.id]];
  if (v.type === "true_false") return [[name, String(right ? v.answer.value : !v.answer.value)]];
  return v.answer.blanks!.map((alts, k): [string, string] => [`${name}.b${k}`, right ? alts[0] : "不对"]);
}

function post(handler: typeof dailyRoute.action | typeof mistakesRoute.action, url: string, cookie: string, entries: [string, string][]) {
  const form = new FormData();
  for (const [k, v] of entries) form.append(k, v);
  return invoke(handler, { path: url, method: "POST", cookie, form });
}

describe("the day", () => {
  it("is China's calendar day", () => {
    expect(shanghaiDay(new Date("2026-01-01T15:59:59Z"))).toBe("2026-01-01");
    expect(shanghaiDay(new Date("2026-01-01T16:00:00Z"))).toBe("2026-01-02");
  });
});

describe("daily quiz", () => {
  let member: { id: number };
  let cookie: string;
  let versionIds: number[];

  beforeAll(async () => {
    member = await makeMember({ unitId: id("本小组") });
    cookie = await sessionCookie(member.id);
    // Two committee questions already seen in a lesson quiz.
    const seen = await db.select().from(questionVersions).where(inArray(questionVersions.questionId, committeeQuestions.slice(0, 2)));
    await db.transaction((tx) =>
      recordAnswers(
        tx,
        member.id,
        "lesson",
        seen.map((v) => ({ questionId: v.questionId, versionId: v.id, response: null, correct: true })),
      ),
    );
  });

  it("draws five questions from the member's unit's banks and above, unseen first, without answer keys", async () => {
    const out = await invoke(dailyRoute.loader, { path: "/quiz/daily", cookie });
    const data = out.body as DailyData;
    expect(data).toMatchObject({ state: "question", total: 5, answered: 0, correct: 0 });
    const json = JSON.stringify(data);
    for (const s of SECRETS) expect(json).not.toContain(s);
    expect(JSON.stringify(data.question)).not.toMatch(/"(answer|explanation|correct|choices|value|versionId)":/);
    const [quiz] = await db.select().from(dailyQuizzes).where(eq(dailyQuizzes.userId, member.id));
    versionIds = quiz.versionIds;
    const drawn = await db.select({ questionId: questionVersions.questionId }).from(questionVersions).where(inArray(questionVersions.id, versionIds));
    expect(drawn.map((d) => d.questionId).sort((a, b) => a - b)).toEqual([...committeeQuestions.slice(2), ...branchQuestions].sort((a, b) => a - b));
    expect(drawn.some((d) => otherQuestions.includes(d.questionId))).toBe(false);
    // Loading again does not draw again.
    await invoke(dailyRoute.loader, { path: "/quiz/daily", cookie });
    expect((await db.select().from(dailyQuizzes).where(eq(dailyQuizzes.userId, member.id)))[0].versionIds).toEqual(versionIds);
  });

  it("refuses an empty, tampered or stale answer", async () => {
    expect((await post(dailyRoute.action, "/quiz/daily", cookie, [["index", "0"]])).body).toEqual({ error: "choose" });
    const bad = await post(dailyRoute.action, "/quiz/daily", cookie, [["index", "0"], ["q1", "x"]]);
    expect(bad).toMatchObject({ status: 400, body: { error: "tampered" } });
    expect((await post(dailyRoute.action, "/quiz/daily", cookie, [["index", "3"], ...(await fieldsFor(versionIds[3], 3, true))])).body).toEqual({ error: "stale" });
    expect((await db.select().from(dailyQuizzes).where(eq(dailyQuizzes.userId, member.id)))[0].answered).toBe(0);
  });

  it("answers one at a time with feedback, puts wrong answers in the mistake book, and finishes once a day", async () => {
    const wrong = await post(dailyRoute.action, "/quiz/daily", cookie, [["index", "0"], ...(await fieldsFor(versionIds[0], 0, false))]);
    const feedback = (wrong.body as { feedback: { correct: boolean; explanation: string; answered: number; finished: boolean } }).feedback;
    expect(feedback).toMatchObject({ correct: false, answered: 1, finished: false });
    expect(feedback.explanation).toMatch(/解析秘密/);
    const [firstVersion] = await db.select().from(questionVersions).where(eq(questionVersions.id, versionIds[0]));
    expect(await db.select().from(mistakeBook).where(and(eq(mistakeBook.userId, member.id), eq(mistakeBook.questionId, firstVersion.questionId)))).toHaveLength(1);
    // The same form again (a double tap) is stale, not a second answer.
    expect((await post(dailyRoute.action, "/quiz/daily", cookie, [["index", "0"], ...(await fieldsFor(versionIds[0], 0, true))])).body).toEqual({ error: "stale" });
    const next = (await invoke(dailyRoute.loader, { path: "/quiz/daily", cookie })).body as DailyData;
    expect(next.question!.index).toBe(1);
    for (let i = 1; i < 5; i++) {
      const out = await post(dailyRoute.action, "/quiz/daily", cookie, [["index", String(i)], ...(await fieldsFor(versionIds[i], i, true))]);
      expect((out.body as { feedback: { correct: boolean } }).feedback.correct).toBe(true);
    }
    const done = (await invoke(dailyRoute.loader, { path: "/quiz/daily", cookie })).body as DailyData;
    expect(done).toMatchObject({ state: "done", answered: 5, correct: 4, question: null });
    expect((await post(dailyRoute.action, "/quiz/daily", cookie, [["index", "5"], ["q5", "x"]])).body).toEqual({ error: "finished" });
    const records = await db.select().from(answerRecords).where(and(eq(answerRecords.userId, member.id), eq(answerRecords.mode, "daily")));
    expect(records).toHaveLength(5);
    const [row] = await db.select().from(dailyQuizzes).where(eq(dailyQuizzes.userId, member.id));
    expect(row.finishedAt).not.toBeNull();
  });

  it("draws a new quiz the next day, seen questions last", async () => {
    // Every question has been seen now; a new one comes first.
    const [fresh] = await fill((await db.query.questionBanks.findFirst({ where: (b, { eq }) => eq(b.name, "支部题库") }))!.id, "新题", 1);
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
    const quiz = await todaysQuiz(member.id, tree.get("本小组")!.code, tomorrow);
    expect(quiz!.day).toBe(shanghaiDay(tomorrow));
    expect(quiz!.versionIds).toHaveLength(5);
    const drawn = await db.select({ questionId: questionVersions.questionId }).from(questionVersions).where(inArray(questionVersions.id, quiz!.versionIds));
    expect(drawn.map((d) => d.questionId)).toContain(fresh);
  });

  it("has nothing to offer a member whose units have no banks", async () => {
    const lonely = await makeMember({ unitId: (await db.query.units.findFirst({ where: (u, { eq }) => eq(u.name, "无题党委") }))!.id });
    const data = (await invoke(dailyRoute.loader, { path: "/quiz/daily", cookie: await sessionCookie(lonely.id) })).body as DailyData;
    expect(data.state).toBe("noQuestions");
    expect(await db.select().from(dailyQuizzes).where(eq(dailyQuizzes.userId, lonely.id))).toHaveLength(0);
  });
});

describe("mistake book", () => {
  let member: { id: number };
  let cookie: string;
  let versions: (typeof questionVersions.$inferSelect)[];

  beforeAll(async () => {
    member = await makeMember({ unitId: id("他支部") });
    cookie = await sessionCookie(member.id);
    versions = await db.select().from(questionVersions).where(inArray(questionVersions.questionId, otherQuestions)).orderBy(questionVersions.questionId);
    await db.transaction((tx) =>
      recordAnswers(
        tx,
        member.id,
        "daily",
        versions.map((v) => ({ questionId: v.questionId, versionId: v.id, response: null, correct: false })),
      ),
    );
  });

  const load = async () => (await invoke(mistakesRoute.loader, { path: "/quiz/mistakes", cookie })).body as MistakesData;
  const answer = async (right: boolean) => {
    const data = await load();
    const q = data.question!;
    const fields = (await fieldsFor(q.versionId, 0, right)).map(([k, v]): [string, string] => [k.replace(/^q\d+/, "q0"), v]);
    return {
      questionId: q.questionId,
      out: await post(mistakesRoute.action, "/quiz/mistakes", cookie, [["questionId", String(q.questionId)], ["versionId", String(q.versionId)], ...fields]),
    };
  };

  it("holds every wrong answer and shows practice questions without answer keys", async () => {
    const data = await load();
    expect(data.total).toBe(3);
    expect(data.entries).toHaveLength(3);
    const json = JSON.stringify({ ...data, entries: [] });
    for (const s of SECRETS) expect(json).not.toContain(s);
    expect(json).not.toMatch(/"(answer|explanation|correct|choices|value)":/);
  });

  it("rotates through the book and removes a question after two right answers in a row", async () => {
    const first = await answer(true);
    expect((first.out.body as { feedback: { streak: number; removed: boolean } }).feedback).toMatchObject({ streak: 1, removed: false });
    // The next practice question is another one: the one just practised goes to the back.
    expect((await load()).question!.questionId).not.toBe(first.questionId);
    await answer(false);
    await answer(false);
    // Back to the first: a wrong answer now starts its streak again.
    const again = await answer(false);
    expect(again.questionId).toBe(first.questionId);
    expect((await db.select().from(mistakeBook).where(and(eq(mistakeBook.userId, member.id), eq(mistakeBook.questionId, first.questionId))))[0].correctStreak).toBe(0);
    // Two right in a row, with other questions between, take it out.
    for (let i = 0; i < 6; i++) {
      const r = await answer(true);
      if (r.questionId === first.questionId && (r.out.body as { feedback: { removed: boolean } }).feedback.removed) break;
    }
    expect(await db.select().from(mistakeBook).where(and(eq(mistakeBook.userId, member.id), eq(mistakeBook.questionId, first.questionId)))).toHaveLength(0);
  });

  it("counts right answers in other modes too, and empties", async () => {
    const left = await db.select().from(mistakeBook).where(eq(mistakeBook.userId, member.id));
    const vs = versions.filter((v) => left.some((l) => l.questionId === v.questionId));
    for (let k = 0; k < 2; k++) {
      await db.transaction((tx) =>
        recordAnswers(
          tx,
          member.id,
          "lesson",
          vs.map((v) => ({ questionId: v.questionId, versionId: v.id, response: null, correct: true })),
        ),
      );
    }
    const data = await load();
    expect(data.total).toBe(0);
    expect(data.question).toBeNull();
  });

  it("refuses an answer to an old version or to a question no longer in the book", async () => {
    const v = versions[0];
    await db.transaction((tx) => recordAnswers(tx, member.id, "daily", [{ questionId: v.questionId, versionId: v.id, response: null, correct: false }]));
    await updateQuestion(v.questionId, { ...versionToDraft(v), stem: `${v.stem}（修订）` });
    expect(await answerPractice(member.id, v.questionId, v.id, { choices: [] })).toEqual({ ok: false, error: "stale" });
    const next = await nextPractice(member.id);
    expect(next!.stem).toContain("（修订）");
    await setArchived(v.questionId, true);
    expect(await nextPractice(member.id)).toBeNull();
    expect(await answerPractice(member.id, v.questionId, next!.versionId, { choices: [] })).toEqual({ ok: false, error: "gone" });
    await setArchived(v.questionId, false);
    const out = await post(mistakesRoute.action, "/quiz/mistakes", cookie, [["questionId", String(v.questionId)], ["versionId", String(next!.versionId)], ["q0", "nope"]]);
    expect(out.status).toBe(400);
    const [q] = await db.select().from(questions).where(eq(questions.id, v.questionId));
    expect(q.currentVersion).toBe(2);
  });
});
