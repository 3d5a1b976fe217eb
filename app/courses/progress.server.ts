import { and, eq, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import { db, driver } from "~/db/client.server";
import { sessionStillValid, sessionStillValidSql } from "~/auth/remembered-sessions.server";
import { createBatcher } from "~/db/batcher.server";
import { hotQuery } from "~/db/hot-query.server";
import { emitStudyEvent } from "./events.server";
import { lessonEntry } from "./lesson-cache.server";
import { courseCompletions, lessonProgress, lessons, studyDays } from "~/db/schema";
import { pointsDay } from "~/points/rules";
import {
  applyReport,
  creditHoursFor,
  FIRST_REPORT_ALLOWANCE,
  MAX_PLAYBACK_RATE,
  minimumReadingSeconds,
  READING_CHARS_PER_MINUTE,
  REPORT_SLACK_SECONDS,
  type Range,
} from "./rules";

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

export type Completion = { lessonCompleted: boolean; courseCompleted: boolean; creditHours: number | null; courseId: number };

/**
 * Marks a lesson complete (once; later calls only raise the best score) and, when it was the
 * course's last open lesson, completes the course with its credit hours. Idempotent.
 * Pass `tx` when already inside a transaction (PGlite has one connection: never use `db` there).
 */
export async function completeLesson(
  userId: number,
  lessonId: number,
  { score, now = new Date(), tx }: { score?: number; now?: Date; tx?: Tx } = {},
): Promise<Completion> {
  const run = async (t: Tx) => {
    const [lesson] = await t.select({ courseId: lessons.courseId, kind: lessons.kind }).from(lessons).where(eq(lessons.id, lessonId));
    if (!lesson) throw new Error(`lesson ${lessonId} does not exist`);
    const [before] = await t
      .select({ completedAt: lessonProgress.completedAt, userId: lessonProgress.userId })
      .from(lessonProgress)
      .where(and(eq(lessonProgress.userId, userId), eq(lessonProgress.lessonId, lessonId)))
      .for("update");
    await t
      .insert(lessonProgress)
      .values({ userId, lessonId, completedAt: now, bestScore: score ?? null, updatedAt: now })
      .onConflictDoUpdate({
        target: [lessonProgress.userId, lessonProgress.lessonId],
        set: {
          completedAt: sql`coalesce(${lessonProgress.completedAt}, ${now})`,
          version: sql`${lessonProgress.version} + 1`,
          bestScore: score === undefined ? sql`${lessonProgress.bestScore}` : sql`greatest(${lessonProgress.bestScore}, ${score})`,
          updatedAt: now,
        },
      });
    const lessonCompleted = !before?.completedAt;
    if (!lessonCompleted) return { lessonCompleted, courseCompleted: false, creditHours: null, courseId: lesson.courseId };
    if (!before) await emitStudyEvent(t, "lessonStarted", { userId, lessonId, courseId: lesson.courseId, at: now });
    await emitStudyEvent(t, "lessonCompleted", { userId, lessonId, courseId: lesson.courseId, kind: lesson.kind, at: now });
    const course = await completeCourseIfDone(t, userId, lesson.courseId, now);
    if (course.courseCompleted) {
      await emitStudyEvent(t, "courseCompleted", { userId, courseId: lesson.courseId, creditHours: course.creditHours!, at: now });
    }
    return { lessonCompleted, ...course, courseId: lesson.courseId };
  };
  return tx ? run(tx) : db.transaction(run);
}

async function completeCourseIfDone(t: Tx, userId: number, courseId: number, now: Date) {
  const [summary] = await t
    .select({
      total: sql<number>`count(*)::int`,
      done: sql<number>`count(${lessonProgress.completedAt})::int`,
      seconds: sql<number>`coalesce(sum(${lessons.durationSeconds}), 0)::int`,
      quizzes: sql<number>`count(*) filter (where ${lessons.kind} = 'quiz')::int`,
    })
    .from(lessons)
    .leftJoin(
      lessonProgress,
      and(eq(lessonProgress.lessonId, lessons.id), eq(lessonProgress.userId, userId), isNotNull(lessonProgress.completedAt)),
    )
    .where(eq(lessons.courseId, courseId));
  if (!summary || summary.total === 0 || summary.done < summary.total) return { courseCompleted: false, creditHours: null };
  // Every quiz lesson is complete only once passed, so a course with a quiz earns the test bonus.
  const creditHours = creditHoursFor(summary.seconds, summary.quizzes > 0);
  const inserted = await t
    .insert(courseCompletions)
    .values({ userId, courseId, creditHours: creditHours.toFixed(2), completedAt: now })
    .onConflictDoNothing()
    .returning({ userId: courseCompletions.userId });
  return { courseCompleted: inserted.length > 0, creditHours: inserted.length > 0 ? creditHours : null };
}

export const progressReportSchema = z.object({
  lessonId: z.number().int().positive(),
  /** The client's clock (ms) when the report was made; orders reports from one device. */
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** Video: watched ranges of the video (s). Reading: wall-clock ranges (epoch s) the page was active. */
  ranges: z.array(z.tuple([z.number().finite(), z.number().finite()])).max(500),
  position: z.number().finite().min(0).max(1e6).optional(),
  reachedEnd: z.boolean().optional(),
});
export type ProgressReport = z.infer<typeof progressReportSchema>;

// Lessons change rarely; progress reports arrive every few seconds per member.
async function lessonMeta(lessonId: number) {
  return (await lessonEntry(lessonId))?.lesson ?? null;
}

function readingCharsPerMinute() {
  const configured = Number(process.env.READING_CHARS_PER_MINUTE);
  return Number.isFinite(configured) && configured > 0 ? configured : READING_CHARS_PER_MINUTE;
}

export type ProgressState = {
  studiedSeconds: number;
  requiredSeconds: number;
  completed: boolean;
  justCompleted: Completion | null;
  capped: boolean;
};

const progressColumns = {
  ranges: lessonProgress.watchedRanges,
  lastReportAt: lessonProgress.lastReportAt,
  lastSeq: lessonProgress.lastSeq,
  reachedEnd: lessonProgress.reachedEnd,
  completedAt: lessonProgress.completedAt,
  version: lessonProgress.version,
  positionSeconds: lessonProgress.positionSeconds,
};
type Row = { ranges: Range[]; lastReportAt: Date | null; lastSeq: number; reachedEnd: boolean; completedAt: Date | null; version: number; positionSeconds: number };

// The row as this process last read or wrote it, per member and lesson: it saves the read on the
// hot path. Only a guess: the write compares-and-sets on the row's version, so a row changed since
// (another instance, a completion, a second device) fails the write and is read again.
const known = new Map<string, Row>();
const KNOWN_MAX = 20_000;

function remember(key: string, row: Row) {
  known.delete(key);
  if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value!);
  known.set(key, row);
}

