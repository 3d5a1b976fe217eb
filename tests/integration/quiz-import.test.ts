// Question import (XLSX, GIFT, Moodle XML, Aiken) and export (XLSX, Moodle XML): good files,
// broken files named by row/line with nothing written, skipped types, and round trips.
import fs from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { questions } from "~/db/schema";
import { bankDrafts, createBank, createQuestion } from "~/quiz/banks.server";
import type { QuestionDraft } from "~/quiz/draft";
import { bankMoodleXml, bankXlsx, questionTemplateXlsx, TEMPLATE_EXAMPLES } from "~/quiz/export.server";
import { XLSX_COLUMNS } from "~/quiz/formats/xlsx";
import { importQuestions, parseQuestionFile, type ImportFormat, type ImportOutcome } from "~/quiz/import.server";
import { makeUnitTree } from "~/seed/factories.server";

const FIXTURES = path.resolve("tests/fixtures/quiz");
let unitId: number;

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "导入测试党委", kind: "committee", children: [{ name: "一支部", kind: "branch" }] });
  unitId = tree.get("导入测试党委")!.id;
});

async function newBank(name = "题库") {
  return createBank({ unitId, name });
}

async function questionCount(bankId: number) {
  const [{ n }] = await db.select({ n: count() }).from(questions).where(eq(questions.bankId, bankId));
  return n;
}

function fixture(name: string) {
  return { name, bytes: new Uint8Array(fs.readFileSync(path.join(FIXTURES, name))) };
}

function text(name: string, body: string) {
  return { name, bytes: new TextEncoder().encode(body) };
}

async function xlsx(rows: (string | number | null)[][], header: readonly string[] = XLSX_COLUMNS, sheetName = "题目") {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.addRow([...header]);
  for (const r of rows) ws.addRow(r);
  return { name: "questions.xlsx", bytes: new Uint8Array(await wb.xlsx.writeBuffer()) };
}

/** A template row: 题型, 题干, options A–H, 答案, 解析, 难度, 标签, 来源. */
function row(type: string, stem: string, options: string[], answer: string, extra: { explanation?: string; difficulty?: string | number; tags?: string; source?: string } = {}) {
  const opts = Array.from({ length: 8 }, (_, i) => options[i] ?? null);
  return [type, stem, ...opts, answer, extra.explanation ?? null, extra.difficulty ?? null, extra.tags ?? null, extra.source ?? null];
}

function expectOk(outcome: ImportOutcome): asserts outcome is Extract<ImportOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`import failed: ${JSON.stringify(outcome.errors)}`);
}

async function expectRefused(file: { name: string; bytes: Uint8Array }, format: ImportFormat, lines: number[], pattern: RegExp) {
  const bank = await newBank();
  const outcome = await importQuestions({ bankId: bank.id, file, format });
  expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
  if (outcome.ok) return;
  expect(outcome.errors.map((e) => e.line)).toEqual(lines);
  expect(outcome.errors.map((e) => e.message).join("\n")).toMatch(pattern);
  expect(await questionCount(bank.id)).toBe(0);
}

