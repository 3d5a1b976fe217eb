// What every import format returns, and the helpers they share.
import { translate } from "~/i18n/messages";
import { draftProblems, type DraftField, type QuestionDraft } from "../draft";
import type { QuestionType } from "../grading";

/** A question read from a file, with where it starts (spreadsheet row or text line, 1-based). */
export type ParsedQuestion = { line: number; draft: QuestionDraft };
/** A problem with the question at `line` (0: the whole file); `column` names a spreadsheet column. */
export type FormatError = { line: number; column?: string; message: string };
/** A question of a type we do not support, left out on purpose. */
export type SkippedQuestion = { line: number; reason: string; excerpt: string };
export type FormatResult = { questions: ParsedQuestion[]; errors: FormatError[]; skipped: SkippedQuestion[] };

export const TYPE_LABELS: Record<QuestionType, string> = {
  single: "单选题",
  multiple: "多选题",
  true_false: "判断题",
  fill_blank: "填空题",
};

/** Quotes a value inside a message, shortened so that one bad cell cannot flood the page. */
export function quote(value: string, max = 30) {
  const chars = Array.from(value.replace(/\s+/gu, " ").trim());
  return `“${chars.length > max ? `${chars.slice(0, max).join("")}…` : chars.join("")}”`;
}

export function excerpt(value: string, max = 40) {
  const chars = Array.from(value.replace(/\s+/gu, " ").trim());
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : chars.join("");
}

/** The draft's own problems (empty stem, answer not an option…) as messages; `columnOf` maps fields to columns. */
export function draftErrors(line: number, draft: QuestionDraft, columnOf?: (field: DraftField) => string | undefined): FormatError[] {
  return draftProblems(draft).map((p) => ({
    line,
    column: columnOf?.(p.field),
    message: translate("zh-CN", p.key, p.vars),
  }));
}

function startsWith(bytes: Uint8Array, magic: number[]) {
  return magic.every((b, i) => bytes[i] === b);
}

function tryDecode(encoding: string, bytes: Uint8Array) {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK as Chinese Windows saves it. Null for binary. */
export function decodeText(bytes: Uint8Array): string | null {
  let text: string | null;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) text = tryDecode("utf-8", bytes.subarray(3));
  else if (startsWith(bytes, [0xff, 0xfe])) text = tryDecode("utf-16le", bytes.subarray(2));
  else if (startsWith(bytes, [0xfe, 0xff])) text = tryDecode("utf-16be", bytes.subarray(2));
  else text = tryDecode("utf-8", bytes) ?? tryDecode("gb18030", bytes);
  // eslint-disable-next-line no-control-regex -- text has no control characters but tab and line breaks
  if (text === null || /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return null;
  return text.replace(/\r\n?/g, "\n");
}

/** "A" → 0 … "H" → 7 (full-width letters too); -1 for anything else. */
export function letterIndex(letter: string): number {
  const l = letter.normalize("NFKC").trim().toUpperCase();
  return l.length === 1 && l >= "A" && l <= "H" ? l.charCodeAt(0) - 65 : -1;
}

const TRUE_WORDS = new Set(["正确", "对", "是", "√", "✓", "✔", "T", "TRUE", "Y", "YES", "1", "RIGHT"]);
const FALSE_WORDS = new Set(["错误", "错", "否", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO", "0", "WRONG"]);

/** 正确/错误, 对/错, √/×, T/F, true/false…; null when it is neither. */
export function parseTrueFalse(text: string): boolean | null {
  const t = text.normalize("NFKC").replace(/\s+/gu, "").toUpperCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return null;
}

/** 难度 as a number 1–5, or as a word; null when unreadable. Empty → 3. */
export function parseDifficulty(text: string): number | null {
  const t = text.normalize("NFKC").trim();
  if (t === "") return 3;
  if (/^[1-5](\.0+)?$/.test(t)) return Number(t);
  const words: Record<string, number> = { 容易: 1, 简单: 1, 易: 1, 较易: 2, 中: 3, 中等: 3, 一般: 3, 较难: 4, 难: 5, 困难: 5 };
  return words[t] ?? null;
}
