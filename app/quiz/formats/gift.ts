// Moodle GIFT: "::title:: question text {answers} ####general feedback", questions separated by
// blank lines, "//" comments, "\" escapes for ~ = # { } :.
//   {=right ~wrong}            single choice (the block may sit inside the text: "missing word")
//   {~%50%a ~%50%b ~%-100%c}   multiple choice (positive weights are the right options)
//   {T} {TRUE} {F} {FALSE}     true/false
//   {=answer =other}           short answer → a fill-in-the-blank question with one blank
//   {} {#…} {=a -> b …}        essay, numerical, matching: skipped (not supported)
// Tags come from "[tag:…]" in a comment before the question or at the start of its text.
import { splitTags, type QuestionDraft } from "../draft";
import { draftErrors, excerpt, quote, type FormatError, type FormatResult, type SkippedQuestion } from "./common";

type Block = { line: number; text: string; tags: string[] };

/** Splits the file into question blocks at blank lines; comments are dropped (their [tag:…] kept). */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  let current: { line: number; lines: string[]; tags: string[] } | null = null;
  let pendingTags: string[] = [];
  let depth = 0; // inside { } a blank line does not end the question
  const close = () => {
    if (current) out.push({ line: current.line, text: current.lines.join("\n"), tags: current.tags });
    current = null;
  };
  text.split("\n").forEach((raw, i) => {
    const trimmed = raw.trim();
    if (depth === 0 && trimmed === "") {
      close();
      return;
    }
    if (depth === 0 && trimmed.startsWith("//")) {
      for (const m of trimmed.matchAll(/\[tag:([^\]]+)\]/g)) pendingTags.push(...splitTags(m[1]));
      return;
    }
    if (depth === 0 && /^\$CATEGORY:/i.test(trimmed)) {
      close();
      return;
    }
    if (!current) {
      current = { line: i + 1, lines: [], tags: pendingTags };
      pendingTags = [];
    }
    current.lines.push(raw);
    for (let k = 0; k < raw.length; k++) {
      if (raw[k] === "\\") k++;
      else if (raw[k] === "{") depth++;
      else if (raw[k] === "}") depth = Math.max(0, depth - 1);
    }
  });
  close();
  return out;
}

/** Index of the first unescaped `ch` at or after `from`, or -1. */
function findUnescaped(text: string, ch: string, from = 0) {
  for (let k = from; k < text.length; k++) {
    if (text[k] === "\\") k++;
    else if (text[k] === ch) return k;
  }
  return -1;
}

function unescape(text: string) {
  return text.replace(/\\n/g, "\n").replace(/\\(.)/g, "$1");
}

/** Drops a leading [html]/[markdown]/[plain]/[moodle] marker and HTML tags (GIFT text is usually plain). */
function plain(text: string) {
  return text
    .replace(/^\s*\[(html|markdown|plain|moodle)\]/i, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/?(p|div|span|b|i|strong|em|u)\b[^>]*>/gi, "")
    .trim();
}

type Answer = { kind: "=" | "~"; weight: number | null; text: string };

/** Splits an answer block body into answers at unescaped = and ~; per-answer feedback (#…) dropped. */
function splitAnswers(body: string): Answer[] | string {
  const answers: Answer[] = [];
  let k = 0;
  while (k < body.length && /\s/.test(body[k])) k++;
  while (k < body.length) {
    const kind = body[k];
    if (kind !== "=" && kind !== "~") return `答案部分${quote(body)}格式不对：每个答案要以 = 或 ~ 开头`;
    let end = k + 1;
    while (end < body.length && !((body[end] === "=" || body[end] === "~") && body[end - 1] !== "\\")) end++;
    let chunk = body.slice(k + 1, end);
    const hash = findUnescaped(chunk, "#");
    if (hash !== -1) chunk = chunk.slice(0, hash);
    let weight: number | null = null;
    const w = /^\s*%(-?\d+(?:\.\d+)?)%/.exec(chunk);
    if (w) {
      weight = Number(w[1]);
      chunk = chunk.slice(w[0].length);
    } else if (/^\s*%/.test(chunk)) return `答案${quote(chunk)}的分值写法不对：应为 %50% 这样的百分数`;
    answers.push({ kind: kind as "=" | "~", weight, text: unescape(chunk).trim() });
    k = end;
  }
  return answers;
}

export function looksLikeGift(text: string) {
  return /\{[^}]*[=~][^}]*\}|\{\s*(T|F|TRUE|FALSE)\s*\}/.test(text);
}