describe("XLSX", () => {
  it("imports every type from the template's columns", async () => {
    const bank = await newBank();
    const file = await xlsx([
      row("单选题", "党的最高领导机关是（ ）。", ["全国代表大会和中央委员会", "中央政治局", "中央书记处"], "A", { explanation: "党章第十条", difficulty: 2, tags: "党章、组织", source: "党章" }),
      row("多选", "“三会”包括（ ）。", ["支部党员大会", "支部委员会", "党小组会", "民主生活会"], "A,B、C"),
      row("判断题", "预备期为一年。", [], "√"),
      row("填空题", "党支部是党的____组织，党小组是党支部的____。", [], "基础；组成部分|基本单位", { difficulty: "较难" }),
      [],
      row("简答题", "谈谈你的理解。", [], ""),
    ]);
    const outcome = await importQuestions({ bankId: bank.id, file });
    expectOk(outcome);
    expect(outcome.format).toBe("xlsx");
    expect(outcome.imported).toBe(4);
    expect(outcome.skipped).toEqual([{ line: 7, reason: "不支持“简答题”这种题型", excerpt: "谈谈你的理解。" }]);
    const drafts = (await bankDrafts(bank.id)).map((q) => q.draft);
    expect(drafts[0]).toMatchObject({ type: "single", correct: [0], explanation: "党章第十条", difficulty: 2, tags: ["党章", "组织"], source: "党章" });
    expect(drafts[1]).toMatchObject({ type: "multiple", correct: [0, 1, 2] });
    expect(drafts[2]).toMatchObject({ type: "true_false", value: true });
    expect(drafts[3]).toMatchObject({ type: "fill_blank", blanks: [["基础"], ["组成部分", "基本单位"]], difficulty: 4 });
  });

  it("skips questions the bank already has, so a second import adds nothing", async () => {
    const bank = await newBank();
    const file = await xlsx([row("判断", "地球是圆的。", [], "正确"), row("判断", "地球是圆的。", [], "正确")]);
    const first = await importQuestions({ bankId: bank.id, file });
    expectOk(first);
    expect(first.imported).toBe(1);
    expect(first.skipped.map((s) => s.reason)).toEqual(["与第 2 行的题目相同"]);
    const second = await importQuestions({ bankId: bank.id, file });
    expectOk(second);
    expect(second.imported).toBe(0);
    expect(second.skipped.map((s) => s.reason)).toEqual(["题库中已有相同的题目", "题库中已有相同的题目"]);
    expect(await questionCount(bank.id)).toBe(1);
  });

  it("refuses a header without the required columns", async () => {
    await expectRefused(await xlsx([["单选", "题"]], ["类型", "题目"]), "auto", [1], /表头缺少 题型、题干、答案 列/);
  });
  it("refuses an unknown type, naming the row and column", async () => {
    const bank = await newBank();
    const outcome = await importQuestions({ bankId: bank.id, file: await xlsx([row("单选", "好题", ["甲", "乙"], "A"), row("选择", "坏题", ["甲", "乙"], "A")]) });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.errors).toEqual([{ line: 3, column: "题型", message: "题型“选择”无法识别：应为 单选题、多选题、判断题、填空题 之一" }]);
    expect(await questionCount(bank.id)).toBe(0);
  });
  it("refuses an answer letter without an option", async () => {
    await expectRefused(await xlsx([row("单选", "题", ["甲", "乙"], "C")]), "xlsx", [2], /答案中的C没有对应的选项/);
  });
  it("refuses a gap in the options", async () => {
    await expectRefused(await xlsx([row("多选", "题", ["甲", "", "丙"], "AC")]), "xlsx", [2], /选项B是空的，但后面还有选项/);
  });
  it("refuses a true/false answer it cannot read", async () => {
    await expectRefused(await xlsx([row("判断", "题", [], "也许")]), "xlsx", [2], /判断题答案“也许”无法识别/);
  });
  it("refuses a fill-in-the-blank answer that does not fit the blanks", async () => {
    await expectRefused(await xlsx([row("填空", "____和____", [], "甲")]), "xlsx", [2], /题干中有 2 处空，答案却有 1 个/);
  });
  it("refuses a single-choice question with two answers and a bad difficulty, row by row", async () => {
    await expectRefused(
      await xlsx([row("单选", "题一", ["甲", "乙"], "AB"), row("判断", "题二", [], "对", { difficulty: 8 }), row("单选", "", ["甲", "乙"], "A")]),
      "xlsx",
      [2, 3, 4],
      /单选题只能有 1 个正确答案[\s\S]*难度“8”无法识别[\s\S]*请填写题干/,
    );
  });
  it("refuses a file that is not a spreadsheet when XLSX is chosen", async () => {
    await expectRefused(text("a.txt", "hello"), "xlsx", [0], /这不是 XLSX 文件/);
  });

  it("downloads a template that imports once filled in", async () => {
    const template = await questionTemplateXlsx();
    const parsed = await parseQuestionFile({ name: "t.xlsx", bytes: new Uint8Array(template) });
    expect(parsed.errors).toEqual([]);
    expect(parsed.questions).toEqual([]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["题目", "填写说明"]);
    expect(wb.getWorksheet("题目")!.getRow(1).values).toEqual([undefined, ...XLSX_COLUMNS]);
    // Copy the examples from the instructions into the sheet.
    const help = wb.getWorksheet("填写说明")!;
    const sheet = wb.getWorksheet("题目")!;
    let started = false;
    help.eachRow((r) => {
      if (started) sheet.addRow((r.values as unknown[]).slice(1));
      if (r.getCell(1).value === "题型") started = true;
    });
    const bank = await newBank();
    const outcome = await importQuestions({ bankId: bank.id, file: { name: "t.xlsx", bytes: new Uint8Array(await wb.xlsx.writeBuffer()) } });
    expectOk(outcome);
    expect(outcome.imported).toBe(TEMPLATE_EXAMPLES.length);
    expect((await bankDrafts(bank.id)).map((q) => q.draft)).toEqual(TEMPLATE_EXAMPLES);
  });
});

