import { describe, expect, it } from "vitest";
import { answerPoints, compareEntries, countedMs, questionOrder, rankAll, speedBonus } from "./scoring";

describe("contest scoring", () => {
  it("gives a speed bonus of 1000 × (T − t)/T, clamped to the question's time", () => {
    expect(speedBonus(0, 20)).toBe(1000);
    expect(speedBonus(5_000, 20)).toBe(750);
    expect(speedBonus(10_000, 20)).toBe(500);
    expect(speedBonus(20_000, 20)).toBe(0);
    expect(speedBonus(25_000, 20)).toBe(0);
    expect(speedBonus(-300, 20)).toBe(1000);
    expect(speedBonus(1, 20)).toBe(1000);
    expect(speedBonus(333, 10)).toBe(967);
  });

  it("scores a right answer with points and bonus, a wrong one with nothing", () => {
    const rule = { secondsPerQuestion: 10, pointsPerCorrect: 100, speedBonus: true };
    expect(answerPoints(rule, true, 2_500)).toBe(100 + 750);
    expect(answerPoints(rule, false, 100)).toBe(0);
    expect(answerPoints({ ...rule, speedBonus: false }, true, 100)).toBe(100);
  });

  it("counts at most the question's time towards the tie-break", () => {
    expect(countedMs(12_345.6, 10)).toBe(10_000);
    expect(countedMs(1_234.4, 10)).toBe(1_234);
    expect(countedMs(-5, 10)).toBe(0);
  });

  it("ranks by score, then by less total time, sharing ranks on exact ties", () => {
    const ranked = rankAll([
      { id: "slow", score: 900, totalMs: 9_000 },
      { id: "fast", score: 900, totalMs: 4_000 },
      { id: "best", score: 1_200, totalMs: 30_000 },
      { id: "twin", score: 900, totalMs: 9_000 },
      { id: "last", score: 0, totalMs: 0 },
    ]);
    expect(ranked.map((r) => [r.id, r.rank])).toEqual([
      ["best", 1],
      ["fast", 2],
      ["slow", 3],
      ["twin", 3],
      ["last", 5],
    ]);
    expect(compareEntries({ score: 1, totalMs: 5 }, { score: 1, totalMs: 5 })).toBe(0);
  });

  it("gives each member a fixed order of every question", () => {
    const a = questionOrder(7, 42, 20);
    expect(a).toEqual(questionOrder(7, 42, 20));
    expect(a.slice().sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(questionOrder(7, 43, 20)).not.toEqual(a);
  });
});
