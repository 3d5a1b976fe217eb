import { describe, expect, it } from "vitest";
import { answerPoints, compatible, eloUpdate, expectedScore, formGroups, isWinner, matchWindow, placesOf, type Waiting } from "./rules";

describe("scoring", () => {
  it("gives the first right answer 3, later right answers 1, wrong answers 0", () => {
    expect(answerPoints(true, 0)).toBe(3);
    expect(answerPoints(true, 1)).toBe(1);
    expect(answerPoints(true, 3)).toBe(1);
    expect(answerPoints(false, 0)).toBe(0);
    expect(answerPoints(false, 2)).toBe(0);
  });

  it("places by staying, then score, then time over right answers, sharing equal places", () => {
    const places = placesOf([
      { userId: 1, score: 4, correctMs: 9000, forfeited: false },
      { userId: 2, score: 7, correctMs: 20000, forfeited: false },
      { userId: 3, score: 4, correctMs: 5000, forfeited: false },
      { userId: 4, score: 9, correctMs: 1000, forfeited: true },
    ]);
    expect(Object.fromEntries(places)).toEqual({ 2: 1, 3: 2, 1: 3, 4: 4 });
    const tied = placesOf([
      { userId: 1, score: 3, correctMs: 100, forfeited: false },
      { userId: 2, score: 3, correctMs: 100, forfeited: false },
      { userId: 3, score: 0, correctMs: 0, forfeited: false },
    ]);
    expect(Object.fromEntries(tied)).toEqual({ 1: 1, 2: 1, 3: 3 });
    expect(isWinner({ userId: 1, forfeited: false }, tied)).toBe(false);
    expect(isWinner({ userId: 2, forfeited: false }, places)).toBe(true);
    expect(isWinner({ userId: 4, forfeited: true }, places)).toBe(false);
  });
});

describe("Elo", () => {
  it("is plain Elo (K = 32) for two players", () => {
    expect(expectedScore(1200, 1200)).toBeCloseTo(0.5);
    expect(
      eloUpdate([
        { rating: 1200, place: 1 },
        { rating: 1200, place: 2 },
      ]),
    ).toEqual([1216, 1184]);
    // The favourite gains little for winning and loses much for losing.
    const e = expectedScore(1400, 1200);
    expect(e).toBeCloseTo(0.7597, 3);
    expect(
      eloUpdate([
        { rating: 1400, place: 1 },
        { rating: 1200, place: 2 },
      ]),
    ).toEqual([1400 + Math.round(32 * (1 - e)), 1200 - Math.round(32 * (1 - e))]);
    expect(
      eloUpdate([
        { rating: 1400, place: 2 },
        { rating: 1200, place: 1 },
      ]),
    ).toEqual([1400 - Math.round(32 * e), 1200 + Math.round(32 * e)]);
    expect(
      eloUpdate([
        { rating: 1300, place: 1 },
        { rating: 1300, place: 1 },
      ]),
    ).toEqual([1300, 1300]);
  });

  it("treats four players as pairwise games with K/(n−1)", () => {
    const equal = eloUpdate([1, 2, 3, 4].map((place) => ({ rating: 1200, place })));
    // Against three equals: first wins 3 games (+3·0.5·32/3 = +16), last loses 3 (−16).
    expect(equal).toEqual([1216, 1205, 1195, 1184]);
    expect(equal.reduce((a, b) => a + b, 0)).toBe(4 * 1200);
    const mixed = [
      { rating: 1500, place: 4 },
      { rating: 1200, place: 1 },
      { rating: 1300, place: 2 },
      { rating: 1000, place: 2 },
    ];
    const after = eloUpdate(mixed);
    const expected = mixed.map((p, i) => {
      let sum = 0;
      mixed.forEach((q, j) => {
        if (i !== j) sum += (p.place < q.place ? 1 : p.place > q.place ? 0 : 0.5) - 1 / (1 + 10 ** ((q.rating - p.rating) / 400));
      });
      return Math.round(p.rating + (32 / 3) * sum);
    });
    expect(after).toEqual(expected);
    expect(after[0]).toBeLessThan(1500);
    expect(after[1]).toBeGreaterThan(1200);
    // Roughly zero-sum (rounding aside).
    expect(Math.abs(after.reduce((a, b) => a + b, 0) - 5000)).toBeLessThanOrEqual(2);
  });
});

describe("matching", () => {
  it("widens the accepted gap as members wait", () => {
    expect(matchWindow(0)).toBe(100);
    expect(matchWindow(10_000)).toBe(400);
    expect(matchWindow(30_000)).toBe(1000);
    expect(compatible({ rating: 1200, waitedMs: 0 }, { rating: 1290, waitedMs: 0 })).toBe(true);
    expect(compatible({ rating: 1200, waitedMs: 0 }, { rating: 1500, waitedMs: 0 })).toBe(false);
    expect(compatible({ rating: 1200, waitedMs: 10_000 }, { rating: 1500, waitedMs: 0 })).toBe(true);
  });

  it("groups by rating around the longest waiter, within one group key, leaving the rest", () => {
    const w = (userId: number, rating: number, waitedMs = 0, group = "001"): Waiting => ({ userId, rating, waitedMs, group });
    expect(formGroups([w(1, 1200), w(2, 1600), w(3, 1250), w(4, 1650)], 2).map((g) => g.map((x) => x.userId).sort())).toEqual([
      [1, 3],
      [2, 4],
    ]);
    // Too far apart at first; matched once the wait has widened the window.
    expect(formGroups([w(1, 1200), w(2, 1500)], 2)).toEqual([]);
    expect(formGroups([w(1, 1200, 12_000), w(2, 1500)], 2)).toHaveLength(1);
    // Another committee never.
    expect(formGroups([w(1, 1200, 30_000), w(2, 1200, 30_000, "002")], 2)).toEqual([]);
    const four = formGroups([w(1, 1200, 5000), w(2, 1210), w(3, 1190), w(4, 1900), w(5, 1220), w(6, 1230)], 4);
    expect(four).toHaveLength(1);
    expect(four[0].map((x) => x.userId).sort()).toEqual([1, 2, 3, 5]);
  });
});