describe("GIFT", () => {
  it("imports choice, true/false and short-answer questions and lists the rest as skipped", async () => {
    const bank = await newBank();
    const outcome = await importQuestions({ bankId: bank.id, file: fixture("good.gift") });
    expectOk(outcome);
    expect(outcome.format).toBe("gift");
    expect(outcome.imported).toBe(5);
    expect(outcome.skipped.map((s) => [s.line, s.reason])).toEqual([
      [24, "问答题（essay）不支持"],
      [26, "数值题（numerical）不支持"],
      [28, "匹配题（matching）不支持"],
      [34, "没有答案部分 { }：说明文字（description），不是题目"],
    ]);
    const drafts = (await bankDrafts(bank.id)).map((q) => q.draft);
    expect(drafts[0]).toMatchObject({ type: "single", stem: "党的最高领导机关是？", correct: [0], tags: ["党章"], explanation: "党章第十条规定了党的最高领导机关。" });
    expect(drafts[0].options).toHaveLength(3);
    expect(drafts[1]).toMatchObject({ type: "multiple", correct: [0, 1, 2], options: ["支部党员大会", "支部委员会", "党小组会", "民主生活会"] });
    expect(drafts[2]).toMatchObject({ type: "true_false", value: true, tags: ["党章", "组织生活"] });
    expect(drafts[3]).toMatchObject({ type: "fill_blank", stem: "党支部是党的____组织。", blanks: [["基础", "基层"]] });
    expect(drafts[4]).toMatchObject({ type: "true_false", value: true, stem: "1+1 = 2 在 { 花括号 } 里也能写。", explanation: "转义字符也能读" });
  });

  const broken: [string, number[], RegExp][] = [
    ["gift-unclosed.gift", [3], /缺少右花括号/],
    ["gift-no-correct.gift", [3], /选择题没有正确答案/],
    ["gift-bad-weight.gift", [1], /分值写法不对/],
    ["gift-empty-answer.gift", [1], /有一个答案是空的/],
    ["gift-two-blocks.gift", [1], /只能有一个答案部分/],
    ["gift-no-prefix.gift", [1], /每个答案要以 = 或 ~ 开头/],
    ["gift-one-option.gift", [1], /有一个答案是空的/],
  ];
  for (const [name, lines, pattern] of broken) {
    it(`refuses ${name}, naming the line, and writes nothing`, async () => {
      await expectRefused(fixture(`broken/${name}`), "auto", lines, pattern);
    });
  }
});

