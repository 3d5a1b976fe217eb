// Moodle XML (<quiz><question type="…">…</question></quiz>), read and written.
//   multichoice  → single choice (<single>true</single>) or multiple choice (positive fractions right)
//   truefalse    → true/false
//   shortanswer  → fill in the blank, one blank (answers with fraction 100 accepted)
//   multianswer  → fill in the blank, several blanks, when every embedded answer is SHORTANSWER
//   essay, matching, numerical, description, calculated, drag-and-drop… → skipped (not supported)
// Our own fields ride along in elements Moodle ignores: <difficulty>, <source>, <plainstem>.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { BLANK_MARK, type QuestionDraft } from "../draft";
import { draftErrors, excerpt, quote, type FormatError, type FormatResult, type SkippedQuestion } from "./common";

const UNSUPPORTED: Record<string, string> = {
  essay: "问答题（essay）",
  matching: "匹配题（matching）",
  numerical: "数值题（numerical）",
  description: "说明文字（description）",
  calculated: "计算题（calculated）",
  calculatedsimple: "计算题（calculatedsimple）",
  calculatedmulti: "计算选择题（calculatedmulti）",
  ddwtos: "拖放填词题（ddwtos）",
  gapselect: "选词填空题（gapselect）",
  ddimageortext: "拖放图片题（ddimageortext）",
  ddmarker: "拖放标记题（ddmarker）",
  randomsamatch: "随机匹配题（randomsamatch）",
  ordering: "排序题（ordering）",
  random: "随机题（random）",
};

const HTML_ENTITIES: Record<string, string> = { nbsp: " ", amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", ldquo: "“", rdquo: "”", lsquo: "‘", rsquo: "’", hellip: "…", mdash: "—", ndash: "–", middot: "·" };

/** HTML (Moodle's usual text format) to plain text: line breaks kept, tags dropped, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|h[1-6]|tr)>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name: string) => {
      if (name[0] === "#") {
        const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
      }
      return HTML_ENTITIES[name.toLowerCase()] ?? all;
    })
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export function textToHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\n/g, "<br>");
}

/** The line of each <question> start tag, in document order (comments and CDATA skipped). */
function questionLines(xml: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let k = 0;
  while (k < xml.length) {
    if (xml.startsWith("<!--", k) || xml.startsWith("<![CDATA[", k)) {
      const end = xml.indexOf(xml.startsWith("<!--", k) ? "-->" : "]]>", k);
      const stop = end === -1 ? xml.length : end + 3;
      for (let j = k; j < stop; j++) if (xml[j] === "\n") line++;
      k = stop;
      continue;
    }
    if (xml[k] === "\n") line++;
    else if (xml.startsWith("<question", k) && /[\s>/]/.test(xml[k + 9] ?? "")) lines.push(line);
    k++;
  }
  return lines;
}

type Node = Record<string, unknown>;

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The text of an element such as <questiontext format="html"><text>…</text></questiontext>. */
function textOf(node: unknown): { text: string; format: string } {
  if (node === undefined || node === null) return { text: "", format: "" };
  if (typeof node === "string" || typeof node === "number") return { text: String(node), format: "" };
  const n = node as Node;
  const format = typeof n["@_format"] === "string" ? (n["@_format"] as string) : "";
  const inner = n.text;
  const text = inner === undefined ? (typeof n["#text"] === "string" ? (n["#text"] as string) : "") : textOf(inner).text;
  return { text, format };
}

function readable(node: unknown): string {
  const { text, format } = textOf(node);
  return format === "html" || format === "" || /<[a-z][^>]*>/i.test(text) ? htmlToText(text) : text.trim();
}

function hasImage(node: unknown) {
  const raw = textOf(node).text;
  return /<img\b|@@PLUGINFILE@@/i.test(raw) || (typeof node === "object" && node !== null && "file" in (node as Node));
}

/** Cloze answers body "=a~=b~%50%c#feedback": the fully right ones. */
function clozeAccepted(body: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let k = 0; k < body.length; k++) {
    if (body[k] === "\\" && k + 1 < body.length) {
      cur += body[k] + body[k + 1];
      k++;
    } else if (body[k] === "~") {
      parts.push(cur);
      cur = "";
    } else cur += body[k];
  }
  parts.push(cur);
  const accepted: string[] = [];
  for (let p of parts) {
    let full = false;
    if (p.startsWith("=")) {
      full = true;
      p = p.slice(1);
    } else {
      const w = /^%(-?\d+(?:\.\d+)?)%/.exec(p);
      if (w) {
        full = Number(w[1]) >= 100;
        p = p.slice(w[0].length);
      }
    }
    const hash = p.search(/(^|[^\\])#/);
    if (hash !== -1) p = p.slice(0, hash + (p[hash] === "#" ? 0 : 1));
    const text = p.replace(/\\(.)/g, "$1").trim();
    if (full && text) accepted.push(text);
  }
  return accepted;
}

const CLOZE = /\{(\d*):([A-Z_]+):((?:\\.|[^}\\])*)\}/g;
const CLOZE_BLANK_TYPES = new Set(["SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"]);

