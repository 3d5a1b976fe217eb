// The quiz rules as pure functions, shared by the server and the browser: grading by type,
// fill-in-the-blank normalisation, draws by rule with a seeded random generator, and the
// per-attempt shuffling of questions and options. Nothing here touches the database.
import type { AnswerKey, QuestionOption, QuizResponse } from "~/db/schema/quiz";

export type { AnswerKey, QuestionOption, QuizResponse };

export const QUESTION_TYPES = ["single", "multiple", "true_false", "fill_blank"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export function isQuestionType(value: unknown): value is QuestionType {
  return typeof value === "string" && (QUESTION_TYPES as readonly string[]).includes(value);
}

/** What grading needs of a question version. */
export type GradableQuestion = { type: QuestionType; options: QuestionOption[]; answer: AnswerKey };

export type Grade = {
  /** Fully right. */
  correct: boolean;
  /** Share of the question's marks earned, 0–1 (only partial-credit mode gives values between). */
  credit: number;
};

export type GradeOptions = {
  /**
   * Partial credit: a multiple-choice answer with no wrong option earns the share of the right
   * options chosen, and a fill-in-the-blank question earns the share of its blanks filled right.
   * Off by default: all or nothing.
   */
  partialCredit?: boolean;
};

// ---------------------------------------------------------------------------------------------
// Fill-in-the-blank

const TRAILING_PUNCTUATION = /[.。,，;；:：!！?？、]+$/u;

/**
 * The form in which blanks are compared: full-width letters, digits and punctuation become
 * half-width (NFKC), all white space (also the ideographic space) goes, Latin letters ignore
 * case, and trailing punctuation does not count.
 */
export function normaliseBlank(value: string): string {
  return value.normalize("NFKC").toLowerCase().replace(/\s+/gu, "").replace(TRAILING_PUNCTUATION, "");
}

export function blankMatches(given: string, accepted: string[]): boolean {
  const g = normaliseBlank(given);
  return g !== "" && accepted.some((a) => normaliseBlank(a) === g);
}

// ---------------------------------------------------------------------------------------------
// Checking a response's shape (refusing tampered answers) and grading it

/**
 * Why a response cannot be an answer to this question (an option id that the question does not
 * have, a response of another question type, too many blanks…), or null when it can. A browser
 * only sends such responses when someone tampered with the form.
 */
export function responseProblem(question: GradableQuestion, response: QuizResponse): string | null {
  if (response === null || typeof response !== "object" || Array.isArray(response)) return "not an answer";
  const keys = Object.keys(response);
  switch (question.type) {
    case "single":
    case "multiple": {
      if (keys.some((k) => k !== "choices") || !Array.isArray(response.choices)) return "choices expected";
      const ids = new Set(question.options.map((o) => o.id));
      for (const c of response.choices) {
        if (typeof c !== "string" || !ids.has(c)) return "unknown option";
      }
      if (new Set(response.choices).size !== response.choices.length) return "option chosen twice";
      if (question.type === "single" && response.choices.length > 1) return "one option expected";
      return null;
    }
    case "true_false":
      if (keys.some((k) => k !== "value") || typeof response.value !== "boolean") return "true or false expected";
      return null;
    case "fill_blank": {
      if (keys.some((k) => k !== "blanks") || !Array.isArray(response.blanks)) return "blanks expected";
      const count = question.answer.blanks?.length ?? 0;
      if (response.blanks.length !== count) return "wrong number of blanks";
      if (response.blanks.some((b) => typeof b !== "string" || b.length > 500)) return "bad blank";
      return null;
    }
  }
}

/** Whether a response says nothing (no option chosen, every blank empty). */
export function isEmptyResponse(response: QuizResponse | null | undefined): boolean {
  if (!response) return true;
  if (response.choices) return response.choices.length === 0;
  if (response.blanks) return response.blanks.every((b) => b.trim() === "");
  return typeof response.value !== "boolean";
}

/**
 * Grades one response; a missing or malformed response earns nothing. Multiple choice is all or
 * nothing unless `partialCredit` is on.
 */
export function grade(question: GradableQuestion, response: QuizResponse | null | undefined, options: GradeOptions = {}): Grade {
  const none: Grade = { correct: false, credit: 0 };
  if (!response || responseProblem(question, response)) return none;
  switch (question.type) {
    case "single": {
      const key = question.answer.choices ?? [];
      const ok = response.choices!.length === 1 && key.length === 1 && response.choices![0] === key[0];
      return { correct: ok, credit: ok ? 1 : 0 };
    }
    case "multiple": {
      const key = new Set(question.answer.choices ?? []);
      const chosen = new Set(response.choices!);
      if (key.size === 0 || chosen.size === 0) return none;
      const wrong = [...chosen].some((c) => !key.has(c));
      const right = [...chosen].filter((c) => key.has(c)).length;
      const ok = !wrong && right === key.size;
      if (ok) return { correct: true, credit: 1 };
      return { correct: false, credit: options.partialCredit && !wrong ? right / key.size : 0 };
    }
    case "true_false": {
      const ok = typeof question.answer.value === "boolean" && response.value === question.answer.value;
      return { correct: ok, credit: ok ? 1 : 0 };
    }
    case "fill_blank": {
      const key = question.answer.blanks ?? [];
      if (key.length === 0) return none;
      const hits = key.filter((accepted, i) => blankMatches(response.blanks![i] ?? "", accepted)).length;
      if (hits === key.length) return { correct: true, credit: 1 };
      return { correct: false, credit: options.partialCredit ? hits / key.length : 0 };
    }
  }
}

/** Score out of 100 from the credits of each question, to one decimal. */
export function scorePercent(credits: number[]): number {
  if (credits.length === 0) return 0;
  const sum = credits.reduce((a, b) => a + b, 0);
  return Math.round((sum / credits.length) * 1000) / 10;
}

/**
 * A quiz rule's pass mark as a percentage: 60 means 60 out of 100; a value between 0 and 1 is
 * read as a fraction (0.6 → 60).
 */
export function passPercent(passMark: number): number {
  if (!Number.isFinite(passMark) || passMark <= 0) return 0;
  if (passMark <= 1) return passMark * 100;
  return Math.min(passMark, 100);
}

export function passes(score: number, passMark: number) {
  return score + 1e-9 >= passPercent(passMark);
}

// ---------------------------------------------------------------------------------------------
// Seeded random numbers

export type Rng = () => number;

/** mulberry32: a small, fast, seedable generator with a full 2^32 period. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from any text (FNV-1a), e.g. `${userId}:${day}`. */
export function seedFrom(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Fisher–Yates on a copy. */
export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Options such as "以上都对" / "all of the above" only make sense where the author put them. */
const POSITIONAL_OPTION = /^(以上|上述|全部|都不|均不|均正确|都正确|都对|皆是|all of the above|none of the above|both|neither)/i;

/**
 * A shuffled order of a question's option ids. An option that refers to the others ("以上都对")
 * keeps its place, and so does every option after it.
 */
export function shuffleOptions(options: readonly QuestionOption[], rng: Rng): string[] {
  const ids = options.map((o) => o.id);
  const pinnedFrom = options.findIndex((o) => POSITIONAL_OPTION.test(o.text.normalize("NFKC").trim()));
  if (pinnedFrom === -1) return shuffle(ids, rng);
  return [...shuffle(ids.slice(0, pinnedFrom), rng), ...ids.slice(pinnedFrom)];
}

// ---------------------------------------------------------------------------------------------
// Draws

/** A question that a draw may pick: its current version and what a rule filters on. */
export type PoolQuestion = { questionId: number; versionId: number; bankId: number; type: QuestionType; tags: string[] };

export type DrawRule = {
  draws?: { bankId: number; type?: string; tags?: string[]; count: number }[];
  fixedQuestionIds?: number[];
};

export type DrawResult = {
  picked: PoolQuestion[];
  /** Draws that found fewer questions than asked for (the quiz then has fewer questions). */
  shortfalls: { index: number; wanted: number; found: number }[];
  /** Fixed questions that are not in the pool (archived or gone). */
  missingFixed: number[];
};

/**
 * Picks questions by rule: first the fixed questions, then each draw takes `count` questions of
 * its bank (and type, and any of its tags) that are not yet picked. Draws without replacement;
 * the same seed gives the same questions. The order of `picked` is not shuffled.
 */
export function drawQuestions(pool: readonly PoolQuestion[], rule: DrawRule, rng: Rng): DrawResult {
  const byId = new Map(pool.map((q) => [q.questionId, q]));
  const taken = new Set<number>();
  const picked: PoolQuestion[] = [];
  const missingFixed: number[] = [];
  for (const id of rule.fixedQuestionIds ?? []) {
    const q = byId.get(id);
    if (!q) missingFixed.push(id);
    else if (!taken.has(id)) {
      taken.add(id);
      picked.push(q);
    }
  }
  const shortfalls: DrawResult["shortfalls"] = [];
  // A stable base order, so the result depends only on the seed and not on how the pool was read.
  const sorted = pool.slice().sort((a, b) => a.questionId - b.questionId);
  (rule.draws ?? []).forEach((draw, index) => {
    const wanted = Math.max(0, Math.floor(draw.count));
    const tags = (draw.tags ?? []).filter(Boolean);
    const candidates = sorted.filter(
      (q) =>
        !taken.has(q.questionId) &&
        q.bankId === draw.bankId &&
        (!draw.type || q.type === draw.type) &&
        (tags.length === 0 || q.tags.some((t) => tags.includes(t))),
    );
    const chosen = shuffle(candidates, rng).slice(0, wanted);
    for (const q of chosen) {
      taken.add(q.questionId);
      picked.push(q);
    }
    if (chosen.length < wanted) shortfalls.push({ index, wanted, found: chosen.length });
  });
  return { picked, shortfalls, missingFixed };
}

// ---------------------------------------------------------------------------------------------
// What a member sees of a question before answering it

export type PresentedOption = { id: string; label: string; text: string };
/** A question without its answer key: safe to send to a browser before it is answered. */
export type PresentedQuestion = {
  type: QuestionType;
  stem: string;
  options: PresentedOption[];
  /** Number of blanks of a fill-in-the-blank question. */
  blanks: number;
};

export const OPTION_LABELS = "ABCDEFGH";

/** A question in the given option order, labelled A, B, C… in that order, with no answer key. */
export function presentQuestion(
  version: { type: QuestionType; stem: string; options: QuestionOption[]; answer: AnswerKey },
  optionOrder?: readonly string[],
): PresentedQuestion {
  const byId = new Map(version.options.map((o) => [o.id, o]));
  const order = optionOrder && optionOrder.length === version.options.length ? optionOrder : version.options.map((o) => o.id);
  const options =
    version.type === "single" || version.type === "multiple"
      ? order.flatMap((id, i) => {
          const o = byId.get(id);
          return o ? [{ id: o.id, label: OPTION_LABELS[i] ?? String(i + 1), text: o.text }] : [];
        })
      : [];
  return { type: version.type, stem: version.stem, options, blanks: version.type === "fill_blank" ? (version.answer.blanks?.length ?? 0) : 0 };
}

/** The correct answer in words, for feedback after answering: "B、D" in the shown order, "正确", or the blanks. */
export function answerText(
  version: { type: QuestionType; options: QuestionOption[]; answer: AnswerKey },
  optionOrder: readonly string[] | undefined,
  words: { true: string; false: string; or: string },
): string {
  switch (version.type) {
    case "single":
    case "multiple": {
      const presented = presentQuestion({ ...version, stem: "" }, optionOrder).options;
      const key = new Set(version.answer.choices ?? []);
      return presented
        .filter((o) => key.has(o.id))
        .map((o) => o.label)
        .join("、");
    }
    case "true_false":
      return version.answer.value ? words.true : words.false;
    case "fill_blank":
      return (version.answer.blanks ?? []).map((alts) => alts.join(words.or)).join("；");
  }
}

/** Reads a response from submitted form fields named `${prefix}` (choices, true/false) and `${prefix}.b${i}` (blanks). */
export function responseFromForm(
  form: { getAll(name: string): unknown[]; get(name: string): unknown },
  prefix: string,
  question: { type: QuestionType; blanks: number },
): QuizResponse | null {
  switch (question.type) {
    case "single":
    case "multiple": {
      const choices = form.getAll(prefix).filter((v): v is string => typeof v === "string" && v !== "");
      return choices.length ? { choices } : null;
    }
    case "true_false": {
      const v = form.get(prefix);
      return v === "true" ? { value: true } : v === "false" ? { value: false } : v == null || v === "" ? null : { value: v as never };
    }
    case "fill_blank": {
      const blanks: string[] = [];
      for (let i = 0; i < question.blanks; i++) {
        const v = form.get(`${prefix}.b${i}`);
        blanks.push(typeof v === "string" ? v : "");
      }
      return blanks.every((b) => b.trim() === "") ? null : { blanks };
    }
  }
}

/**
 * Reads the answers of several questions from form fields `${prefix}${index}` (choices,
 * true/false) and `${prefix}${index}.b${k}` (blanks). Null when a field does not belong to any
 * shown question or does not fit its type (a field only a tampered form sends).
 */
export function responsesFromForm(
  form: { keys(): Iterable<string>; getAll(name: string): unknown[]; get(name: string): unknown },
  prefix: string,
  shown: readonly { type: QuestionType; blanks: number }[],
): Map<number, QuizResponse | null> | null {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const field = new RegExp(`^${escaped}(\\d{1,4})(?:\\.b(\\d{1,2}))?$`);
  const loose = new RegExp(`^${escaped}[-\\d]`);
  const indexes = new Set<number>();
  for (const key of form.keys()) {
    const m = field.exec(key);
    if (!m) {
      if (loose.test(key)) return null;
      continue;
    }
    const index = Number(m[1]);
    const q = shown[index];
    if (!q) return null;
    if (q.type === "fill_blank") {
      if (m[2] === undefined || Number(m[2]) >= q.blanks || form.getAll(key).length > 1) return null;
    } else {
      if (m[2] !== undefined) return null;
      if (q.type !== "multiple" && form.getAll(key).length > 1) return null;
    }
    indexes.add(index);
  }
  const out = new Map<number, QuizResponse | null>();
  for (const i of indexes) out.set(i, responseFromForm(form, `${prefix}${i}`, shown[i]));
  return out;
}

/** The answer to the one question shown (at `index`) on a one-question page. */
export function singleResponseFromForm(
  form: Parameters<typeof responsesFromForm>[0],
  prefix: string,
  index: number,
  question: { type: QuestionType; blanks: number },
): { response: QuizResponse } | { error: "tampered" | "choose" } {
  const shown: { type: QuestionType; blanks: number }[] = [];
  shown[index] = question;
  const responses = responsesFromForm(form, prefix, shown);
  if (!responses) return { error: "tampered" };
  const response = responses.get(index);
  return response ? { response } : { error: "choose" };
}