describe("Moodle XML", () => {
  it("imports multichoice, truefalse, shortanswer and cloze, skipping the rest", async () => {
    const bank = await newBank();
    const outcome = await importQuestions({ bankId: bank.id, file: fixture("good.xml") });
    expectOk(outcome);
    expect(outcome.format).toBe("moodle-xml");
    expect(outcome.imported).toBe(5);
    expect(outcome.skipped.map((s) => [s.line, s.reason])).toEqual([
      [43, "问答题（essay）不支持"],
      [47, "匹配题（matching）不支持"],
      [51, "完形填空中含 MULTICHOICE 类型的空，只支持 SHORTANSWER"],
    ]);
    const drafts = (await bankDrafts(bank.id)).map((q) => q.draft);
    expect(drafts[0]).toMatchObject({ type: "single", stem: "党的最高领导机关是？", correct: [0], explanation: "见党章第十条。", tags: ["党章"] });
    expect(drafts[1]).toMatchObject({ type: "multiple", correct: [0, 1, 2] });
    expect(drafts[2]).toMatchObject({ type: "true_false", value: true });
    expect(drafts[3]).toMatchObject({ type: "fill_blank", blanks: [["基础", "基层"]] });
    expect(drafts[4]).toMatchObject({
      type: "fill_blank",
      stem: "党的思想路线是一切从实际出发，理论联系实际，____，在实践中检验真理和____。",
      blanks: [["实事求是"], ["发展真理", "发展真理。"]],
    });
  });

  const broken: [string, number[], RegExp][] = [
    ["xml-malformed.xml", [5], /第 5 行：XML 格式错误/],
    ["xml-wrong-root.xml", [0], /最外层应为 <quiz>/],
    ["xml-no-correct.xml", [9], /单选题没有 fraction="100" 的正确答案/],
    ["xml-bad-truefalse.xml", [3], /判断题要有一个 fraction="100" 的答案/],
    ["xml-shortanswer-no-full.xml", [3], /没有 fraction="100" 的答案/],
    ["xml-bad-difficulty.xml", [3], /难度 <difficulty>“9” 应为 1–5 的整数/],
    ["xml-empty-stem.xml", [3], /请填写题干/],
  ];
  for (const [name, lines, pattern] of broken) {
    it(`refuses ${name}, naming the line, and writes nothing`, async () => {
      await expectRefused(fixture(`broken/${name}`), "moodle-xml", lines, pattern);
    });
  }
});

describe("Aiken", () => {
  it("imports single and multiple choice, with the Chinese habits", async () => {
    const bank = await newBank();
    const outcome = await importQuestions({ bankId: bank.id, file: fixture("good-aiken.txt") });
    expectOk(outcome);
    expect(outcome.format).toBe("aiken");
    const drafts = (await bankDrafts(bank.id)).map((q) => q.draft);
    expect(drafts.map((d) => [d.type, d.correct, d.options.length])).toEqual([
      ["single", [0], 3],
      ["single", [0], 4],
      ["multiple", [0, 1], 3],
    ]);
    expect(drafts[1].stem).toBe("安全生产工作应当以人为本，坚持什么方针？");
  });

  const broken: [string, number[], RegExp][] = [
    ["aiken-no-answer.txt", [6], /缺少 ANSWER 行/],
    ["aiken-answer-beyond.txt", [1], /答案 C 没有对应的选项/],
    ["aiken-out-of-order.txt", [1], /选项应为 B，却是 C/],
    ["aiken-answer-first.txt", [1], /ANSWER 前面没有题目和选项/],
    ["aiken-one-option.txt", [1], /至少要有 2 个选项/],
    ["aiken-bad-letter.txt", [1], /答案“甲”无法识别/],
  ];
  for (const [name, lines, pattern] of broken) {
    it(`refuses ${name}, naming the line, and writes nothing`, async () => {
      await expectRefused(fixture(`broken/${name}`), "aiken", lines, pattern);
    });
  }
});

