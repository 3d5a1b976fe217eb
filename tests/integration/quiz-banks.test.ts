// Bank pages: who may see and change which bank, questions created and edited through the forms
// (an edit adds a version and leaves recorded answers alone), archive, import upload, downloads.
import fs from "node:fs";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { answerRecords, questionBanks, questions, questionVersions } from "~/db/schema";
import { createBank, createQuestion } from "~/quiz/banks.server";
import * as bankIndex from "~/routes/admin.banks._index";
import * as bankPage from "~/routes/admin.banks.$bankId._index";
import * as newQuestion from "~/routes/admin.banks.$bankId.questions.new";
import * as editQuestion from "~/routes/admin.banks.$bankId.questions.$questionId";
import * as importPage from "~/routes/admin.banks.$bankId.import";
import * as exportXlsx from "~/routes/admin.banks.$bankId.export[.xlsx]";
import * as exportXml from "~/routes/admin.banks.$bankId.export[.xml]";
import * as template from "~/routes/admin.banks.template[.xlsx]";
import { makeMember, makeUnitTree } from "~/seed/factories.server";
import { invoke, sessionCookie } from "../support/routes";

const cookies = {} as Record<"admin" | "organiser" | "otherOrganiser" | "member", string>;
let tree: Awaited<ReturnType<typeof makeUnitTree>>;
let committeeBank: number;
let branchBank: number;
let member: { id: number };

beforeAll(async () => {
  tree = await makeUnitTree({
    name: "题库党委",
    kind: "committee",
    children: [
      { name: "甲支部", kind: "branch", children: [{ name: "甲小组", kind: "group" }] },
      { name: "乙支部", kind: "branch" },
    ],
  });
  const id = (n: string) => tree.get(n)!.id;
  const admin = await makeMember({ unitId: id("题库党委"), grants: [{ unitId: id("题库党委"), role: "admin" }] });
  const organiser = await makeMember({ unitId: id("甲支部"), grants: [{ unitId: id("甲支部"), role: "organiser" }] });
  const otherOrganiser = await makeMember({ unitId: id("乙支部"), grants: [{ unitId: id("乙支部"), role: "organiser" }] });
  member = await makeMember({ unitId: id("甲小组") });
  cookies.admin = await sessionCookie(admin.id);
  cookies.organiser = await sessionCookie(organiser.id);
  cookies.otherOrganiser = await sessionCookie(otherOrganiser.id);
  cookies.member = await sessionCookie(member.id);
  committeeBank = (await createBank({ unitId: id("题库党委"), name: "党委题库" })).id;
  branchBank = (await createBank({ unitId: id("甲支部"), name: "甲支部题库" })).id;
});

const bankParams = (bankId: number) => ({ bankId: String(bankId) });

describe("who sees which bank", () => {
  it("lists the organiser's own banks and, read-only, those of the units above", async () => {
    const out = await invoke(bankIndex.loader, { path: "/admin/banks", cookie: cookies.organiser });
    const banks = (out.body as { banks: { id: number; manageable: boolean }[] }).banks;
    expect(banks.map((b) => [b.id, b.manageable])).toEqual([
      [committeeBank, false],
      [branchBank, true],
    ]);
  });
  it("gives 404 for another branch's bank and 403 to a plain member", async () => {
    for (const handler of [bankPage.loader, exportXlsx.loader, exportXml.loader, importPage.loader, newQuestion.loader]) {
      expect((await invoke(handler, { path: "/x", cookie: cookies.otherOrganiser, params: bankParams(branchBank) })).status).toBe(404);
      expect((await invoke(handler, { path: "/x", cookie: cookies.organiser, params: bankParams(committeeBank) })).status).toBe(404);
    }
    expect((await invoke(bankIndex.loader, { path: "/admin/banks", cookie: cookies.member })).status).toBe(403);
    expect((await invoke(template.loader, { path: "/admin/banks/template.xlsx", cookie: cookies.member })).status).toBe(403);
  });
  it("creates a bank only for a unit in scope", async () => {
    const denied = await invoke(bankIndex.action, { path: "/admin/banks", method: "POST", cookie: cookies.organiser, form: { name: "越权", unitId: String(tree.get("乙支部")!.id) } });
    expect(denied.status).toBe(404);
    const made = await invoke(bankIndex.action, { path: "/admin/banks", method: "POST", cookie: cookies.organiser, form: { name: "甲小组题库", unitId: String(tree.get("甲小组")!.id) } });
    expect(made.status).toBe(302);
    const [bank] = await db.select().from(questionBanks).where(eq(questionBanks.name, "甲小组题库"));
    expect(made.location).toBe(`/admin/banks/${bank.id}`);
  });
});

