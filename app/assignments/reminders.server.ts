// Reminders about assignments: the organiser's "remind" button (at most once a day per member and
// assignment), and a daily job that reminds members three days before and on the due day (once
// each: the dedupe key names the assignment and the occasion). The job runs at 08:00 China time
// and schedules its next run itself; with several instances, one job is queued at a time.
import { sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { enqueueJob, registerJobHandler } from "~/jobs/queue.server";
import type { Locale } from "~/i18n/messages";
import { reconcileMembers, rowsOf } from "~/stats/aggregate.server";
import { memberList, type AssignmentFilter } from "~/stats/dashboard.server";
import { addDays, chinaDay, daysBetween } from "~/stats/metrics";
import { notify, type NewNotification } from "./notifications.server";
import { translate } from "~/i18n/messages";

export const REMINDER_JOB = "assignment-reminders";
/** Days before the due day of the early reminder. */
export const EARLY_REMINDER_DAYS = 3;

type Target = { id: number; title: string; dueOn: string };

function message(locale: Locale, occasion: "manual" | "due3" | "due0", a: Target, today: string) {
  const vars = { title: a.title, due: a.dueOn, days: Math.max(0, daysBetween(today, a.dueOn)) };
  if (occasion === "manual") return { title: translate(locale, "notify.remind.title", vars), body: translate(locale, "notify.remind.body", vars) };
  if (occasion === "due3") return { title: translate(locale, "notify.due3.title", vars), body: translate(locale, "notify.due3.body", vars) };
  return { title: translate(locale, "notify.due0.title", vars), body: translate(locale, "notify.due0.body", vars) };
}

async function localesOf(userIds: number[]) {
  if (userIds.length === 0) return new Map<number, Locale>();
  const result = await db.execute(sql`select id, locale from users where id = any(${sql.param(userIds)}::int[])`);
  return new Map(rowsOf<{ id: number; locale: string | null }>(result).map((r) => [Number(r.id), r.locale === "en" ? ("en" as const) : ("zh-CN" as const)]));
}

async function remind(a: Target, userIds: number[], occasion: "manual" | "due3" | "due0", dedupeKey: string, today: string) {
  const locales = await localesOf(userIds);
  const items: NewNotification[] = userIds.map((userId) => ({
    userId,
    kind: `assignment.${occasion}`,
    ...message(locales.get(userId) ?? "zh-CN", occasion, a, today),
    link: "/",
    dedupeKey,
    data: { assignmentId: a.id, occasion },
  }));
  return notify(items);
}

/**
 * The organiser's button: reminds the unfinished members of the list they are looking at (a
 * subtree `unitCode` in their scope, a status filter). Once a day per member and assignment.
 */
export async function remindUnfinished(a: Target, unitCode: string, filter: AssignmentFilter, now = new Date()) {
  const wanted: AssignmentFilter = filter === "completed" || filter === "all" ? "unfinished" : filter;
  const { rows } = await memberList(unitCode, { kind: "assignment", id: a.id, dueOn: a.dueOn }, { filter: wanted, limit: null, now });
  const today = chinaDay(now);
  return remind(
    a,
    rows.filter((r) => r.state !== "completed").map((r) => r.userId),
    "manual",
    `assign:${a.id}:manual:${today}`,
    today,
  );
}

/**
 * The daily run: assignments due within three days (that have started) remind their unfinished
 * members once ("due3"; a later-created assignment still gets it), and those due today once more
 * ("due0"). Members whose figures are stale are reconciled first, so the lists are right.
 */
export async function runDailyReminders(now = new Date()) {
  await reconcileMembers();
  const today = chinaDay(now);
  const due = rowsOf<{ id: number; title: string; due_on: string }>(
    await db.execute(sql`
      select id, title, due_on::text as due_on from assignments
      where starts_on <= ${today}::date and due_on >= ${today}::date and due_on <= ${addDays(today, EARLY_REMINDER_DAYS)}::date
      order by id`),
  );
  let sent = 0;
  let skipped = 0;
  for (const row of due) {
    const a = { id: Number(row.id), title: row.title, dueOn: row.due_on };
    const unfinished = rowsOf<{ user_id: number }>(
      await db.execute(sql`select user_id from assignment_members where assignment_id = ${a.id} and status <> 'completed' order by user_id`),
    ).map((r) => Number(r.user_id));
    // Due today: the "due today" reminder; due within three days: the early one.
    const occasion = a.dueOn === today ? "due0" : "due3";
    const r = await remind(a, unfinished, occasion, `assign:${a.id}:${occasion}`, today);
    sent += r.sent;
    skipped += r.skipped;
  }
  return { assignments: due.length, sent, skipped };
}

/** 08:00 China time (00:00 UTC) on the day after `now`'s, or today's if not yet reached. */
export function nextRunAt(now = new Date()) {
  const today = chinaDay(now);
  const todayRun = new Date(`${today}T00:00:00Z`);
  return todayRun.getTime() > now.getTime() ? todayRun : new Date(`${addDays(today, 1)}T00:00:00Z`);
}

const SCHEDULE_LOCK = 72_002;

/**
 * Queues the reminder job for `runAt` unless one is already queued (other than `exceptJobId`,
 * the job that is scheduling its successor). A transaction-scoped advisory lock makes two
 * instances doing this at once queue one job.
 */
export async function scheduleReminderJob(runAt: Date, { exceptJobId }: { exceptJobId?: number } = {}) {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SCHEDULE_LOCK})`);
    const existing = rowsOf<{ id: number }>(
      await tx.execute(sql`
        select id from jobs where kind = ${REMINDER_JOB} and status = 'queued'
        ${exceptJobId === undefined ? sql`` : sql`and id <> ${exceptJobId}`} limit 1`),
    );
    if (existing.length) return null;
    return enqueueJob(REMINDER_JOB, {}, { runAt, tx });
  });
}

/**
 * Call once when the worker starts: makes sure the daily job is queued. When none is, it runs at
 * once (reminders are idempotent) and then every day at 08:00.
 */
export async function ensureReminderSchedule(now = new Date()) {
  const running = rowsOf<{ id: number }>(
    await db.execute(sql`select id from jobs where kind = ${REMINDER_JOB} and status in ('queued', 'running') limit 1`),
  );
  if (running.length) return null;
  return scheduleReminderJob(now);
}

registerJobHandler(
  REMINDER_JOB,
  async (_payload, ctx) => {
    const report = await runDailyReminders();
    if (report.sent) console.log(`assignment reminders: ${report.sent} sent for ${report.assignments} assignment(s)`);
    await scheduleReminderJob(nextRunAt(), { exceptJobId: ctx.jobId });
  },
  {
    // Failed for good: tomorrow's run is still queued (the chain must not break).
    onFailed: async ({ tx }) => {
      await enqueueJob(REMINDER_JOB, {}, { runAt: nextRunAt(), tx });
    },
  },
);