describe("any format", () => {
  it("refuses an empty file, a binary file, an old .xls and an unknown text", async () => {
    await expectRefused(text("a.txt", ""), "auto", [0], /文件是空的/);
    await expectRefused({ name: "a.png", bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]) }, "auto", [0], /无法读取这个文件/);
    await expectRefused({ name: "a.xls", bytes: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) }, "auto", [0], /旧版 Excel/);
    await expectRefused(text("a.txt", "随便写的一段话\n没有题目"), "auto", [0], /无法识别文件格式/);
  });
  it("reads GBK text", async () => {
    const gbk = new Uint8Array([0xb5, 0xda, 0xd2, 0xbb, 0xcc, 0xe2, 0xa3, 0xbf, 0x0a]); // 第一题？
    const body = new TextEncoder().encode("A. 甲\nB. 乙\nANSWER: B\n");
    const parsed = await parseQuestionFile({ name: "gbk.txt", bytes: new Uint8Array([...gbk, ...new Uint8Array(0), ...gbkOf(body)]) }, "aiken");
    expect(parsed.errors).toEqual([]);
    expect(parsed.questions[0].draft.stem).toBe("第一题？");
  });
  it("refuses a file with only unsupported questions", async () => {
    await expectRefused(text("a.gift", "::essay:: 谈谈理解。{}\n"), "gift", [0], /所有题目的题型都不支持/);
  });
});

/** The ASCII-plus-甲乙 body re-encoded as GBK (甲 = B C C A, 乙 = D2 D2). */
function gbkOf(utf8: Uint8Array) {
  const s = new TextDecoder().decode(utf8);
  const out: number[] = [];
  for (const ch of s) {
    if (ch === "甲") out.push(0xbc, 0xd7);
    else if (ch === "乙") out.push(0xd2, 0xd2);
    else out.push(ch.charCodeAt(0));
  }
  return out;
}

describe("round trip", () => {
  const all: QuestionDraft[] = [
    { type: "single", stem: "第一行\n第二行 <b>不是标签</b> & “引号”", options: ["甲 & 乙", "<丙>", "丁"], correct: [1], explanation: "解析\n两行", difficulty: 1, tags: ["党章", "组织"], source: "《党章》第三条" },
    { type: "multiple", stem: "多选？", options: ["一", "二", "三", "四", "五", "六", "七", "八"], correct: [0, 3, 7], explanation: "", difficulty: 5, tags: [], source: "" },
    { type: "true_false", stem: "对吗？", options: [], correct: [], value: false, explanation: "不对", difficulty: 3, tags: ["安全"], source: "" },
    { type: "fill_blank", stem: "只有一个空：____。", options: [], correct: [], blanks: [["甲", "甲甲"]], explanation: "", difficulty: 2, tags: [], source: "" },
    { type: "fill_blank", stem: "两个空：____和____。", options: [], correct: [], blanks: [["a/b", "c}d"], ["#1~"]], explanation: "", difficulty: 4, tags: [], source: "" },
    { type: "fill_blank", stem: "没有标记的三个空", options: [], correct: [], blanks: [["一"], ["二"], ["三"]], explanation: "", difficulty: 3, tags: [], source: "" },
  ];
  let source: number;
  beforeAll(async () => {
    source = (await newBank("原题库")).id;
    for (const d of all) await createQuestion(source, d);
  });

  it("XLSX export imports back to the same questions", async () => {
    const bytes = new Uint8Array(await bankXlsx(source));
    const target = await newBank("XLSX 副本");
    const outcome = await importQuestions({ bankId: target.id, file: { name: "export.xlsx", bytes } });
    expectOk(outcome);
    expect(outcome.imported).toBe(all.length);
    expect((await bankDrafts(target.id)).map((q) => q.draft)).toEqual(all);
  });

  it("Moodle XML export imports back to the same questions", async () => {
    const xml = await bankMoodleXml(source, "原题库");
    expect(xml).toContain('<question type="multianswer">');
    const target = await newBank("XML 副本");
    const outcome = await importQuestions({ bankId: target.id, file: text("export.xml", xml) });
    expectOk(outcome);
    expect(outcome.imported).toBe(all.length);
    expect((await bankDrafts(target.id)).map((q) => q.draft)).toEqual(all);
  });
});
