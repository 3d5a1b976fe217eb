// Bank freshness: how many questions the average member (of the viewer's scope, among those who
// use the bank) has not yet seen.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { questionVersions, users } from "~/db/schema";
import { recordAnswers } from "~/quiz/answers.server";
import { createBank, createQuestion, setArchived } from "~/quiz/banks.server";
import { freshnessFor } from "~/quiz/freshness.server";
import * as bankIndex from "~/routes/admin.banks._index";
import { makeMember, makeUnitTree } from "~/seed/factories.server";
import { invoke, sessionCookie } from "../support/routes";

let tree: Awaited<ReturnType<typeof makeUnitTree>>;
let committeeBank: number;
let branchBank: number;
const committeeQuestions: { questionId: number; versionId: number }[] = [];
const people: Record<string, { id: number }> = {};

async function answered(who: string, count: number, from = 0) {
  await db.transaction((tx) =>
    recordAnswers(
      tx,
      people[who].id,
      "daily",
      committeeQuestions.slice(from, from + count).map((q) => ({ ...q, response: null, correct: true })),
    ),
  );
}

beforeAll(async () => {
  tree = await makeUnitTree({
    name: "新鲜党委",
    kind: "committee",
    children: [
      { name: "一支部", kind: "branch" },
      { name: "二支部", kind: "branch" },
    ],
  });
  const id = (n: string) => tree.get(n)!.id;
  committeeBank = (await createBank({ unitId: id("新鲜党委"), name: "党委题库" })).id;
  branchBank = (await createBank({ unitId: id("一支部"), name: "一支部题库" })).id;
  for (let i = 0; i < 10; i++) {
    const { question, version } = await createQuestion(committeeBank, { type: "true_false", stem: `题${i}`, options: [], correct: [], value: true, explanation: "", difficulty: 3, tags: [], source: "" });
    committeeQuestions.push({ questionId: question.id, versionId: version.id });
  }
  for (let i = 0; i < 4; i++) {
    await createQuestion(branchBank, { type: "true_false", stem: `支部题${i}`, options: [], correct: [], value: true, explanation: "", difficulty: 3, tags: [], source: "" });
  }
  for (const [name, unit] of [
    ["a1", "一支部"],
    ["a2", "一支部"],
    ["a3", "一支部"],
    ["b1", "二支部"],
    ["b2", "二支部"],
  ]) {
    people[name] = await makeMember({ unitId: id(unit) });
  }
  people.admin = await makeMember({ unitId: id("二支部"), grants: [{ unitId: id("新鲜党委"), role: "admin" }] });
  people.organiser = await makeMember({ unitId: id("一支部"), grants: [{ unitId: id("一支部"), role: "organiser" }] });
  await answered("a1", 4);
  await answered("a1", 1); // the same question again counts once
  await answered("a2", 2, 5);
  await answered("b1", 10);
});

describe("bank freshness", () => {
  it("averages over the members who use the bank, for the whole committee", async () => {
    // The admin and the organiser are members too: 7 members use the committee bank, 4 the branch bank.
    const f = await freshnessFor([tree.get("新鲜党委")!.code], [committeeBank, branchBank]);
    expect(f.get(committeeBank)).toEqual({ bankId: committeeBank, questions: 10, members: 7, averageUnseen: Math.round((10 - 16 / 7) * 10) / 10, exhausted: 1, daysLeft: 1 });
    expect(f.get(branchBank)).toMatchObject({ questions: 4, members: 4, averageUnseen: 4, exhausted: 0, daysLeft: 0 });
  });

  it("counts only the organiser's own members", async () => {
    const f = await freshnessFor([tree.get("一支部")!.code], [committeeBank]);
    // a1 saw 4, a2 saw 2, a3 and the organiser none: 10 − 6/4.
    expect(f.get(committeeBank)).toMatchObject({ members: 4, averageUnseen: 8.5, exhausted: 0 });
  });

  it("leaves out archived questions and disabled members", async () => {
    await setArchived(committeeQuestions[9].questionId, true);
    await db.update(users).set({ disabled: true }).where(eq(users.id, people.a3.id));
    const f = await freshnessFor([tree.get("新鲜党委")!.code], [committeeBank]);
    // 9 questions; b1 saw all 9 still active; seen: a1 4, a2 2, b1 9 → 15 over 6 members.
    expect(f.get(committeeBank)).toMatchObject({ questions: 9, members: 6, averageUnseen: 6.5, exhausted: 1 });
    await setArchived(committeeQuestions[9].questionId, false);
    await db.update(users).set({ disabled: false }).where(eq(users.id, people.a3.id));
  });

  it("is on the banks page for the viewer's scope", async () => {
    const out = await invoke(bankIndex.loader, { path: "/admin/banks", cookie: await sessionCookie(people.organiser.id) });
    const banks = (out.body as { banks: { id: number; freshness: { members: number; averageUnseen: number } | null }[] }).banks;
    expect(banks.find((b) => b.id === committeeBank)!.freshness).toMatchObject({ members: 4, averageUnseen: 8.5 });
    expect(banks.find((b) => b.id === branchBank)!.freshness).toMatchObject({ members: 4, averageUnseen: 4 });
    const versions = await db.select().from(questionVersions).where(eq(questionVersions.questionId, committeeQuestions[0].questionId));
    expect(versions).toHaveLength(1);
  });
});
