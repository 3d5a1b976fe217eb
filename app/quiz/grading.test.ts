import { describe, expect, it } from "vitest";
import { draftProblems, draftToVersion, versionToDraft, type QuestionDraft } from "./draft";
import {
  answerText,
  blankMatches,
  drawQuestions,
  grade,
  isEmptyResponse,
  normaliseBlank,
  passes,
  passPercent,
  presentQuestion,
  responseFromForm,
  responsesFromForm,
  responseProblem,
  scorePercent,
  seededRng,
  seedFrom,
  shuffle,
  shuffleOptions,
  type GradableQuestion,
  type PoolQuestion,
} from "./grading";

const opts = (...texts: string[]) => texts.map((text, i) => ({ id: `o${i}`, text }));
const single: GradableQuestion = { type: "single", options: opts("甲", "乙", "丙", "丁"), answer: { choices: ["o1"] } };
const multiple: GradableQuestion = { type: "multiple", options: opts("甲", "乙", "丙", "丁"), answer: { choices: ["o0", "o2", "o3"] } };
const trueFalse: GradableQuestion = { type: "true_false", options: [], answer: { value: false } };
const fill: GradableQuestion = { type: "fill_blank", options: [], answer: { blanks: [["实事求是"], ["为人民服务", "全心全意为人民服务"]] } };
const english: GradableQuestion = { type: "fill_blank", options: [], answer: { blanks: [["Work Safety"]] } };

describe("single choice", () => {
  it("is right only with the one right option", () => {
    expect(grade(single, { choices: ["o1"] })).toEqual({ correct: true, credit: 1 });
    expect(grade(single, { choices: ["o0"] })).toEqual({ correct: false, credit: 0 });
  });
  it("gives nothing for no answer", () => {
    expect(grade(single, null).correct).toBe(false);
    expect(grade(single, { choices: [] }).correct).toBe(false);
  });
  it("refuses two options and unknown ids as malformed", () => {
    expect(responseProblem(single, { choices: ["o1", "o2"] })).toBe("one option expected");
    expect(responseProblem(single, { choices: ["zz"] })).toBe("unknown option");
    expect(grade(single, { choices: ["o1", "o2"] }).correct).toBe(false);
  });
});

describe("multiple choice", () => {
  it("is all or nothing by default", () => {
    expect(grade(multiple, { choices: ["o3", "o0", "o2"] })).toEqual({ correct: true, credit: 1 });
    expect(grade(multiple, { choices: ["o0", "o2"] })).toEqual({ correct: false, credit: 0 });
    expect(grade(multiple, { choices: ["o0", "o1", "o2", "o3"] })).toEqual({ correct: false, credit: 0 });
  });
  it("gives a share for a subset of the right options with partial credit", () => {
    expect(grade(multiple, { choices: ["o0", "o2"] }, { partialCredit: true }).credit).toBeCloseTo(2 / 3);
    expect(grade(multiple, { choices: ["o0"] }, { partialCredit: true }).credit).toBeCloseTo(1 / 3);
    expect(grade(multiple, { choices: ["o0", "o2"] }, { partialCredit: true }).correct).toBe(false);
  });
  it("gives nothing with partial credit once a wrong option is chosen", () => {
    expect(grade(multiple, { choices: ["o0", "o1"] }, { partialCredit: true }).credit).toBe(0);
  });
  it("refuses an option chosen twice or one the question does not have", () => {
    expect(responseProblem(multiple, { choices: ["o0", "o0"] })).toBe("option chosen twice");
    expect(responseProblem(multiple, { choices: ["o0", "o9"] })).toBe("unknown option");
  });
});

describe("true/false", () => {
  it("compares the value", () => {
    expect(grade(trueFalse, { value: false }).correct).toBe(true);
    expect(grade(trueFalse, { value: true }).correct).toBe(false);
  });
  it("refuses anything but a boolean", () => {
    expect(responseProblem(trueFalse, { value: "false" as never })).not.toBeNull();
    expect(responseProblem(trueFalse, { choices: ["o0"] })).not.toBeNull();
  });
});