/**
 * Applies one progress report. Ranges are unions, so a repeated or late report adds nothing;
 * the position only moves for a newer report. Concurrent reports of one member (two devices)
 * compare-and-set on the row's version; after a few lost races the report takes a row lock.
 * The steady state is one statement: the compare-and-set update, with the day's study time
 * added in the same statement when the report brought new seconds.
 * With `session` (app/auth/remembered-sessions.server.ts), the write also re-checks that the session
 * is still the member's, in that unit; when it is not, nothing is written and the answer is "signedOut".
 */
export function reportProgress(userId: number, report: ProgressReport, now?: Date): Promise<ProgressState | null>;
export function reportProgress(userId: number, report: ProgressReport, now: Date, session: SessionCheck): Promise<ProgressState | null | "signedOut">;
export function reportProgress(
  userId: number,
  report: ProgressReport,
  now = new Date(),
  session?: SessionCheck,
): Promise<ProgressState | null | "signedOut"> {
  return oneAtATime(`${userId}:${report.lessonId}`, () => applyProgress(userId, report, now, session));
}

export type SessionCheck = { sessionId: string; unitId: number };

// Reports of one member on one lesson that reach this process together (a resent queue, two
// tabs) run one after another: each then writes on the row the previous one left, instead of
// all but one losing the compare-and-set and reading again. Across instances the CAS still rules.
const running = new Map<string, Promise<unknown>>();

function oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
  const result = (running.get(key) ?? Promise.resolve()).then(task);
  const settled = result.catch(() => {});
  running.set(key, settled);
  void settled.then(() => {
    if (running.get(key) === settled) running.delete(key);
  });
  return result;
}

async function applyProgress(userId: number, report: ProgressReport, now: Date, session?: SessionCheck): Promise<ProgressState | null | "signedOut"> {
  const meta = await lessonMeta(report.lessonId);
  if (!meta || meta.kind === "quiz") return null;
  const isVideo = meta.kind === "video";
  const requiredSeconds = isVideo
    ? meta.durationSeconds * meta.completionThreshold
    : minimumReadingSeconds(meta.readingChars ?? 0, readingCharsPerMinute());
  const where = and(eq(lessonProgress.userId, userId), eq(lessonProgress.lessonId, report.lessonId));
  const key = `${userId}:${report.lessonId}`;

  const apply = (row: Row | undefined) => {
    const applied = applyReport(
      { ranges: row?.ranges ?? [], lastReportAt: row?.lastReportAt ?? null },
      report.ranges as Range[],
      isVideo
        ? { clip: [0, meta.durationSeconds], rate: MAX_PLAYBACK_RATE, now }
        : // Active reading time cannot lie in the future; the first report covers ~10 s.
          { clip: [0, now.getTime() / 1000 + REPORT_SLACK_SECONDS], rate: 1, now, firstReportAllowance: FIRST_REPORT_ALLOWANCE / 2 },
    );
    const newer = report.seq >= (row?.lastSeq ?? 0);
    const values = {
      watchedRanges: applied.ranges,
      watchedSeconds: isVideo ? applied.seconds : 0,
      activeSeconds: isVideo ? 0 : Math.floor(applied.seconds),
      positionSeconds: newer && report.position !== undefined ? report.position : (row?.positionSeconds ?? 0),
      reachedEnd: (row?.reachedEnd ?? false) || Boolean(report.reachedEnd),
      lastSeq: newer ? report.seq : (row?.lastSeq ?? 0),
      lastReportAt: now,
      updatedAt: now,
      version: (row?.version ?? 0) + 1,
    };
    const done = applied.seconds >= requiredSeconds - 1e-6 && (isVideo || values.reachedEnd);
    return { applied, values, done };
  };
  const settle = async (row: Row | undefined, outcome: ReturnType<typeof apply>, tx?: Tx): Promise<ProgressState> => {
    const { values } = outcome;
    const completes = outcome.done && !row?.completedAt;
    const justCompleted = completes ? await completeLesson(userId, report.lessonId, { now, tx }) : null;
    // A completion bumped the version again: read the row next time.
    if (completes) known.delete(key);
    else remember(key, { ranges: values.watchedRanges, lastReportAt: now, lastSeq: values.lastSeq, reachedEnd: values.reachedEnd, completedAt: row?.completedAt ?? null, version: values.version, positionSeconds: values.positionSeconds });
    return {
      studiedSeconds: outcome.applied.seconds,
      requiredSeconds,
      completed: outcome.done || Boolean(row?.completedAt),
      justCompleted,
      capped: outcome.applied.capped,
    };
  };

  // The paths of more than one statement check the session first.
  const signedIn = async () => !session || (await sessionStillValid(session.sessionId, { id: userId, unitId: session.unitId }));

  for (let attempt = 0; attempt < 3; attempt++) {
    const guess = attempt === 0 ? known.get(key) : undefined;
    const row: Row | undefined = guess ?? (await db.select(progressColumns).from(lessonProgress).where(where))[0];
    const outcome = apply(row);
    if (!row && !(await signedIn())) return "signedOut";
    const written = row
      ? await compareAndSet(userId, report.lessonId, row.version, outcome.values, outcome.applied.gained, now, session)
      : await db.transaction(async (tx) => {
          const inserted = await tx
            .insert(lessonProgress)
            .values({ userId, lessonId: report.lessonId, ...outcome.values })
            .onConflictDoNothing()
            .returning({ userId: lessonProgress.userId });
          if (inserted.length === 0) return false;
          await emitStudyEvent(tx, "lessonStarted", { userId, lessonId: report.lessonId, courseId: meta.courseId, at: now });
          await addStudySeconds(userId, outcome.applied.gained, now, tx);
          return true;
        });
    if (written === "signedOut") return written;
    if (!written) {
      known.delete(key);
      // A stale guess is not a lost race.
      if (guess) attempt--;
      continue;
    }
    return settle(row, outcome);
  }
  if (!(await signedIn())) return "signedOut";
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(lessonProgress)
      .values({ userId, lessonId: report.lessonId, updatedAt: now })
      .onConflictDoNothing()
      .returning({ userId: lessonProgress.userId });
    if (inserted.length) await emitStudyEvent(tx, "lessonStarted", { userId, lessonId: report.lessonId, courseId: meta.courseId, at: now });
    const [row] = await tx.select(progressColumns).from(lessonProgress).where(where).for("update");
    const outcome = apply(row);
    await tx.update(lessonProgress).set(outcome.values).where(where);
    await addStudySeconds(userId, outcome.applied.gained, now, tx);
    return settle(row, outcome, tx);
  });
}

