// Importing questions into a bank from XLSX (our template), Moodle GIFT, Moodle XML or Aiken.
// Every question is checked first; if anything is wrong nothing is written. Questions of types we
// do not support, and questions the bank already has, are listed as skipped and do not block.
import { db } from "~/db/client.server";
import { draftIdentity } from "./draft";
import { bankDrafts, insertDrafts } from "./banks.server";
import { decodeText, type FormatError, type FormatResult, type SkippedQuestion } from "./formats/common";
import { looksLikeAiken, parseAiken } from "./formats/aiken";
import { looksLikeGift, parseGift } from "./formats/gift";
import { looksLikeMoodleXml, parseMoodleXml } from "./formats/moodle-xml";
import type { ImportFormat } from "./formats/names";
import { parseXlsx } from "./formats/xlsx";

export { IMPORT_FORMAT_VALUES as IMPORT_FORMATS, type ImportFormat } from "./formats/names";
export const MAX_QUESTION_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_REPORTED = 200;

export type QuestionFile = { name: string; bytes: Uint8Array };
export type ParsedFile = FormatResult & { format: Exclude<ImportFormat, "auto"> | null };
export type ImportOutcome =
  | { ok: true; format: Exclude<ImportFormat, "auto">; imported: number; skipped: SkippedQuestion[] }
  | { ok: false; format: Exclude<ImportFormat, "auto"> | null; errors: FormatError[]; total: number; skipped: SkippedQuestion[] };

const FORMAT_NAMES: Record<Exclude<ImportFormat, "auto">, string> = {
  xlsx: "XLSX",
  gift: "GIFT",
  "moodle-xml": "Moodle XML",
  aiken: "Aiken",
};

function fileError(message: string, format: ParsedFile["format"] = null): ParsedFile {
  return { format, questions: [], skipped: [], errors: [{ line: 0, message }] };
}

function isZip(bytes: Uint8Array) {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}
function isOle(bytes: Uint8Array) {
  return [0xd0, 0xcf, 0x11, 0xe0].every((b, i) => bytes[i] === b);
}

/** Reads a question file in the given format, or the one its name and content suggest. */
export async function parseQuestionFile(file: QuestionFile, format: ImportFormat = "auto"): Promise<ParsedFile> {
  const { bytes } = file;
  if (bytes.byteLength === 0) return fileError("文件是空的");
  if (bytes.byteLength > MAX_QUESTION_FILE_BYTES) return fileError(`文件太大：最多 ${MAX_QUESTION_FILE_BYTES / 1024 / 1024} MB`);
  if (isOle(bytes)) return fileError("这是旧版 Excel（.xls）文件或设了密码的文件：请在 Excel 或 WPS 中另存为 .xlsx（不设密码）后再导入");
  if (isZip(bytes)) {
    if (format !== "auto" && format !== "xlsx") return fileError(`这是一个 XLSX（或其他压缩）文件，不是 ${FORMAT_NAMES[format]} 文本文件`);
    return { format: "xlsx", ...(await parseXlsx(bytes)) };
  }
  if (format === "xlsx") return fileError("这不是 XLSX 文件：请上传用模板填写的 .xlsx 文件，或选择其他格式", "xlsx");
  const text = decodeText(bytes);
  if (text === null) return fileError("无法读取这个文件：请上传 .xlsx 文件，或 UTF-8 / GBK 编码的 GIFT、Moodle XML、Aiken 文本文件");
  const name = file.name.toLowerCase();
  let chosen: Exclude<ImportFormat, "auto"> | null = format === "auto" ? null : format;
  if (!chosen) {
    if (name.endsWith(".xml") || looksLikeMoodleXml(text)) chosen = "moodle-xml";
    else if (name.endsWith(".gift")) chosen = "gift";
    else if (looksLikeAiken(text)) chosen = "aiken";
    else if (looksLikeGift(text)) chosen = "gift";
  }
  switch (chosen) {
    case "moodle-xml":
      return { format: chosen, ...parseMoodleXml(text) };
    case "gift":
      return { format: chosen, ...parseGift(text) };
    case "aiken":
      return { format: chosen, ...parseAiken(text) };
    default:
      return fileError("无法识别文件格式：支持 XLSX 模板、GIFT、Moodle XML 和 Aiken；也可以在上传时指定格式");
  }
}

function capped(errors: FormatError[]) {
  const sorted = errors.slice().sort((a, b) => a.line - b.line);
  return { errors: sorted.slice(0, MAX_REPORTED), total: sorted.length };
}

/**
 * Imports a file into a bank: all its questions, or, when any question has a problem, none.
 * Questions the bank already has (same type, text, options and answer) and repeats within the
 * file are skipped, so importing the same file twice adds nothing the second time.
 */
export async function importQuestions({ bankId, file, format = "auto" }: { bankId: number; file: QuestionFile; format?: ImportFormat }): Promise<ImportOutcome> {
  const parsed = await parseQuestionFile(file, format);
  if (parsed.errors.length > 0 || !parsed.format) {
    return { ok: false, format: parsed.format, ...capped(parsed.errors), skipped: parsed.skipped };
  }
  if (parsed.questions.length === 0) {
    return {
      ok: false,
      format: parsed.format,
      errors: [{ line: 0, message: parsed.skipped.length ? "文件中没有可以导入的题目：所有题目的题型都不支持" : "文件中没有题目" }],
      total: 1,
      skipped: parsed.skipped,
    };
  }
  const fmt = parsed.format;
  return db.transaction(async (tx) => {
    const existing = new Set((await bankDrafts(bankId, tx)).map((q) => draftIdentity(q.draft)));
    const seen = new Map<string, number>();
    const skipped = parsed.skipped.slice();
    const fresh = [];
    for (const q of parsed.questions) {
      const id = draftIdentity(q.draft);
      const excerptText = q.draft.stem.replace(/\s+/g, " ").slice(0, 40);
      if (existing.has(id)) skipped.push({ line: q.line, reason: "题库中已有相同的题目", excerpt: excerptText });
      else if (seen.has(id)) skipped.push({ line: q.line, reason: `与第 ${seen.get(id)} 行的题目相同`, excerpt: excerptText });
      else {
        seen.set(id, q.line);
        fresh.push(q.draft);
      }
    }
    await insertDrafts(tx, bankId, fresh);
    skipped.sort((a, b) => a.line - b.line);
    return { ok: true as const, format: fmt, imported: fresh.length, skipped };
  });
}