describe("fill in the blank", () => {
  it("accepts any listed form of each blank", () => {
    expect(grade(fill, { blanks: ["实事求是", "为人民服务"] }).correct).toBe(true);
    expect(grade(fill, { blanks: ["实事求是", "全心全意为人民服务"] }).correct).toBe(true);
    expect(grade(fill, { blanks: ["实事求是", "服务群众"] }).correct).toBe(false);
  });
  it("ignores full-width/half-width differences, spaces and Latin case", () => {
    expect(normaliseBlank("ＡＢＣ１２３")).toBe("abc123");
    expect(normaliseBlank(" 实事\u3000求是 ")).toBe("实事求是");
    expect(grade(english, { blanks: ["ｗｏｒｋ　ｓａｆｅｔｙ"] }).correct).toBe(true);
    expect(grade(english, { blanks: ["WORKSAFETY"] }).correct).toBe(true);
    expect(grade(english, { blanks: ["work  safety。"] }).correct).toBe(true);
    expect(blankMatches("１９２１", ["1921"])).toBe(true);
    expect(blankMatches("（1921）", ["(1921)"])).toBe(true);
  });
  it("does not accept an empty blank or a blank for another position", () => {
    expect(blankMatches("   ", ["a"])).toBe(false);
    expect(grade(fill, { blanks: ["为人民服务", "实事求是"] }).correct).toBe(false);
  });
  it("gives a share of the blanks with partial credit", () => {
    expect(grade(fill, { blanks: ["实事求是", "错"] }, { partialCredit: true })).toEqual({ correct: false, credit: 0.5 });
  });
  it("refuses the wrong number of blanks", () => {
    expect(responseProblem(fill, { blanks: ["实事求是"] })).toBe("wrong number of blanks");
  });
});

describe("scores and pass marks", () => {
  it("scores out of 100 to one decimal", () => {
    expect(scorePercent([1, 0, 1])).toBe(66.7);
    expect(scorePercent([])).toBe(0);
    expect(scorePercent([1, 0.5])).toBe(75);
  });
  it("reads pass marks as percentages, or fractions up to 1", () => {
    expect(passPercent(60)).toBe(60);
    expect(passPercent(0.8)).toBe(80);
    expect(passes(60, 60)).toBe(true);
    expect(passes(59.9, 60)).toBe(false);
    expect(passes(100, 100)).toBe(true);
  });
  it("knows an empty response", () => {
    expect(isEmptyResponse(null)).toBe(true);
    expect(isEmptyResponse({ blanks: ["", " "] })).toBe(true);
    expect(isEmptyResponse({ value: false })).toBe(false);
  });
});

describe("seeded random numbers and shuffling", () => {
  it("repeats for the same seed and differs for another", () => {
    const a = Array.from({ length: 5 }, seededRng(42));
    const b = Array.from({ length: 5 }, seededRng(42));
    const c = Array.from({ length: 5 }, seededRng(43));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seedFrom("1:2026-01-01")).toBe(seedFrom("1:2026-01-01"));
    expect(seedFrom("1:2026-01-01")).not.toBe(seedFrom("1:2026-01-02"));
  });
  it("shuffles to a permutation, every order reachable", () => {
    const rng = seededRng(7);
    const orders = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const s = shuffle([1, 2, 3], rng);
      expect([...s].sort()).toEqual([1, 2, 3]);
      orders.add(s.join());
    }
    expect(orders.size).toBe(6);
  });
  it("keeps 'all of the above' and what follows it in place", () => {
    const options = opts("甲", "乙", "丙", "以上都对");
    for (let seed = 0; seed < 20; seed++) expect(shuffleOptions(options, seededRng(seed))[3]).toBe("o3");
  });
  it("keeps answer keys right whatever the option order", () => {
    for (let seed = 0; seed < 50; seed++) {
      const order = shuffleOptions(multiple.options, seededRng(seed));
      const shown = presentQuestion({ ...multiple, stem: "?" }, order);
      expect(shown.options.map((o) => o.label)).toEqual(["A", "B", "C", "D"]);
      expect(shown.options.map((o) => o.id)).toEqual(order);
      // The member picks by text; the right texts are 甲, 丙, 丁 wherever they stand.
      const picked = shown.options.filter((o) => ["甲", "丙", "丁"].includes(o.text)).map((o) => o.id);
      expect(grade(multiple, { choices: picked }).correct).toBe(true);
      const labels = answerText(multiple, order, { true: "对", false: "错", or: "/" }).split("、");
      expect(labels.map((l) => shown.options.find((o) => o.label === l)!.text).sort()).toEqual(["丁", "丙", "甲"].sort());
    }
  });
});