type ProgressValues = {
  watchedRanges: Range[];
  watchedSeconds: number;
  activeSeconds: number;
  positionSeconds: number;
  reachedEnd: boolean;
  lastSeq: number;
  lastReportAt: Date;
  updatedAt: Date;
  version: number;
};

// The compare-and-set of reports, with their new seconds added to the day's study time in the
// same statement (a data-modifying CTE), so they count exactly when the report is applied; with a
// session (in a unit), only while that session is still the member's. Reports that reach the
// database together are written by one statement (app/db/batcher.server.ts); one member's reports
// on one lesson never share a statement (`oneAtATime`).
const COMPARE_AND_SET_SQL = `
  with r as (
    select * from jsonb_to_recordset($1::jsonb) as t(
      k int, user_id int, lesson_id int, version int, ranges jsonb, watched real, active int, position real,
      reached_end boolean, last_seq bigint, at timestamptz, next_version int, day date, seconds float8, session text, unit_id int)),
  checked as (
    select r.*, r.session is null or ${sessionStillValidSql("r.session", "r.user_id", "r.unit_id")} as signed_in from r),
  p as (
    update lesson_progress lp
    set watched_ranges = c.ranges, watched_seconds = c.watched, active_seconds = c.active, position_seconds = c.position,
        reached_end = c.reached_end, last_seq = c.last_seq, last_report_at = c.at, updated_at = c.at, version = c.next_version
    from checked c
    where lp.user_id = c.user_id and lp.lesson_id = c.lesson_id and lp.version = c.version and c.signed_in
    returning c.k, c.user_id, c.day, c.seconds),
  s as (
    insert into study_days (user_id, day, seconds)
    select user_id, day, sum(seconds) from p where seconds > 0 group by user_id, day
    on conflict (user_id, day) do update set seconds = study_days.seconds + excluded.seconds
    returning user_id, day, seconds)
  select c.k, c.signed_in, exists (select 1 from p where p.k = c.k) as written,
         (select s.seconds from s where s.user_id = c.user_id and s.day = c.day) as day_seconds,
         (select sum(p.seconds) from p where p.user_id = c.user_id and p.day = c.day and p.seconds > 0) as added_seconds
  from checked c`;

