// Names and arithmetic of the unit aggregates (table unit_stats), shared by the server and the
// browser. A unit's row holds the figures of its OWN members; a subtree's figure is the sum of
// the rows of its units, so it is the same whichever level it is read from.
//
//   "members"          { total, cadres, full, probationary, activist, staff }   active members
//   "assignment:ID"    { assigned, in_progress, completed, lessons }          one assignment
//   "adays:ID"         { "2026-03-10": n, … }   completions of the assignment per day (China time);
//                      the one metric stored per unit as its whole SUBTREE's sum (kept on every
//                      unit above the member too), so a chart reads one row however big the tree
//   "credit:YEAR"      { started, met, hours, b0…b9, m1…m12 }                  credit hours (学时)
//
// hours and m1…m12 are hundredths of a credit hour; b0…b9 count members who started but have not
// met their requirement, by tenths of it reached (b3: 30–40 %).

export type Counts = Record<string, number>;

export const MEMBERS_METRIC = "members";
export const assignmentMetric = (assignmentId: number) => `assignment:${assignmentId}`;
export const assignmentDaysMetric = (assignmentId: number) => `adays:${assignmentId}`;
/** Metrics whose row already holds the unit's subtree (not summed over units when read). */
export const isSubtreeMetric = (metric: string) => metric.startsWith("adays:");
export const creditMetric = (year: number) => `credit:${year}`;

export const ASSIGNMENT_KEYS = ["assigned", "in_progress", "completed", "lessons"] as const;
export const MEMBER_KEYS = ["total", "cadres", "full", "probationary", "activist", "staff"] as const;
export const BUCKET_KEYS = Array.from({ length: 10 }, (_, i) => `b${i}`);
export const MONTH_KEYS = Array.from({ length: 12 }, (_, i) => `m${i + 1}`);
export const CREDIT_KEYS = ["started", "met", "hours", ...BUCKET_KEYS, ...MONTH_KEYS];

const CHINA_OFFSET_MS = 8 * 3600_000;

/** The calendar day in China (UTC+8, no daylight saving) as YYYY-MM-DD. */
export function chinaDay(at: Date = new Date()) {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

export function chinaYearOf(at: Date = new Date()) {
  return new Date(at.getTime() + CHINA_OFFSET_MS).getUTCFullYear();
}

/** Adds `days` to a YYYY-MM-DD day. */
export function addDays(day: string, days: number) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (YYYY-MM-DD). */
export function daysBetween(from: string, to: string) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Fraction of the China calendar year `year` elapsed at `now`: 0 before it, 1 after it. */
export function yearElapsed(year: number, now: Date = new Date()) {
  const start = Date.UTC(year, 0, 1) - CHINA_OFFSET_MS;
  const end = Date.UTC(year + 1, 0, 1) - CHINA_OFFSET_MS;
  return Math.min(1, Math.max(0, (now.getTime() - start) / (end - start)));
}

/** Credit-hour bucket of a member who has started: 10 = requirement met, else tenths reached. */
export function creditBucket(hundredths: number, requirementHours: number) {
  if (hundredths >= requirementHours * 100) return 10;
  return Math.min(9, Math.floor((hundredths * 10) / (requirementHours * 100)));
}

export function addCounts(target: Counts, add: Counts, sign = 1) {
  for (const [k, v] of Object.entries(add)) {
    if (!v) continue;
    const next = (target[k] ?? 0) + sign * v;
    if (next === 0) delete target[k];
    else target[k] = next;
  }
  return target;
}

export type AssignmentFigures = {
  assigned: number;
  completed: number;
  inProgress: number;
  notStarted: number;
  overdue: number;
  lessons: number;
  /** Completed / assigned, 0–1; null with nobody assigned. */
  rate: number | null;
};

/** Figures of an assignment from summed counts; overdue = not completed once the due day has passed. */
export function assignmentFigures(counts: Counts, dueOn: string, today: string): AssignmentFigures {
  const assigned = counts.assigned ?? 0;
  const completed = counts.completed ?? 0;
  const inProgress = counts.in_progress ?? 0;
  return {
    assigned,
    completed,
    inProgress,
    notStarted: Math.max(0, assigned - completed - inProgress),
    overdue: today > dueOn ? assigned - completed : 0,
    lessons: counts.lessons ?? 0,
    rate: assigned > 0 ? completed / assigned : null,
  };
}

export type CreditFigures = {
  members: number;
  /** Met the yearly requirement. */
  completed: number;
  inProgress: number;
  notStarted: number;
  /**
   * Behind: in the current year, members below the pace (the share of the year gone, in whole
   * tenths: in mid-May, 30 %); after the year, members who did not meet the requirement.
   */
  overdue: number;
  hours: number;
  perMonth: number[];
  rate: number | null;
  /** The pace used for `overdue`, 0–1. */
  pace: number;
};

export function creditFigures(members: Counts, credit: Counts, year: number, now: Date = new Date()): CreditFigures {
  const total = members.total ?? 0;
  const started = credit.started ?? 0;
  const met = credit.met ?? 0;
  const elapsed = yearElapsed(year, now);
  const paceTenths = elapsed >= 1 ? 10 : Math.floor(elapsed * 10);
  let behind = 0;
  if (paceTenths >= 10) behind = total - met;
  else if (paceTenths > 0) {
    behind = Math.max(0, total - started);
    for (let k = 0; k < paceTenths; k++) behind += credit[`b${k}`] ?? 0;
  }
  return {
    members: total,
    completed: met,
    inProgress: Math.max(0, started - met),
    notStarted: Math.max(0, total - started),
    overdue: Math.max(0, behind),
    hours: (credit.hours ?? 0) / 100,
    perMonth: MONTH_KEYS.map((k) => (credit[k] ?? 0) / 100),
    rate: total > 0 ? met / total : null,
    pace: paceTenths / 10,
  };
}

/** Daily completions and the running total, from a "adays:ID" sum, over [from, to]. */
export function dailySeries(days: Counts, from: string, to: string, maxDays = 400) {
  const keys = Object.keys(days).sort();
  // Completions before the window (members who had already finished the courses) start the total.
  let cumulative = 0;
  for (const k of keys) if (k < from) cumulative += days[k];
  const out: { day: string; count: number; cumulative: number }[] = [];
  // Stepping a timestamp: parsing and formatting a day string per step cost more than the rest of a dashboard.
  const last = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`), i = 0; t <= last && i < maxDays; t += 86_400_000, i++) {
    const d = new Date(t);
    const month = d.getUTCMonth() + 1;
    const date = d.getUTCDate();
    const day = `${d.getUTCFullYear()}-${month < 10 ? "0" : ""}${month}-${date < 10 ? "0" : ""}${date}`;
    const count = days[day] ?? 0;
    cumulative += count;
    out.push({ day, count, cumulative });
  }
  return out;
}

/** Member-list filters (the same words for an assignment and for credit hours). */
export const ASSIGNMENT_FILTERS = ["all", "unfinished", "not_started", "in_progress", "completed", "overdue"] as const;
export type AssignmentFilter = (typeof ASSIGNMENT_FILTERS)[number];

/** Columns a dashboard table sorts by. */
export const SORT_KEYS = ["name", "assigned", "completed", "inProgress", "notStarted", "overdue", "rate"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** A completion rate for display: one decimal percent, or a dash with nobody assigned. */
export function formatRate(rate: number | null) {
  return rate === null ? "—" : `${Math.round(rate * 1000) / 10}%`;
}
