// A question as an author writes it (form, import file): options by position, the right ones by
// index. Converted to a stored version (options with opaque ids, answer by id) when saved.
// Browser-safe: the question form validates with the same rules.
import type { AnswerKey, QuestionOption, QuestionType } from "./grading";
import type { QuizMessageKey } from "./messages";

export type QuestionDraft = {
  type: QuestionType;
  stem: string;
  /** Option texts in the author's order (single and multiple choice only). */
  options: string[];
  /** Indexes into `options` of the right ones. */
  correct: number[];
  /** The right answer of a true/false question. */
  value?: boolean;
  /** Accepted answers of each blank of a fill-in-the-blank question. */
  blanks?: string[][];
  explanation: string;
  difficulty: number;
  tags: string[];
  source: string;
};

export const LIMITS = {
  stem: 2000,
  option: 500,
  options: 8,
  blanks: 10,
  alternatives: 10,
  blank: 100,
  explanation: 2000,
  tags: 10,
  tag: 20,
  source: 200,
} as const;

export type DraftField = "type" | "stem" | "options" | "answer" | "explanation" | "difficulty" | "tags" | "source";
export type DraftProblem = { field: DraftField; key: QuizMessageKey; vars?: Record<string, string | number> };

const len = (s: string) => Array.from(s).length;

/** Everything wrong with a draft, as message keys with the field they belong to. */
export function draftProblems(d: QuestionDraft): DraftProblem[] {
  const out: DraftProblem[] = [];
  const add = (field: DraftField, key: QuizMessageKey, vars?: DraftProblem["vars"]) => out.push({ field, key, vars });
  if (d.stem.trim() === "") add("stem", "quiz.v.stemRequired");
  else if (len(d.stem) > LIMITS.stem) add("stem", "quiz.v.stemTooLong", { max: LIMITS.stem });
  if (d.type === "single" || d.type === "multiple") {
    const filled = d.options.filter((o) => o.trim() !== "");
    if (filled.length !== d.options.length) add("options", "quiz.v.optionEmpty");
    if (d.options.length < 2) add("options", "quiz.v.optionsTooFew");
    if (d.options.length > LIMITS.options) add("options", "quiz.v.optionsTooMany", { max: LIMITS.options });
    if (d.options.some((o) => len(o) > LIMITS.option)) add("options", "quiz.v.optionTooLong", { max: LIMITS.option });
    const normalised = d.options.map((o) => o.trim().normalize("NFKC"));
    if (new Set(normalised).size !== normalised.length) add("options", "quiz.v.optionDuplicate");
    const correct = [...new Set(d.correct)];
    if (correct.some((i) => !Number.isInteger(i) || i < 0 || i >= d.options.length)) add("answer", "quiz.v.answerNotAnOption");
    else if (correct.length === 0) add("answer", "quiz.v.answerRequired");
    else if (d.type === "single" && correct.length !== 1) add("answer", "quiz.v.singleOneAnswer");
    else if (d.type === "multiple" && correct.length < 2) add("answer", "quiz.v.multipleTwoAnswers");
  } else if (d.type === "true_false") {
    if (typeof d.value !== "boolean") add("answer", "quiz.v.trueFalseAnswer");
  } else if (d.type === "fill_blank") {
    const blanks = d.blanks ?? [];
    if (blanks.length === 0) add("answer", "quiz.v.blanksRequired");
    else if (blanks.length > LIMITS.blanks) add("answer", "quiz.v.blanksTooMany", { max: LIMITS.blanks });
    else if (blanks.some((alts) => alts.length === 0 || alts.some((a) => a.trim() === ""))) add("answer", "quiz.v.blankEmpty");
    else if (blanks.some((alts) => alts.length > LIMITS.alternatives)) add("answer", "quiz.v.alternativesTooMany", { max: LIMITS.alternatives });
    else if (blanks.some((alts) => alts.some((a) => len(a) > LIMITS.blank))) add("answer", "quiz.v.blankTooLong", { max: LIMITS.blank });
  }
  if (len(d.explanation) > LIMITS.explanation) add("explanation", "quiz.v.explanationTooLong", { max: LIMITS.explanation });
  if (!Number.isInteger(d.difficulty) || d.difficulty < 1 || d.difficulty > 5) add("difficulty", "quiz.v.difficulty");
  if (d.tags.length > LIMITS.tags) add("tags", "quiz.v.tagsTooMany", { max: LIMITS.tags });
  if (d.tags.some((t) => len(t) > LIMITS.tag)) add("tags", "quiz.v.tagTooLong", { max: LIMITS.tag });
  if (len(d.source) > LIMITS.source) add("source", "quiz.v.sourceTooLong", { max: LIMITS.source });
  return out;
}