type CompareAndSet = {
  user_id: number;
  lesson_id: number;
  version: number;
  ranges: Range[];
  watched: number;
  active: number;
  position: number;
  reached_end: boolean;
  last_seq: number;
  at: Date;
  next_version: number;
  day: string;
  seconds: number;
  session: string | null;
  unit_id: number | null;
};
type CompareAndSetRow = { k: number; signed_in: boolean; written: boolean; day_seconds: number | null; added_seconds: number | null };

// Several reports of one member in a group (different lessons) add to one day: the day's total
// before and after the group goes with the first of them, which tells the listeners when a minute
// was passed; the others tell nothing.
type Written = CompareAndSetRow & { dayTotal: { before: number; after: number } | null };

const compareAndSets = createBatcher(
  async (items: CompareAndSet[]): Promise<Written[]> => {
    const rows = await hotQuery<CompareAndSetRow>("progress_compare_and_set", COMPARE_AND_SET_SQL, [JSON.stringify(items.map((item, k) => ({ ...item, k })))]);
    const byK = new Map(rows.map((row) => [Number(row.k), row]));
    const carried = new Set<string>();
    return items.map((item, k) => {
      const row = byK.get(k)!;
      const day = `${item.user_id}:${item.day}`;
      if (!row.written || row.day_seconds === null || row.added_seconds === null || carried.has(day)) return { ...row, dayTotal: null };
      carried.add(day);
      return { ...row, dayTotal: { before: row.day_seconds - row.added_seconds, after: row.day_seconds } };
    });
  },
  // PGlite runs one statement at a time anyway; PostgreSQL takes a few groups at once, so one
  // group waiting on a row lock does not hold up every report behind it.
  { concurrency: driver.kind === "pg" ? 3 : 1 },
);

/** The compare-and-set write of a report: false when the row's version moved on. */
async function compareAndSet(
  userId: number,
  lessonId: number,
  version: number,
  values: ProgressValues,
  gained: number,
  now: Date,
  session: SessionCheck | undefined,
): Promise<boolean | "signedOut"> {
  const row = await compareAndSets.write({
    user_id: userId,
    lesson_id: lessonId,
    version,
    ranges: values.watchedRanges,
    watched: values.watchedSeconds,
    active: values.activeSeconds,
    position: values.positionSeconds,
    reached_end: values.reachedEnd,
    last_seq: values.lastSeq,
    at: values.lastReportAt,
    next_version: values.version,
    day: pointsDay(now),
    seconds: gained > 0 ? gained : 0,
    session: session?.sessionId ?? null,
    unit_id: session?.unitId ?? null,
  });
  if (!row.signed_in) return "signedOut";
  if (row.dayTotal) await studyTimeGrew(userId, pointsDay(now), row.dayTotal.before, row.dayTotal.after, now);
  return row.written;
}

/** Adds a report's new seconds to the member's study time of the day, inside `tx`. */
async function addStudySeconds(userId: number, seconds: number, now: Date, tx: Tx) {
  if (!(seconds > 0)) return;
  const day = pointsDay(now);
  const [row] = await tx
    .insert(studyDays)
    .values({ userId, day, seconds })
    .onConflictDoUpdate({ target: [studyDays.userId, studyDays.day], set: { seconds: sql`${studyDays.seconds} + excluded.seconds` } })
    .returning({ seconds: studyDays.seconds });
  await studyTimeGrew(userId, day, row.seconds - seconds, row.seconds, now, tx);
}

/** Tells the listeners whenever the day's study time passes a whole minute. */
async function studyTimeGrew(userId: number, day: string, secondsBefore: number, secondsToday: number, now: Date, tx?: Tx) {
  if (Math.floor(secondsToday / 60) <= Math.floor(secondsBefore / 60)) return;
  const event = { userId, day, secondsBefore, secondsToday, at: now };
  await (tx ? emitStudyEvent(tx, "studyTime", event) : db.transaction((t) => emitStudyEvent(t, "studyTime", event)));
}