export function looksLikeMoodleXml(text: string) {
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<quiz[\s>]/.test(text);
}

export function parseMoodleXml(xml: string): FormatResult {
  const questions: FormatResult["questions"] = [];
  const errors: FormatError[] = [];
  const skipped: SkippedQuestion[] = [];
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return { questions, skipped, errors: [{ line: valid.err.line, message: `第 ${valid.err.line} 行：XML 格式错误（${valid.err.msg}）` }] };
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    isArray: (name) => ["question", "answer", "tag"].includes(name),
  });
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (error) {
    return { questions, skipped, errors: [{ line: 0, message: `无法读取 XML：${(error as Error).message}` }] };
  }
  const quiz = doc.quiz as Node | undefined;
  if (!quiz || typeof quiz !== "object") return { questions, skipped, errors: [{ line: 0, message: "这不是 Moodle XML 题库文件：最外层应为 <quiz>" }] };
  const lines = questionLines(xml);
  const list = asArray(quiz.question as Node[]);

  list.forEach((q, index) => {
    const line = lines[index] ?? 0;
    const type = String(q["@_type"] ?? "").trim();
    const name = readable(q.name);
    const stemNode = q.questiontext;
    const stemHtml = readable(stemNode);
    const named = (m: string) => ({ line, message: `第 ${line} 行的题目${quote(name || stemHtml, 20)}：${m}` });
    if (type === "category") return;
    if (!type) {
      errors.push(named("<question> 缺少 type 属性"));
      return;
    }
    if (UNSUPPORTED[type]) {
      skipped.push({ line, reason: `${UNSUPPORTED[type]}不支持`, excerpt: excerpt(stemHtml || name) });
      return;
    }
    if (!["multichoice", "truefalse", "shortanswer", "multianswer"].includes(type)) {
      skipped.push({ line, reason: `题型 ${type} 不支持`, excerpt: excerpt(stemHtml || name) });
      return;
    }
    if (hasImage(stemNode)) {
      skipped.push({ line, reason: "题干含图片，暂不支持", excerpt: excerpt(stemHtml || name) });
      return;
    }
    const difficultyText = textOf(q.difficulty).text.trim();
    const difficulty = difficultyText === "" ? 3 : Number(difficultyText);
    const base = {
      explanation: readable(q.generalfeedback),
      difficulty,
      tags: [...new Set(asArray((q.tags as Node | undefined)?.tag as unknown[]).map((t) => readable(t)).filter(Boolean))],
      source: readable(q.source),
      options: [] as string[],
      correct: [] as number[],
    };
    const plainStem = q.plainstem === undefined ? null : textOf(q.plainstem).text;
    const answers = asArray(q.answer as Node[]).map((a) => ({
      fraction: Number(String(a["@_fraction"] ?? "0").trim()),
      text: readable(a),
      image: hasImage(a),
    }));
    if (answers.some((a) => !Number.isFinite(a.fraction))) {
      errors.push(named("答案的 fraction 属性不是数字"));
      return;
    }
    let draft: QuestionDraft;
    switch (type) {
      case "multichoice": {
        if (answers.some((a) => a.image)) {
          skipped.push({ line, reason: "选项含图片，暂不支持", excerpt: excerpt(stemHtml) });
          return;
        }
        const single = /^(true|1)$/i.test(textOf(q.single).text.trim());
        const correct = answers.flatMap((a, i) => (single ? a.fraction >= 100 : a.fraction > 0) ? [i] : []);
        if (correct.length === 0) {
          errors.push(named(single ? "单选题没有 fraction=\"100\" 的正确答案" : "多选题没有 fraction 为正数的正确答案"));
          return;
        }
        draft = { ...base, type: correct.length > 1 ? "multiple" : "single", stem: stemHtml, options: answers.map((a) => a.text), correct };
        break;
      }
      case "truefalse": {
        const right = answers.find((a) => a.fraction >= 100);
        const value = right ? right.text.trim().toLowerCase() : "";
        if (value !== "true" && value !== "false") {
          errors.push(named("判断题要有一个 fraction=\"100\" 的答案，内容为 true 或 false"));
          return;
        }
        draft = { ...base, type: "true_false", stem: stemHtml, value: value === "true" };
        break;
      }
      case "shortanswer": {
        const accepted = answers.filter((a) => a.fraction >= 100).map((a) => a.text.trim()).filter(Boolean);
        if (accepted.length === 0) {
          errors.push(named("填空题（shortanswer）没有 fraction=\"100\" 的答案"));
          return;
        }
        draft = { ...base, type: "fill_blank", stem: stemHtml, blanks: [accepted] };
        break;
      }
      default: {
        // multianswer (cloze): only SHORTANSWER blanks are supported.
        const raw = textOf(stemNode).text;
        const found = [...raw.matchAll(CLOZE)];
        if (found.length === 0) {
          errors.push(named("完形填空题（multianswer）中没有找到 {1:SHORTANSWER:=…} 这样的空"));
          return;
        }
        const other = found.find((m) => !CLOZE_BLANK_TYPES.has(m[2]));
        if (other) {
          skipped.push({ line, reason: `完形填空中含 ${other[2]} 类型的空，只支持 SHORTANSWER`, excerpt: excerpt(htmlToText(raw.replace(CLOZE, "____"))) });
          return;
        }
        const blanks = found.map((m) => clozeAccepted(m[3]));
        if (blanks.some((b) => b.length === 0)) {
          errors.push(named("完形填空中有一个空没有满分答案（= 或 %100%）"));
          return;
        }
        const stem = plainStem ?? htmlToText(raw.replace(CLOZE, "____"));
        draft = { ...base, type: "fill_blank", stem, blanks };
      }
    }
    if (!Number.isInteger(difficulty) || difficulty < 1 || difficulty > 5) {
      errors.push(named(`难度 <difficulty>${quote(difficultyText)} 应为 1–5 的整数`));
      return;
    }
    const problems = draftErrors(line, draft);
    if (problems.length) errors.push(...problems.map((p) => named(p.message)));
    else questions.push({ line, draft });
  });
  if (questions.length === 0 && errors.length === 0 && skipped.length === 0) {
    errors.push({ line: 0, message: "文件中没有找到题目（<question>）" });
  }
  return { questions, errors, skipped };
}