describe("presenting a question", () => {
  it("carries no answer key", () => {
    const shown = presentQuestion({ ...fill, stem: "____，____" });
    expect(shown).toEqual({ type: "fill_blank", stem: "____，____", options: [], blanks: 2 });
    expect(JSON.stringify(shown)).not.toContain("实事求是");
    const tf = presentQuestion({ ...trueFalse, stem: "？" });
    expect(Object.keys(tf).sort()).toEqual(["blanks", "options", "stem", "type"]);
  });
  it("falls back to the stored order when the order does not fit", () => {
    expect(presentQuestion({ ...single, stem: "" }, ["o1"]).options.map((o) => o.id)).toEqual(["o0", "o1", "o2", "o3"]);
  });
});

describe("reading responses from a form", () => {
  it("reads choices, true/false and blanks", () => {
    const f = new FormData();
    f.append("q0", "o1");
    f.append("q0", "o2");
    f.append("q1", "false");
    f.append("q2.b0", "甲");
    f.append("q2.b1", "");
    expect(responseFromForm(f, "q0", { type: "multiple", blanks: 0 })).toEqual({ choices: ["o1", "o2"] });
    expect(responseFromForm(f, "q1", { type: "true_false", blanks: 0 })).toEqual({ value: false });
    expect(responseFromForm(f, "q2", { type: "fill_blank", blanks: 2 })).toEqual({ blanks: ["甲", ""] });
    expect(responseFromForm(f, "q3", { type: "single", blanks: 0 })).toBeNull();
  });
  it("reads a whole attempt and refuses fields that fit no question", () => {
    const shown = [
      { type: "single" as const, blanks: 0 },
      { type: "multiple" as const, blanks: 0 },
      { type: "fill_blank" as const, blanks: 1 },
    ];
    const form = (entries: [string, string][]) => {
      const f = new FormData();
      f.append("intent", "submit");
      f.append("attemptId", "7");
      for (const [k, v] of entries) f.append(k, v);
      return f;
    };
    expect(responsesFromForm(form([["a0", "x"], ["a1", "y"], ["a1", "z"], ["a2.b0", "甲"]]), "a", shown)).toEqual(
      new Map([
        [0, { choices: ["x"] }],
        [1, { choices: ["y", "z"] }],
        [2, { blanks: ["甲"] }],
      ]),
    );
    expect(responsesFromForm(form([["a3", "x"]]), "a", shown)).toBeNull();
    expect(responsesFromForm(form([["a0", "x"], ["a0", "y"]]), "a", shown)).toBeNull();
    expect(responsesFromForm(form([["a2", "x"]]), "a", shown)).toBeNull();
    expect(responsesFromForm(form([["a2.b1", "x"]]), "a", shown)).toBeNull();
    expect(responsesFromForm(form([["a0.b0", "x"]]), "a", shown)).toBeNull();
    expect(responsesFromForm(form([["a-1", "x"]]), "a", shown)).toBeNull();
  });
});

const pool: PoolQuestion[] = [
  ...Array.from({ length: 10 }, (_, i) => ({ questionId: i + 1, versionId: 100 + i, bankId: 1, type: "single" as const, tags: i < 4 ? ["党章"] : ["安全"] })),
  ...Array.from({ length: 5 }, (_, i) => ({ questionId: 20 + i, versionId: 200 + i, bankId: 1, type: "true_false" as const, tags: ["党章"] })),
  ...Array.from({ length: 5 }, (_, i) => ({ questionId: 30 + i, versionId: 300 + i, bankId: 2, type: "single" as const, tags: [] })),
];

