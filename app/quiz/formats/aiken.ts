// Moodle's Aiken format: a question line, options "A. …" / "A) …", then "ANSWER: B".
// Questions are separated by the ANSWER line (blank lines between them are optional).
// Accepts the Chinese habits too: "A、…", "A．…", "答案：B", and several letters for multiple choice.
import type { QuestionDraft } from "../draft";
import { draftErrors, excerpt, letterIndex, quote, type FormatError, type FormatResult } from "./common";

const OPTION_LINE = /^([A-Ha-hＡ-Ｈａ-ｈ])\s*[.)．）、]\s*(.*)$/u;
const ANSWER_LINE = /^(?:ANSWER|答案)\s*[:：]\s*(.*)$/iu;

export function looksLikeAiken(text: string) {
  return /^(?:ANSWER|答案)\s*[:：]\s*[A-HＡ-Ｈ]/imu.test(text) && /^[A-HＡ-Ｈ]\s*[.)．）、]/mu.test(text);
}

export function parseAiken(text: string): FormatResult {
  const lines = text.split("\n");
  const questions: FormatResult["questions"] = [];
  const errors: FormatError[] = [];

  type Block = { line: number; stem: string[]; options: { letter: string; text: string; line: number }[] };
  let block: Block | null = null;

  const finish = (answerLine: number, answer: string) => {
    const b = block!;
    block = null;
    const stem = b.stem.join("\n").trim();
    const label = (m: string) => errors.push({ line: b.line, message: `第 ${b.line} 行的题目${stem ? quote(stem, 20) : ""}：${m}` });
    if (!stem) return label("缺少题干：选项前要有一行题目");
    if (b.options.length < 2) return label("至少要有 2 个选项（A. … B. …）");
    const expected = b.options.map((_, i) => String.fromCharCode(65 + i));
    const got = b.options.map((o) => o.letter);
    const out = got.findIndex((l, i) => l !== expected[i]);
    if (out !== -1) return label(`第 ${b.options[out].line} 行的选项应为 ${expected[out]}，却是 ${got[out]}：选项要从 A 起按顺序排列`);
    const letters = answer
      .normalize("NFKC")
      .toUpperCase()
      .replace(/[\s,，、;；]+/gu, "");
    if (!letters) return label(`第 ${answerLine} 行的 ANSWER 后面没有答案字母`);
    const indexes = Array.from(letters).map(letterIndex);
    if (indexes.some((i) => i < 0)) return label(`第 ${answerLine} 行的答案${quote(answer)}无法识别：应为选项字母，如 ANSWER: B`);
    const beyond = indexes.filter((i) => i >= b.options.length);
    if (beyond.length) return label(`第 ${answerLine} 行的答案 ${String.fromCharCode(65 + beyond[0])} 没有对应的选项`);
    const correct = [...new Set(indexes)];
    const draft: QuestionDraft = {
      type: correct.length > 1 ? "multiple" : "single",
      stem,
      options: b.options.map((o) => o.text),
      correct,
      explanation: "",
      difficulty: 3,
      tags: [],
      source: "",
    };
    const problems = draftErrors(b.line, draft);
    if (problems.length) errors.push(...problems.map((p) => ({ ...p, message: `第 ${b.line} 行的题目${quote(stem, 20)}：${p.message}` })));
    else questions.push({ line: b.line, draft });
  };

  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === "") return;
    const answer = ANSWER_LINE.exec(line);
    if (answer) {
      if (!block) errors.push({ line: n, message: `第 ${n} 行：ANSWER 前面没有题目和选项` });
      else finish(n, answer[1]);
      return;
    }
    const option = OPTION_LINE.exec(line);
    if (option && block && (block.options.length > 0 || block.stem.length > 0)) {
      block.options.push({ letter: option[1].normalize("NFKC").toUpperCase(), text: option[2].trim(), line: n });
      return;
    }
    if (!block) block = { line: n, stem: [], options: [] };
    if (block.options.length > 0) {
      // Text after the options: either a continuation of the last option or a missing ANSWER line.
      errors.push({ line: block.line, message: `第 ${block.line} 行的题目${quote(block.stem.join(" "), 20)}：缺少 ANSWER 行（第 ${n} 行已是下一题或多余的文字）` });
      block = { line: n, stem: [line], options: [] };
      return;
    }
    block.stem.push(line);
  });
  if (block) {
    const b: Block = block;
    errors.push({ line: b.line, message: `第 ${b.line} 行的题目${quote(b.stem.join(" ") || excerpt(b.options[0]?.text ?? ""), 20)}：缺少 ANSWER 行` });
  }
  if (questions.length === 0 && errors.length === 0) errors.push({ line: 0, message: "文件中没有找到 Aiken 格式的题目" });
  return { questions, errors, skipped: [] };
}
