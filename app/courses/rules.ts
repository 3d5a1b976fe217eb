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
 * Adds reported ranges to what the server already has. The new seconds a report may add are
 * capped by wall-clock time since the previous report × `rate` (plus a small slack), so a
 * forged report, a seek to the end or a replay cannot complete a lesson. Used for video
 * (ranges of the video's timeline, rate 2) and for reading (ranges of wall-clock time in
 * which the page was active, rate 1).
 */
export function applyReport(
  stored: { ranges: Range[]; lastReportAt: Date | null },
  reported: Range[],
  { clip, rate, now, firstReportAllowance = FIRST_REPORT_ALLOWANCE }: { clip: Range; rate: number; now: Date; firstReportAllowance?: number },
) {
  const clipped = reported.map(([s, e]): Range => [Math.max(clip[0], s), Math.min(clip[1], e)]);
  const before = mergeRanges(stored.ranges);
  const beforeSeconds = coveredSeconds(before);
  const elapsed = stored.lastReportAt ? Math.max(0, (now.getTime() - stored.lastReportAt.getTime()) / 1000) : 0;
  const budget = (stored.lastReportAt ? elapsed * rate : firstReportAllowance) + REPORT_SLACK_SECONDS;
  const claimed = coveredSeconds(mergeRanges([...before, ...clipped])) - beforeSeconds;
  if (claimed <= budget) {
    const ranges = mergeRanges([...before, ...clipped]);
    return { ranges, seconds: coveredSeconds(ranges), gained: claimed, capped: false };
  }
  // Keep the new seconds in the order they were reported until the budget runs out.
  let left = budget;
  const accepted: Range[] = [];
  for (const [s, e] of clipped) {
    if (left <= 0) break;
    for (const [fs, fe] of subtractRanges([s, e], mergeRanges([...before, ...accepted]))) {
      if (left <= 0) break;
      const take = Math.min(fe - fs, left);
      accepted.push([fs, fs + take]);
      left -= take;
    }
  }
  const ranges = mergeRanges([...before, ...accepted]);
  return { ranges, seconds: coveredSeconds(ranges), gained: coveredSeconds(ranges) - beforeSeconds, capped: true };
}

/** A video report: ranges of the video's own timeline, playback up to 2×. */
export function applyWatchReport(stored: { ranges: Range[]; lastReportAt: Date | null }, reported: Range[], duration: number, now: Date) {
  const r = applyReport(stored, reported, { clip: [0, duration], rate: MAX_PLAYBACK_RATE, now });
  return { ranges: r.ranges, watchedSeconds: r.seconds, gained: r.gained, capped: r.capped };
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