// ---------------------------------------------------------------------------------------------
// Writing

function xmlEscape(text: string) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function cdata(text: string) {
  return `<![CDATA[${text.replace(/\]\]>/g, "]]]]><![CDATA[>")}]]>`;
}

function htmlText(tag: string, text: string, indent: string) {
  return `${indent}<${tag} format="html">\n${indent}  <text>${cdata(textToHtml(text))}</text>\n${indent}</${tag}>`;
}

function clozeEscape(text: string) {
  return text.replace(/[\\}#~/"]/g, (c) => `\\${c}`);
}

function fraction(n: number) {
  return Number.isInteger(n) ? String(n) : n.toFixed(5);
}

/** A Moodle XML file of the questions, readable by Moodle and by parseMoodleXml. */
export function questionsToMoodleXml(drafts: QuestionDraft[], category?: string): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"];
  if (category) {
    out.push('  <question type="category">', `    <category><text>${xmlEscape(`$course$/${category}`)}</text></category>`, "  </question>");
  }
  drafts.forEach((d, i) => {
    const name = excerpt(d.stem.replace(BLANK_MARK, "__"), 30) || `question ${i + 1}`;
    const body: string[] = [];
    const ind = "    ";
    let type: string;
    let stem = d.stem;
    switch (d.type) {
      case "single":
      case "multiple": {
        type = "multichoice";
        const right = new Set(d.correct);
        const share = 100 / right.size;
        body.push(`${ind}<single>${d.type === "single" ? "true" : "false"}</single>`, `${ind}<shuffleanswers>true</shuffleanswers>`, `${ind}<answernumbering>ABCD</answernumbering>`);
        d.options.forEach((o, k) => {
          const f = right.has(k) ? fraction(d.type === "single" ? 100 : share) : d.type === "single" ? "0" : "-100";
          body.push(`${ind}<answer fraction="${f}" format="html">`, `${ind}  <text>${cdata(textToHtml(o))}</text>`, `${ind}  <feedback format="html"><text></text></feedback>`, `${ind}</answer>`);
        });
        break;
      }
      case "true_false":
        type = "truefalse";
        for (const v of [true, false]) {
          body.push(`${ind}<answer fraction="${d.value === v ? 100 : 0}" format="moodle_auto_format">`, `${ind}  <text>${v}</text>`, `${ind}  <feedback format="html"><text></text></feedback>`, `${ind}</answer>`);
        }
        break;
      case "fill_blank": {
        const blanks = d.blanks ?? [];
        if (blanks.length === 1) {
          type = "shortanswer";
          body.push(`${ind}<usecase>0</usecase>`);
          for (const a of blanks[0]) {
            body.push(`${ind}<answer fraction="100" format="moodle_auto_format">`, `${ind}  <text>${xmlEscape(a)}</text>`, `${ind}  <feedback format="html"><text></text></feedback>`, `${ind}</answer>`);
          }
        } else {
          type = "multianswer";
          const tokens = blanks.map((alts) => `{1:SHORTANSWER:${alts.map((a) => `=${clozeEscape(a)}`).join("~")}}`);
          const marks = d.stem.match(BLANK_MARK)?.length ?? 0;
          let k = 0;
          const html = textToHtml(d.stem);
          stem =
            marks === blanks.length
              ? html.replace(BLANK_MARK, () => tokens[k++])
              : `${html}<br>${tokens.join(" ")}`;
          body.push(`${ind}<plainstem>${xmlEscape(d.stem)}</plainstem>`);
        }
        break;
      }
    }
    out.push(`  <question type="${type}">`);
    out.push(`${ind}<name><text>${xmlEscape(name)}</text></name>`);
    if (type === "multianswer") out.push(`${ind}<questiontext format="html">\n${ind}  <text>${cdata(stem)}</text>\n${ind}</questiontext>`);
    else out.push(htmlText("questiontext", stem, ind));
    out.push(htmlText("generalfeedback", d.explanation, ind));
    out.push(`${ind}<defaultgrade>1</defaultgrade>`, `${ind}<penalty>0.3333333</penalty>`, `${ind}<hidden>0</hidden>`);
    out.push(...body);
    out.push(`${ind}<difficulty>${d.difficulty}</difficulty>`);
    out.push(`${ind}<source>${xmlEscape(d.source)}</source>`);
    if (d.tags.length) {
      out.push(`${ind}<tags>`);
      for (const t of d.tags) out.push(`${ind}  <tag><text>${xmlEscape(t)}</text></tag>`);
      out.push(`${ind}</tags>`);
    }
    out.push("  </question>");
  });
  out.push("</quiz>", "");
  return out.join("\n");
}
