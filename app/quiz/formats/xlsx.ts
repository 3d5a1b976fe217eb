// The question bank spreadsheet (XLSX): one question a row under the header
// 题型 | 题干 | 选项A … 选项H | 答案 | 解析 | 难度 | 标签 | 来源. Read here; written by export.server.ts.
import ExcelJS from "exceljs";
import { BLANK_MARK, splitTags, type DraftField, type QuestionDraft } from "../draft";
import type { QuestionType } from "../grading";
import {
  draftErrors,
  excerpt,
  letterIndex,
  parseDifficulty,
  parseTrueFalse,
  quote,
  type FormatError,
  type FormatResult,
  type SkippedQuestion,
} from "./common";

export const OPTION_COLUMNS = ["选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H"] as const;
export const XLSX_COLUMNS = ["题型", "题干", ...OPTION_COLUMNS, "答案", "解析", "难度", "标签", "来源"] as const;
export type XlsxColumn = (typeof XLSX_COLUMNS)[number];
export const SHEET_NAME = "题目";
export const MAX_XLSX_ROWS = 5000;

/** Separators inside the 答案 cell of a fill-in-the-blank question. */
export const BLANK_SEPARATOR = "；";
export const ALTERNATIVE_SEPARATOR = "|";

const TYPE_WORDS: Record<string, QuestionType> = {
  单选: "single",
  单选题: "single",
  单项选择: "single",
  单项选择题: "single",
  single: "single",
  多选: "multiple",
  多选题: "multiple",
  多项选择: "multiple",
  多项选择题: "multiple",
  不定项: "multiple",
  不定项选择题: "multiple",
  multiple: "multiple",
  判断: "true_false",
  判断题: "true_false",
  是非题: "true_false",
  true_false: "true_false",
  truefalse: "true_false",
  填空: "fill_blank",
  填空题: "fill_blank",
  fill_blank: "fill_blank",
};
const UNSUPPORTED_TYPES = /^(简答|问答|论述|主观|材料|案例|分析|计算|匹配|连线|排序|组合|作文|名词解释|essay|matching|numerical)/i;
const TYPE_LIST = "单选题、多选题、判断题、填空题";

/** Header text as typed: spaces, a "*" required marker and full-width letters do not matter. */
function headerKey(text: string) {
  return text.normalize("NFKC").replace(/[\s*：:]/g, "").toUpperCase();
}

function numberText(n: number) {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(n);
}