describe("questions through the forms", () => {
  it("refuses an invalid question with errors next to the fields", async () => {
    const out = await invoke(newQuestion.action, {
      path: "/x",
      method: "POST",
      cookie: cookies.organiser,
      params: bankParams(branchBank),
      form: new URLSearchParams([["type", "multiple"], ["stem", ""], ["options[0]", "甲"], ["options[1]", "乙"], ["correct", "0"]]) as unknown as Record<string, string>,
    });
    expect(out.status).toBe(200);
    const errors = (out.body as { error: Record<string, string[]> }).error;
    expect(errors.stem).toEqual(["quiz.v.stemRequired"]);
    expect(errors.correct).toEqual(["quiz.v.multipleTwoAnswers"]);
  });

  it("creates, edits (a new version) and keeps the answers given to the old version", async () => {
    const form = (entries: [string, string][]) => {
      const f = new FormData();
      for (const [k, v] of entries) f.append(k, v);
      return f;
    };
    const created = await invoke(newQuestion.action, {
      path: "/x",
      method: "POST",
      cookie: cookies.organiser,
      params: bankParams(branchBank),
      form: form([["type", "single"], ["stem", "党的最高领导机关是？"], ["options[0]", "全国代表大会"], ["options[1]", "中央政治局"], ["options[2]", ""], ["correct", "0"], ["difficulty", "2"], ["tags", "党章，组织"]]),
    });
    expect(created.status).toBe(302);
    const [q] = await db.select().from(questions).where(eq(questions.bankId, branchBank)).orderBy(asc(questions.id));
    const [v1] = await db.select().from(questionVersions).where(eq(questionVersions.questionId, q.id));
    expect(v1).toMatchObject({ type: "single", stem: "党的最高领导机关是？", difficulty: 2, tags: ["党章", "组织"] });
    expect(v1.options.map((o) => o.text)).toEqual(["全国代表大会", "中央政治局"]);
    expect(v1.answer.choices).toEqual([v1.options[0].id]);
    await db.insert(answerRecords).values({ userId: member.id, questionId: q.id, versionId: v1.id, mode: "daily", response: { choices: [v1.options[0].id] }, correct: true });

    const params = { bankId: String(branchBank), questionId: String(q.id) };
    const page = await invoke(editQuestion.loader, { path: "/x", cookie: cookies.organiser, params });
    expect((page.body as { draft: { correct: number[] } }).draft.correct).toEqual([0]);
    const edited = await invoke(editQuestion.action, {
      path: "/x",
      method: "POST",
      cookie: cookies.organiser,
      params,
      form: form([["type", "single"], ["stem", "党的最高领导机关是（ ）。"], ["options[0]", "全国代表大会和中央委员会"], ["options[1]", "中央政治局"], ["correct", "0"], ["difficulty", "2"]]),
    });
    expect(edited.status).toBe(302);
    const versions = await db.select().from(questionVersions).where(eq(questionVersions.questionId, q.id)).orderBy(asc(questionVersions.version));
    expect(versions.map((v) => [v.version, v.stem])).toEqual([
      [1, "党的最高领导机关是？"],
      [2, "党的最高领导机关是（ ）。"],
    ]);
    expect(versions[1].options.map((o) => o.id)).toEqual(versions[0].options.map((o) => o.id));
    const [after] = await db.select().from(questions).where(eq(questions.id, q.id));
    expect(after.currentVersion).toBe(2);
    const [record] = await db.select({ version: questionVersions }).from(answerRecords).innerJoin(questionVersions, eq(questionVersions.id, answerRecords.versionId)).where(eq(answerRecords.questionId, q.id));
    expect(record.version).toEqual(v1);

    // Saving the same content again adds no version.
    await invoke(editQuestion.action, {
      path: "/x",
      method: "POST",
      cookie: cookies.organiser,
      params,
      form: form([["type", "single"], ["stem", "党的最高领导机关是（ ）。"], ["options[0]", "全国代表大会和中央委员会"], ["options[1]", "中央政治局"], ["correct", "0"], ["difficulty", "2"]]),
    });
    expect(await db.select().from(questionVersions).where(eq(questionVersions.questionId, q.id))).toHaveLength(2);

    // A question of another bank is not reachable through this bank's URL.
    expect((await invoke(editQuestion.loader, { path: "/x", cookie: cookies.admin, params: { bankId: String(committeeBank), questionId: String(q.id) } })).status).toBe(404);

    // Archive and restore.
    await invoke(bankPage.action, { path: "/x", method: "POST", cookie: cookies.organiser, params: bankParams(branchBank), form: { intent: "archive", questionId: String(q.id) } });
    expect((await db.select().from(questions).where(eq(questions.id, q.id)))[0].archived).toBe(true);
    const list = await invoke(bankPage.loader, { path: `/admin/banks/${branchBank}`, cookie: cookies.organiser, params: bankParams(branchBank) });
    expect((list.body as { list: { total: number } }).list.total).toBe(0);
    await invoke(bankPage.action, { path: "/x", method: "POST", cookie: cookies.organiser, params: bankParams(branchBank), form: { intent: "restore", questionId: String(q.id) } });
    expect((await db.select().from(questions).where(eq(questions.id, q.id)))[0].archived).toBe(false);

    // A bank that has questions cannot be deleted.
    const del = await invoke(bankPage.action, { path: "/x", method: "POST", cookie: cookies.organiser, params: bankParams(branchBank), form: { intent: "delete" } });
    expect(JSON.stringify(del.body)).toContain("quiz.bank.notEmpty");
  });
});

