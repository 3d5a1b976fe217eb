import { describe, expect, it } from "vitest";
import { applyWatchReport, coveredSeconds, creditHoursFor, mergeRanges, minimumReadingSeconds, subtractRanges, yearlyRequirement, type Range } from "./rules";

describe("credit hours", () => {
  it("follow the course length bands, with 0.5 more for a passed test", () => {
    expect(creditHoursFor(14 * 60 + 59)).toBe(0.25);
    expect(creditHoursFor(15 * 60)).toBe(0.5);
    expect(creditHoursFor(29 * 60)).toBe(0.5);
    expect(creditHoursFor(30 * 60)).toBe(1);
    expect(creditHoursFor(3 * 3600)).toBe(1);
    expect(creditHoursFor(10 * 60, true)).toBe(0.75);
    expect(creditHoursFor(45 * 60, true)).toBe(1.5);
  });

  it("require 56 a year of cadres and 32 of everyone else", () => {
    expect(yearlyRequirement(true)).toBe(56);
    expect(yearlyRequirement(false)).toBe(32);
  });
});

describe("reading time", () => {
  it("is about 500 characters a minute, rounded up", () => {
    expect(minimumReadingSeconds(500)).toBe(60);
    expect(minimumReadingSeconds(1250)).toBe(150);
    expect(minimumReadingSeconds(1)).toBe(1);
    expect(minimumReadingSeconds(0)).toBe(0);
  });
});

describe("range union", () => {
  it("merges overlapping and touching ranges and drops empty or reversed ones", () => {
    expect(mergeRanges([[10, 20], [0, 5], [5, 8], [15, 30], [40, 40], [50, 45]])).toEqual([[0, 8], [10, 30]]);
    expect(coveredSeconds(mergeRanges([[0, 10], [5, 15]]))).toBe(15);
  });

  it("subtracts covered parts", () => {
    expect(subtractRanges([0, 30], [[5, 10], [20, 25]])).toEqual([[0, 5], [10, 20], [25, 30]]);
    expect(subtractRanges([6, 9], [[5, 10]])).toEqual([]);
  });
});

describe("watch reports", () => {
  const t0 = new Date("2026-11-21T08:00:00Z");
  const at = (s: number) => new Date(t0.getTime() + s * 1000);
  const duration = 100;

  it("accept what was really watched at up to 2×", () => {
    let stored = { ranges: [] as Range[], lastReportAt: null as Date | null };
    const first = applyWatchReport(stored, [[0, 5]], duration, at(0));
    expect(first.watchedSeconds).toBe(5);
    stored = { ranges: first.ranges, lastReportAt: at(0) };
    // 10 s of wall time at 2× covers 20 s of video.
    const second = applyWatchReport(stored, [[5, 25]], duration, at(10));
    expect(second.watchedSeconds).toBe(25);
    expect(second.capped).toBe(false);
  });

  it("refuse more new seconds than wall time allows (forged report)", () => {
    const stored = { ranges: [[0, 10]] as Range[], lastReportAt: at(0) };
    const forged = applyWatchReport(stored, [[10, 100]], duration, at(10));
    // 10 s × 2 + 5 s slack
    expect(forged.watchedSeconds).toBe(10 + 25);
    const firstForged = applyWatchReport({ ranges: [], lastReportAt: null }, [[0, 100]], duration, at(0));
    expect(firstForged.watchedSeconds).toBe(25);
    expect(forged.capped).toBe(true);
  });

  it("do not complete a lesson when the member seeks to the end", () => {
    const stored = { ranges: [[0, 10]] as Range[], lastReportAt: at(0) };
    const seek = applyWatchReport(stored, [[95, 100]], duration, at(3));
    expect(seek.watchedSeconds).toBe(15);
    expect(seek.watchedSeconds / duration).toBeLessThan(0.9);
  });

  it("gain nothing from a replayed report", () => {
    const first = applyWatchReport({ ranges: [], lastReportAt: null }, [[0, 8]], duration, at(0));
    const replay = applyWatchReport({ ranges: first.ranges, lastReportAt: at(0) }, [[0, 8]], duration, at(60));
    expect(replay.gained).toBe(0);
    expect(replay.ranges).toEqual(first.ranges);
  });

  it("clip reported ranges to the video", () => {
    const r = applyWatchReport({ ranges: [], lastReportAt: at(0) }, [[-5, 3], [98, 130]], duration, at(100));
    expect(r.ranges).toEqual([[0, 3], [98, 100]]);
  });
});