/** Any exceljs cell value as the text the user sees. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return numberText(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ("richText" in value) return value.richText.map((r) => r.text).join("");
  if ("hyperlink" in value) return typeof value.text === "string" ? value.text : cellText(value.text as ExcelJS.CellValue);
  if ("formula" in value || "sharedFormula" in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
  if ("error" in value) return value.error;
  return "";
}

/** The 答案 cell of a fill-in-the-blank question: blanks split by ；/;, accepted answers of one blank by |. */
export function parseBlanksCell(text: string): string[][] {
  return text
    .split(/[;；]/u)
    .map((blank) =>
      blank
        .split(/[|｜]/u)
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .filter((alts, i, all) => alts.length > 0 || i < all.length - 1);
}

export function blanksCell(blanks: string[][]) {
  return blanks.map((alts) => alts.join(ALTERNATIVE_SEPARATOR)).join(BLANK_SEPARATOR);
}

const COLUMN_OF: Partial<Record<DraftField, XlsxColumn>> = {
  type: "题型",
  stem: "题干",
  options: "选项A",
  answer: "答案",
  explanation: "解析",
  difficulty: "难度",
  tags: "标签",
  source: "来源",
};

/** Reads the rows of a question spreadsheet. Row numbers are the spreadsheet's (header = row 1). */
export async function parseXlsx(bytes: Uint8Array): Promise<FormatResult> {
  const errors: FormatError[] = [];
  const skipped: SkippedQuestion[] = [];
  const questions: FormatResult["questions"] = [];
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    return { questions, skipped, errors: [{ line: 0, message: "无法读取这个 XLSX 文件：它可能已损坏或不是 Excel 文件。请用 Excel 或 WPS 打开后另存为 .xlsx" }] };
  }
  const visible = workbook.worksheets.filter((ws) => ws.state === "visible" || ws.state === undefined);
  const sheet = visible.find((ws) => ws.name === SHEET_NAME) ?? visible[0];
  if (!sheet) return { questions, skipped, errors: [{ line: 0, message: "文件中没有工作表" }] };

  const rows: { row: number; cells: string[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    const last = Math.min(row.cellCount, 40);
    for (let c = 1; c <= last; c++) cells.push(cellText(row.getCell(c).value));
    if (cells.some((c) => c.trim() !== "")) rows.push({ row: rowNumber, cells });
  });
  if (rows.length === 0) return { questions, skipped, errors: [{ line: 0, message: "文件是空的：没有表头，也没有题目" }] };
  if (rows.length - 1 > MAX_XLSX_ROWS) {
    return { questions, skipped, errors: [{ line: 0, message: `文件有 ${rows.length - 1} 行题目，超过单次导入上限 ${MAX_XLSX_ROWS} 行，请分成几个文件导入` }] };
  }

  const [header, ...data] = rows;
  const columnIndex = new Map<XlsxColumn, number>();
  header.cells.forEach((text, i) => {
    const key = headerKey(text);
    const column = XLSX_COLUMNS.find((c) => headerKey(c) === key || (c.startsWith("选项") && key === c.slice(2)));
    if (column && !columnIndex.has(column)) columnIndex.set(column, i);
  });
  const missing = (["题型", "题干", "答案"] as const).filter((c) => !columnIndex.has(c));
  if (missing.length) {
    return {
      questions,
      skipped,
      errors: [{ line: header.row, message: `表头缺少 ${missing.join("、")} 列：请使用下载的模板，不要修改第 1 行的表头` }],
    };
  }
  if (!OPTION_COLUMNS.some((c) => columnIndex.has(c))) {
    return { questions, skipped, errors: [{ line: header.row, message: "表头缺少选项列（选项A、选项B…）：请使用下载的模板" }] };
  }

  for (const { row, cells } of data) {
    const get = (c: XlsxColumn) => {
      const i = columnIndex.get(c);
      return i === undefined ? "" : (cells[i] ?? "").trim();
    };
    const fail = (column: XlsxColumn, message: string) => errors.push({ line: row, column, message });
    const typeText = get("题型");
    const stem = get("题干");
    const typeKey = typeText.normalize("NFKC").replace(/\s+/g, "").toLowerCase();
    const type = TYPE_WORDS[typeKey] ?? TYPE_WORDS[typeText.replace(/\s+/g, "")];
    if (!typeText) {
      fail("题型", `请填写题型：${TYPE_LIST}`);
      continue;
    }
    if (!type) {
      if (UNSUPPORTED_TYPES.test(typeKey)) skipped.push({ line: row, reason: `不支持${quote(typeText)}这种题型`, excerpt: excerpt(stem) });
      else fail("题型", `题型${quote(typeText)}无法识别：应为 ${TYPE_LIST} 之一`);
      continue;
    }

    // Options: filled from 选项A on, without gaps.
    const rawOptions = OPTION_COLUMNS.map((c) => get(c));
    let lastFilled = -1;
    rawOptions.forEach((o, i) => {
      if (o) lastFilled = i;
    });
    const options = rawOptions.slice(0, lastFilled + 1);
    const answerText = get("答案");
    const draft: QuestionDraft = {
      type,
      stem,
      options: [],
      correct: [],
      explanation: get("解析"),
      difficulty: 3,
      tags: splitTags(get("标签")),
      source: get("来源"),
    };
    let rowOk = true;

    if (type === "single" || type === "multiple") {
      const gap = options.findIndex((o) => o === "");
      if (gap !== -1) {
        fail(OPTION_COLUMNS[gap], `${OPTION_COLUMNS[gap]}是空的，但后面还有选项：选项要从 A 起连续填写`);
        rowOk = false;
      }
      draft.options = options;
      if (!answerText) {
        fail("答案", type === "single" ? "请填写答案：一个选项字母，如 B" : "请填写答案：选项字母，如 ABD");
        rowOk = false;
      } else {
        const letters = answerText
          .normalize("NFKC")
          .toUpperCase()
          .replace(/[\s,，、;；/|.。]+/gu, "");
        const indexes = Array.from(letters).map(letterIndex);
        if (letters === "" || indexes.some((i) => i < 0)) {
          fail("答案", `答案${quote(answerText)}无法识别：应为选项字母 A–H${type === "multiple" ? "，如 ABD" : "，如 B"}`);
          rowOk = false;
        } else {
          const beyond = Array.from(letters).filter((_, k) => indexes[k] >= options.length);
          if (beyond.length) {
            fail("答案", `答案中的${[...new Set(beyond)].join("、")}没有对应的选项`);
            rowOk = false;
          }
          draft.correct = [...new Set(indexes)];
        }
      }
    } else {
      if (lastFilled >= 0 && type === "fill_blank") {
        fail(OPTION_COLUMNS[0], "填空题不填选项：答案写在“答案”列");
        rowOk = false;
      }
      if (type === "true_false") {
        const value = parseTrueFalse(answerText);
        if (value === null) {
          fail("答案", answerText ? `判断题答案${quote(answerText)}无法识别：应为“正确”或“错误”` : "请填写答案：“正确”或“错误”");
          rowOk = false;
        } else draft.value = value;
      } else {
        if (!answerText) {
          fail("答案", "请填写答案：多个空用“；”分隔，同一空的多种写法用“|”分隔");
          rowOk = false;
        } else {
          draft.blanks = parseBlanksCell(answerText);
          const marks = stem.match(BLANK_MARK)?.length ?? 0;
          if (marks > 0 && marks !== draft.blanks.length) {
            fail("答案", `题干中有 ${marks} 处空，答案却有 ${draft.blanks.length} 个：多个空的答案用“；”分隔`);
            rowOk = false;
          }
        }
      }
    }

    const difficulty = parseDifficulty(get("难度"));
    if (difficulty === null) {
      fail("难度", `难度${quote(get("难度"))}无法识别：应为 1–5 的整数`);
      rowOk = false;
    } else draft.difficulty = difficulty;

    if (!rowOk) continue;
    const problems = draftErrors(row, draft, (f) => COLUMN_OF[f]);
    if (problems.length) errors.push(...problems);
    else questions.push({ line: row, draft });
  }
  return { questions, errors, skipped };
}
