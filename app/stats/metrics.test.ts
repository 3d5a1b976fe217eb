import { describe, expect, it } from "vitest";
import { addCounts, addDays, assignmentFigures, chinaDay, chinaYearOf, creditBucket, creditFigures, dailySeries, daysBetween, yearElapsed } from "./metrics";

describe("dates in China time", () => {
  it("gives the China day and year of an instant", () => {
    expect(chinaDay(new Date("2026-03-10T15:59:59Z"))).toBe("2026-03-10");
    expect(chinaDay(new Date("2026-03-10T16:00:00Z"))).toBe("2026-03-11");
    expect(chinaYearOf(new Date("2025-12-31T16:30:00Z"))).toBe(2026);
    expect(addDays("2026-02-27", 3)).toBe("2026-03-02");
    expect(daysBetween("2026-03-01", "2026-02-26")).toBe(-3);
  });
  it("measures the share of the year gone", () => {
    expect(yearElapsed(2026, new Date("2025-12-31T15:00:00Z"))).toBe(0);
    expect(yearElapsed(2026, new Date("2026-12-31T16:00:00Z"))).toBe(1);
    expect(yearElapsed(2026, new Date("2026-07-02T12:00:00Z"))).toBeCloseTo(0.5, 2);
  });
});

describe("figures", () => {
  it("buckets credit hours by tenths of the requirement", () => {
    expect(creditBucket(25, 32)).toBe(0);
    expect(creditBucket(3200, 32)).toBe(10);
    expect(creditBucket(3199, 32)).toBe(9);
    expect(creditBucket(1120, 56)).toBe(2);
  });
  it("counts members behind the pace: below the tenths of the year gone", () => {
    // 40 members: 10 never started, 5 at 10–20 %, 5 at 30–40 %, 20 met. Mid-May: pace 30 %.
    const members = { total: 40 };
    const credit = { started: 30, met: 20, b1: 5, b3: 5, hours: 100_000 };
    const may = creditFigures(members, credit, 2026, new Date("2026-05-15T00:00:00Z"));
    expect(may).toMatchObject({ members: 40, completed: 20, inProgress: 10, notStarted: 10, overdue: 15, pace: 0.3, rate: 0.5 });
    const january = creditFigures(members, credit, 2026, new Date("2026-01-20T00:00:00Z"));
    expect(january.overdue).toBe(0);
    const after = creditFigures(members, credit, 2026, new Date("2027-02-01T00:00:00Z"));
    expect(after.overdue).toBe(20);
  });
  it("counts an assignment overdue only after its due day", () => {
    const counts = { assigned: 10, completed: 4, in_progress: 3 };
    expect(assignmentFigures(counts, "2026-03-10", "2026-03-10")).toMatchObject({ notStarted: 3, overdue: 0, rate: 0.4 });
    expect(assignmentFigures(counts, "2026-03-10", "2026-03-11").overdue).toBe(6);
    expect(assignmentFigures({}, "2026-03-10", "2026-03-11").rate).toBeNull();
  });
  it("builds the daily series with earlier completions in the running total", () => {
    const series = dailySeries({ "2026-02-01": 2, "2026-03-02": 1, "2026-03-04": 3 }, "2026-03-01", "2026-03-04");
    expect(series).toEqual([
      { day: "2026-03-01", count: 0, cumulative: 2 },
      { day: "2026-03-02", count: 1, cumulative: 3 },
      { day: "2026-03-03", count: 0, cumulative: 3 },
      { day: "2026-03-04", count: 3, cumulative: 6 },
    ]);
  });
  it("adds counts, dropping zeros", () => {
    expect(addCounts({ a: 1, b: 2 }, { a: -1, c: 3 })).toEqual({ b: 2, c: 3 });
  });
});