/** Tags from "a, b、c；d" (commas, 、, semicolons, white space), trimmed, without repeats. */
export function splitTags(text: string): string[] {
  return [...new Set(text.split(/[,，、;；\s]+/u).map((t) => t.trim()).filter(Boolean))];
}

/** A short random option id: the id says nothing about where the option stood or whether it is right. */
export function newOptionId(): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");
}

/**
 * The stored form of a draft. `keepIds` are the ids of the previous version's options by
 * position, so an edit keeps the ids of the options that stay.
 */
export function draftToVersion(d: QuestionDraft, keepIds: string[] = []): { options: QuestionOption[]; answer: AnswerKey } {
  switch (d.type) {
    case "single":
    case "multiple": {
      const used = new Set<string>();
      const options = d.options.map((text, i) => {
        let id = keepIds[i];
        while (!id || used.has(id)) id = newOptionId();
        used.add(id);
        return { id, text: text.trim() };
      });
      const choices = [...new Set(d.correct)].sort((a, b) => a - b).map((i) => options[i].id);
      return { options, answer: { choices } };
    }
    case "true_false":
      return { options: [], answer: { value: Boolean(d.value) } };
    case "fill_blank":
      return { options: [], answer: { blanks: (d.blanks ?? []).map((alts) => alts.map((a) => a.trim())) } };
  }
}

export type VersionLike = {
  type: QuestionType;
  stem: string;
  options: QuestionOption[];
  answer: AnswerKey;
  explanation: string;
  difficulty: number;
  tags: string[];
  source: string;
};

export function versionToDraft(v: VersionLike): QuestionDraft {
  const key = new Set(v.answer.choices ?? []);
  return {
    type: v.type,
    stem: v.stem,
    options: v.type === "single" || v.type === "multiple" ? v.options.map((o) => o.text) : [],
    correct: v.type === "single" || v.type === "multiple" ? v.options.flatMap((o, i) => (key.has(o.id) ? [i] : [])) : [],
    value: v.type === "true_false" ? v.answer.value : undefined,
    blanks: v.type === "fill_blank" ? v.answer.blanks : undefined,
    explanation: v.explanation,
    difficulty: v.difficulty,
    tags: v.tags,
    source: v.source,
  };
}

/** What makes two questions the same question (for skipping repeats on import). */
export function draftIdentity(d: QuestionDraft): string {
  const n = (s: string) => s.normalize("NFKC").replace(/\s+/gu, " ").trim();
  return JSON.stringify([
    d.type,
    n(d.stem),
    d.type === "single" || d.type === "multiple" ? d.options.map(n) : [],
    d.type === "single" || d.type === "multiple" ? [...new Set(d.correct)].sort((a, b) => a - b) : [],
    d.type === "true_false" ? Boolean(d.value) : null,
    d.type === "fill_blank" ? (d.blanks ?? []).map((alts) => alts.map(n)) : [],
  ]);
}

/** Blanks in a stem as authors write them: ____ (2+ underscores), （ ）, ( ) with only spaces inside. */
export const BLANK_MARK = /_{2,}|（[\s\u3000]*）|\([\s\u3000]*\)/gu;