export function parseGift(text: string): FormatResult {
  const questions: FormatResult["questions"] = [];
  const errors: FormatError[] = [];
  const skipped: SkippedQuestion[] = [];

  for (const block of blocks(text)) {
    const { line } = block;
    let body = block.text;
    let title = "";
    const titled = /^\s*::((?:\\.|[^:\\]|:(?!:))*)::/.exec(body);
    if (titled) {
      title = unescape(titled[1]).trim();
      body = body.slice(titled[0].length);
    }
    const tags = [...block.tags];
    body = body.replace(/^\s*((?:\[(?:id|tag):[^\]]*\]\s*)+)/i, (all) => {
      for (const m of all.matchAll(/\[tag:([^\]]+)\]/gi)) tags.push(...splitTags(m[1]));
      return "";
    });
    const named = (m: string) => ({ line, message: `第 ${line} 行的题目${quote(title || unescape(body), 20)}：${m}` });
    const push = (draft: QuestionDraft) => {
      const problems = draftErrors(line, draft);
      if (problems.length) errors.push(...problems.map((p) => named(p.message)));
      else questions.push({ line, draft });
    };

    const open = findUnescaped(body, "{");
    if (open === -1) {
      skipped.push({ line, reason: "没有答案部分 { }：说明文字（description），不是题目", excerpt: excerpt(unescape(plain(body))) });
      continue;
    }
    const closeAt = findUnescaped(body, "}", open + 1);
    if (closeAt === -1) {
      errors.push(named("缺少右花括号 }：答案部分没有结束"));
      continue;
    }
    if (findUnescaped(body, "{", closeAt + 1) !== -1) {
      errors.push(named("一道题只能有一个答案部分 { }；文字中的花括号要写成 \\{ \\}"));
      continue;
    }
    let answerBody = body.slice(open + 1, closeAt);
    let explanation = "";
    const general = answerBody.indexOf("####");
    if (general !== -1) {
      explanation = unescape(plain(answerBody.slice(general + 4))).trim();
      answerBody = answerBody.slice(0, general);
    }
    const before = unescape(plain(body.slice(0, open))).trim();
    const after = unescape(plain(body.slice(closeAt + 1))).trim();
    const stemWithBlank = after ? `${before}____${after}` : before;
    const trimmedAnswers = answerBody.trim();
    const draftBase = { explanation, difficulty: 3, tags: [...new Set(tags)], source: "", options: [], correct: [] };

    if (trimmedAnswers === "") {
      skipped.push({ line, reason: "问答题（essay）不支持", excerpt: excerpt(before) });
      continue;
    }
    if (trimmedAnswers.startsWith("#")) {
      skipped.push({ line, reason: "数值题（numerical）不支持", excerpt: excerpt(before) });
      continue;
    }
    const tf = /^(T|TRUE|F|FALSE)\s*(#.*)?$/is.exec(trimmedAnswers);
    if (tf) {
      const draft: QuestionDraft = { ...draftBase, type: "true_false", stem: before, value: tf[1].toUpperCase().startsWith("T") };
      push(draft);
      continue;
    }
    const answers = splitAnswers(trimmedAnswers);
    if (typeof answers === "string") {
      errors.push(named(answers));
      continue;
    }
    if (answers.some((a) => a.text.includes("->"))) {
      skipped.push({ line, reason: "匹配题（matching）不支持", excerpt: excerpt(before) });
      continue;
    }
    if (answers.some((a) => a.text === "")) {
      errors.push(named("有一个答案是空的"));
      continue;
    }
    const hasWrong = answers.some((a) => a.kind === "~");
    if (!hasWrong) {
      // Short answer: every "=" answer is an accepted form of the one blank (partial-credit ones are not).
      const accepted = answers.filter((a) => a.weight === null || a.weight >= 100).map((a) => a.text);
      if (accepted.length === 0) {
        errors.push(named("填空题没有得满分的答案"));
        continue;
      }
      push({ ...draftBase, type: "fill_blank", stem: stemWithBlank, blanks: [accepted] });
      continue;
    }
    const isRight = (a: Answer) => (a.kind === "=" ? a.weight === null || a.weight > 0 : a.weight !== null && a.weight > 0);
    const correct = answers.flatMap((a, i) => (isRight(a) ? [i] : []));
    if (correct.length === 0) {
      errors.push(named("选择题没有正确答案：正确选项以 = 开头（多选题用 ~%50% 这样的正分值）"));
      continue;
    }
    push({ ...draftBase, type: correct.length > 1 ? "multiple" : "single", stem: stemWithBlank, options: answers.map((a) => a.text), correct });
  }
  if (questions.length === 0 && errors.length === 0 && skipped.length === 0) {
    errors.push({ line: 0, message: "文件中没有找到 GIFT 格式的题目" });
  }
  return { questions, errors, skipped };
}