describe("draws", () => {
  it("takes the count asked of each bank, type and tag, without repeats", () => {
    const { picked, shortfalls } = drawQuestions(
      pool,
      { draws: [{ bankId: 1, type: "single", tags: ["党章"], count: 3 }, { bankId: 1, type: "true_false", count: 2 }, { bankId: 2, count: 4 }] },
      seededRng(1),
    );
    expect(picked).toHaveLength(9);
    expect(new Set(picked.map((q) => q.questionId)).size).toBe(9);
    expect(picked.slice(0, 3).every((q) => q.bankId === 1 && q.type === "single" && q.tags.includes("党章"))).toBe(true);
    expect(picked.slice(3, 5).every((q) => q.type === "true_false")).toBe(true);
    expect(picked.slice(5).every((q) => q.bankId === 2)).toBe(true);
    expect(shortfalls).toEqual([]);
  });
  it("gives the same questions for the same seed and others for another", () => {
    const rule = { draws: [{ bankId: 1, count: 5 }] };
    const a = drawQuestions(pool, rule, seededRng(5)).picked.map((q) => q.questionId);
    expect(drawQuestions(pool, rule, seededRng(5)).picked.map((q) => q.questionId)).toEqual(a);
    expect(drawQuestions([...pool].reverse(), rule, seededRng(5)).picked.map((q) => q.questionId)).toEqual(a);
    const seeds = new Set(Array.from({ length: 10 }, (_, s) => drawQuestions(pool, rule, seededRng(s)).picked.map((q) => q.questionId).join()));
    expect(seeds.size).toBeGreaterThan(1);
  });
  it("puts fixed questions first and does not draw them again", () => {
    const { picked, missingFixed } = drawQuestions(pool, { fixedQuestionIds: [2, 99], draws: [{ bankId: 1, type: "single", count: 10 }] }, seededRng(3));
    expect(picked[0].questionId).toBe(2);
    expect(picked.filter((q) => q.questionId === 2)).toHaveLength(1);
    expect(missingFixed).toEqual([99]);
  });
  it("reports a draw that finds too few questions", () => {
    const { picked, shortfalls } = drawQuestions(pool, { draws: [{ bankId: 2, count: 8 }] }, seededRng(3));
    expect(picked).toHaveLength(5);
    expect(shortfalls).toEqual([{ index: 0, wanted: 8, found: 5 }]);
  });
});

describe("drafts", () => {
  const draft: QuestionDraft = { type: "multiple", stem: "哪些？", options: ["甲", "乙", "丙"], correct: [2, 0], explanation: "", difficulty: 3, tags: [], source: "" };
  it("become versions with opaque option ids and back", () => {
    const v = draftToVersion(draft);
    expect(v.options.map((o) => o.text)).toEqual(["甲", "乙", "丙"]);
    expect(v.options.every((o) => /^[a-z0-9]{6}$/.test(o.id))).toBe(true);
    expect(v.answer.choices).toEqual([v.options[0].id, v.options[2].id]);
    expect(versionToDraft({ ...draft, ...v }).correct).toEqual([0, 2]);
  });
  it("keep option ids by position on edit", () => {
    const v = draftToVersion(draft, ["aaa", "bbb"]);
    expect(v.options.slice(0, 2).map((o) => o.id)).toEqual(["aaa", "bbb"]);
  });
  it("are checked", () => {
    expect(draftProblems(draft)).toEqual([]);
    expect(draftProblems({ ...draft, correct: [0] }).map((p) => p.key)).toEqual(["quiz.v.multipleTwoAnswers"]);
    expect(draftProblems({ ...draft, type: "single" }).map((p) => p.key)).toEqual(["quiz.v.singleOneAnswer"]);
    expect(draftProblems({ ...draft, options: ["甲", "甲", "丙"] }).map((p) => p.key)).toContain("quiz.v.optionDuplicate");
    expect(draftProblems({ ...draft, type: "fill_blank", blanks: [["a"], [""]] }).map((p) => p.key)).toEqual(["quiz.v.blankEmpty"]);
    expect(draftProblems({ ...draft, stem: " ", difficulty: 6 }).map((p) => p.key)).toEqual(["quiz.v.stemRequired", "quiz.v.difficulty"]);
  });
});
