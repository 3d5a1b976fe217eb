// A small organisation with a question bank and contest helpers, shared by the contest tests.
import { eq, sql } from "drizzle-orm";
import type { Viewer } from "~/auth/policy.server";
import { createContest, getContest, publishContest } from "~/contests/contests.server";
import { chinaLocal, type ContestForm } from "~/contests/forms";
import { contestContent } from "~/contests/play.server";
import { questionOrder } from "~/contests/scoring";
import { db } from "~/db/client.server";
import { contestEntries, roleGrants, units, users } from "~/db/schema";
import { createBank, createQuestion } from "~/quiz/banks.server";
import type { QuestionDraft } from "~/quiz/draft";
import type { QuizResponse } from "~/quiz/grading";
import { makeMember, makeUnitTree } from "~/seed/factories.server";

const base = { options: [] as string[], correct: [] as number[], difficulty: 3, tags: ["党史"], source: "" };

/** Every explanation and fill-in answer of the bank: none may reach a browser before its question is answered. */
export const SECRETS: string[] = [];

export async function makeContestWorld(prefix: string) {
  const tree = await makeUnitTree({
    name: `${prefix}党委`,
    kind: "committee",
    children: [
      { name: `${prefix}本支部`, kind: "branch", children: [{ name: `${prefix}一组`, kind: "group" }, { name: `${prefix}二组`, kind: "group" }] },
      { name: `${prefix}他支部`, kind: "branch" },
    ],
  });
  const id = (name: string) => tree.get(`${prefix}${name}`)!.id;
  const bank = await createBank({ unitId: id("党委"), name: `${prefix}竞赛题库` });
  for (let i = 0; i < 8; i++) {
    const d: QuestionDraft =
      i % 4 === 3
        ? { ...base, type: "fill_blank", stem: `${prefix}填空${i}____`, blanks: [[`秘答${prefix}${i}`]], explanation: `秘析${prefix}${i}` }
        : i % 2 === 0
          ? { ...base, type: "single", stem: `${prefix}单选${i}`, options: ["甲", "乙", "丙"], correct: [1], explanation: `秘析${prefix}${i}` }
          : { ...base, type: "true_false", stem: `${prefix}判断${i}`, value: true, explanation: `秘析${prefix}${i}` };
    SECRETS.push(d.explanation, ...(d.blanks?.flat() ?? []));
    await createQuestion(bank.id, d);
  }
  const organiser = await makeMember({ unitId: id("本支部"), name: `${prefix}组织员`, grants: [{ unitId: id("本支部"), role: "organiser" }] });
  const otherOrganiser = await makeMember({ unitId: id("他支部"), name: `${prefix}他组织员`, grants: [{ unitId: id("他支部"), role: "organiser" }] });
  const members = [];
  for (let i = 0; i < 4; i++) members.push(await makeMember({ unitId: id(i < 3 ? "一组" : "二组"), name: `${prefix}党员${i}` }));
  const outsider = await makeMember({ unitId: id("他支部"), name: `${prefix}外人` });
  return { tree, id, bank, organiser, otherOrganiser, members, outsider };
}

/** The viewer of a user as requireViewer would build it. */
export async function viewerOf(userId: number): Promise<Viewer> {
  const [u] = await db.select({ user: users, code: units.code, unitName: units.name }).from(users).innerJoin(units, eq(units.id, users.unitId)).where(eq(users.id, userId));
  const grants = await db
    .select({ unitId: roleGrants.unitId, role: roleGrants.role, unitCode: units.code, unitName: units.name })
    .from(roleGrants)
    .innerJoin(units, eq(units.id, roleGrants.unitId))
    .where(eq(roleGrants.userId, userId));
  return {
    id: u.user.id,
    sessionId: "test",
    name: u.user.name,
    employeeNo: u.user.employeeNo,
    unitId: u.user.unitId,
    unitCode: u.code,
    unitName: u.unitName,
    status: u.user.status,
    isCadre: u.user.isCadre,
    mustChangePassword: false,
    locale: null,
    grants,
  };
}

export function contestForm(unitId: number, bankId: number, overrides: Partial<ContestForm> = {}): ContestForm {
  const now = Date.now();
  return {
    unitId,
    title: "测试竞赛",
    description: "",
    opensAt: chinaLocal(new Date(now - 3_600_000)),
    closesAt: chinaLocal(new Date(now + 3_600_000)),
    secondsPerQuestion: 20,
    pointsPerCorrect: 100,
    speedBonus: "on",
    showResultsAtOnce: "on",
    bankIds: [bankId],
    tags: "",
    countSingle: 2,
    countMultiple: 0,
    countTrueFalse: 2,
    countFillBlank: 1,
    ...overrides,
  };
}

/** A published contest of the world's branch. */
export async function publishedContest(world: Awaited<ReturnType<typeof makeContestWorld>>, overrides: Partial<ContestForm> = {}) {
  const organiser = await viewerOf(world.organiser.id);
  const draft = await createContest(organiser, contestForm(world.id("本支部"), world.bank.id, overrides));
  await publishContest(draft.id);
  return (await getContest(draft.id))!;
}

/** The right (or a wrong) response to the question at `index` of the member's order. */
export async function responseFor(contestId: number, userId: number, index: number, right = true): Promise<QuizResponse> {
  const content = (await contestContent(contestId))!;
  const v = content.versions[questionOrder(contestId, userId, content.versions.length)[index]];
  switch (v.type) {
    case "single":
    case "multiple":
      return { choices: right ? v.answer.choices! : v.options.filter((o) => !v.answer.choices!.includes(o.id)).slice(0, 1).map((o) => o.id) };
    case "true_false":
      return { value: right ? v.answer.value! : !v.answer.value };
    case "fill_blank":
      return { blanks: [right ? v.answer.blanks![0][0] : "错的"] };
  }
}

/** Moves the served question's start back by `ms`, as if that much time had passed. */
export async function ageServed(contestId: number, userId: number, ms: number) {
  await db.execute(
    sql`update contest_entries set current_served_at = current_served_at - ${ms}::int * interval '1 millisecond' where contest_id = ${contestId} and user_id = ${userId}`,
  );
}

export async function entryOf(contestId: number, userId: number) {
  const [e] = await db.select().from(contestEntries).where(sql`${contestEntries.contestId} = ${contestId} and ${contestEntries.userId} = ${userId}`);
  return e;
}