describe("uploads and downloads", () => {
  it("imports an uploaded file and reports errors without writing", async () => {
    const bank = await createBank({ unitId: tree.get("甲支部")!.id, name: "上传" });
    const upload = (name: string, body: Uint8Array, format = "auto") => {
      const f = new FormData();
      f.append("file", new File([new Uint8Array(body)], name));
      f.append("format", format);
      return invoke(importPage.action, { path: "/x", method: "POST", cookie: cookies.organiser, params: bankParams(bank.id), form: f });
    };
    const bad = await upload("broken.gift", fs.readFileSync(path.resolve("tests/fixtures/quiz/broken/gift-no-correct.gift")));
    expect(bad.body).toMatchObject({ status: "invalid", total: 1, errors: [{ line: 3 }] });
    expect(await db.select().from(questions).where(eq(questions.bankId, bank.id))).toHaveLength(0);
    const good = await upload("good.gift", fs.readFileSync(path.resolve("tests/fixtures/quiz/good.gift")));
    expect(good.body).toMatchObject({ status: "imported", count: 5 });
    expect((good.body as { skipped: unknown[] }).skipped).toHaveLength(4);
    const none = await upload("empty.txt", new Uint8Array(0));
    expect(none.body).toMatchObject({ status: "form" });
  });

  it("downloads the template and the exports", async () => {
    const t = await invoke(template.loader, { path: "/admin/banks/template.xlsx", cookie: cookies.organiser });
    expect(t.status).toBe(200);
    const xlsx = await exportXlsx.loader({
      request: new Request("http://localhost:3000/x", { headers: { cookie: cookies.organiser } }),
      params: bankParams(branchBank),
      context: {},
    });
    expect(xlsx.headers.get("content-type")).toContain("spreadsheetml");
    expect(xlsx.headers.get("content-disposition")).toContain("filename*=UTF-8''");
    const xml = await exportXml.loader({
      request: new Request("http://localhost:3000/x", { headers: { cookie: cookies.organiser } }),
      params: bankParams(branchBank),
      context: {},
    });
    const body = await xml.text();
    expect(body).toContain("<quiz>");
    expect(body).toContain("全国代表大会和中央委员会");
  });
});

describe("questions of a bank", () => {
  it("are searched and filtered by type", async () => {
    const bank = await createBank({ unitId: tree.get("甲支部")!.id, name: "搜索" });
    const base = { options: [], correct: [], explanation: "", difficulty: 3, tags: [], source: "" };
    await createQuestion(bank.id, { ...base, type: "true_false", stem: "安全帽要系好下颌带。", value: true });
    await createQuestion(bank.id, { ...base, type: "fill_blank", stem: "安全生产方针：安全第一、____、综合治理。", blanks: [["预防为主"]] });
    await createQuestion(bank.id, { ...base, type: "true_false", stem: "党费按月交纳。", value: true });
    const get = async (query: string) =>
      (await invoke(bankPage.loader, { path: `/admin/banks/${bank.id}?${query}`, cookie: cookies.admin, params: bankParams(bank.id) })).body as { list: { items: { stem: string }[] } };
    expect((await get("q=安全")).list.items).toHaveLength(2);
    expect((await get("q=安全&type=true_false")).list.items.map((i) => i.stem)).toEqual(["安全帽要系好下颌带。"]);
    expect((await get("q=%25")).list.items).toHaveLength(0);
  });
  it("are never in another bank's list", async () => {
    const rows = await db.select().from(questions).where(and(eq(questions.bankId, committeeBank)));
    expect(rows).toHaveLength(0);
  });
});
