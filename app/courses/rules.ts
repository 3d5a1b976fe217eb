// The study rules members know from other platforms (DESIGN.md), as pure functions shared
// by the server and the browser.

/** Credit hours (学时) of a course by its length; passing its test adds 0.5. */
export function creditHoursFor(durationSeconds: number, passedTest = false) {
  const minutes = durationSeconds / 60;
  const base = minutes >= 30 ? 1 : minutes >= 15 ? 0.5 : 0.25;
  return base + (passedTest ? 0.5 : 0);
}

/** Yearly credit-hour requirement: 56 for secretaries and unit committee members, else 32. */
export function yearlyRequirement(isCadre: boolean) {
  return isCadre ? 56 : 32;
}

export const READING_CHARS_PER_MINUTE = 500;

/** Minimum active seconds to complete a reading of `chars` characters (about 500 a minute). */
export function minimumReadingSeconds(chars: number, charsPerMinute = READING_CHARS_PER_MINUTE) {
  return Math.ceil((chars / charsPerMinute) * 60);
}

export type Range = [number, number];

/** Union of [start, end) ranges: sorted, disjoint, touching ranges joined. */
export function mergeRanges(ranges: Range[]): Range[] {
  const sorted = ranges
    .filter(([s, e]) => Number.isFinite(s) && Number.isFinite(e) && e > s)
    .map(([s, e]): Range => [Math.max(0, s), e])
    .sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

export function coveredSeconds(ranges: Range[]) {
  return ranges.reduce((sum, [s, e]) => sum + (e - s), 0);
}

/** Playback faster than 2× does not count; the guard allows this much on top of wall time. */
export const MAX_PLAYBACK_RATE = 2;
export const REPORT_SLACK_SECONDS = 5;
/** The first report has no earlier one to measure from: the player reports every ~10 s, so ≤ 20 s at 2×. */
export const FIRST_REPORT_ALLOWANCE = 20;

/**
 * Applies a watch report to what the server already has. The new seconds a report may add
 * are capped by wall-clock time since the previous report at 2× speed (plus a small slack),
 * so a forged report, a seek to the end or a replay cannot complete a lesson.
 */
export function applyWatchReport(
  stored: { ranges: Range[]; lastReportAt: Date | null },
  reported: Range[],
  duration: number,
  now: Date,
  firstReportAllowance = FIRST_REPORT_ALLOWANCE,
) {
  const clipped = reported.map(([s, e]): Range => [Math.max(0, s), Math.min(duration, e)]);
  const before = mergeRanges(stored.ranges);
  const beforeSeconds = coveredSeconds(before);
  const elapsed = stored.lastReportAt ? Math.max(0, (now.getTime() - stored.lastReportAt.getTime()) / 1000) : 0;
  const budget = (stored.lastReportAt ? elapsed * MAX_PLAYBACK_RATE : firstReportAllowance) + REPORT_SLACK_SECONDS;
  let merged = mergeRanges([...before, ...clipped]);
  let gained = coveredSeconds(merged) - beforeSeconds;
  if (gained > budget) {
    // Keep the new seconds in the order they were reported until the budget runs out.
    let left = budget;
    const accepted: Range[] = [];
    for (const [s, e] of clipped) {
      if (left <= 0) break;
      const fresh = subtractRanges([s, e], mergeRanges([...before, ...accepted]));
      for (const [fs, fe] of fresh) {
        if (left <= 0) break;
        const take = Math.min(fe - fs, left);
        accepted.push([fs, fs + take]);
        left -= take;
      }
    }
    merged = mergeRanges([...before, ...accepted]);
    gained = coveredSeconds(merged) - beforeSeconds;
  }
  return { ranges: merged, watchedSeconds: coveredSeconds(merged), gained, capped: gained < coveredSeconds(mergeRanges([...before, ...clipped])) - beforeSeconds };
}

/** Parts of `range` not covered by the (merged) `ranges`. */
export function subtractRanges([s, e]: Range, ranges: Range[]): Range[] {
  const out: Range[] = [];
  let cursor = s;
  for (const [rs, re] of ranges) {
    if (re <= cursor) continue;
    if (rs >= e) break;
    if (rs > cursor) out.push([cursor, Math.min(rs, e)]);
    cursor = Math.max(cursor, re);
    if (cursor >= e) break;
  }
  if (cursor < e) out.push([cursor, e]);
  return out;
}
