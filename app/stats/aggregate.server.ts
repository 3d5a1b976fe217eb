// Unit aggregates kept up to date as progress arrives.
//
// Three kinds of per-member records say how each member is counted, each carrying the unit it is
// counted in: stat_members (membership), assignment_members (one row per member an assignment
// applies to: status, lessons done), member_credits (credit hours of a year). unit_stats holds,
// per unit and metric, the sum of the records of that unit (see ./metrics.ts). Every change to a
// record changes unit_stats by the record's contribution, old out and new in, in the same
// transaction — so unit_stats always equals the sum of the records, and the records are
// recomputed from the raw data (lesson_progress, course_completions, users) whenever they are
// touched. rebuildStats (./rebuild.server.ts) recomputes everything with the same SQL.
import { sql, type SQL } from "drizzle-orm";
import type { Tx } from "~/courses/events.server";
import { db, driver } from "~/db/client.server";
import { CODE_SEGMENT } from "~/org/kinds";
import { yearlyRequirement } from "~/courses/rules";
import {
  addCounts,
  assignmentDaysMetric,
  assignmentMetric,
  chinaDay,
  creditBucket,
  creditMetric,
  isSubtreeMetric,
  MEMBERS_METRIC,
  type Counts,
} from "./metrics";

export type Executor = typeof db | Tx;

export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** Runs `fn` in a transaction: the given one, or a new one when `ex` is the database. */
export async function inTransaction<T>(ex: Executor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (ex === db) return db.transaction(fn);
  return fn(ex as Tx);
}

const isPostgres = () => driver.kind === "pg";

// Advisory lock namespace for "this member's records" (two progress reports of one member on two
// devices would otherwise both diff against the same old records).
const MEMBER_LOCK_NS = 72_001;

/**
 * Taken by every transaction that changes records (listeners, member syncs). Whole-table
 * recomputations (a new assignment, a rebuild) take a conflicting lock, so they see every
 * committed change and no listener runs against records they are replacing. PGlite has a single
 * connection: transactions cannot overlap there, so no locks are needed.
 */
async function lockForMember(tx: Tx, userId: number) {
  if (!isPostgres()) return;
  await tx.execute(
    sql.raw(
      `lock table stat_members, assignment_members, member_credits in row exclusive mode; select pg_advisory_xact_lock(${MEMBER_LOCK_NS}, ${Math.trunc(userId)})`,
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Deltas of unit_stats

export class Deltas {
  private map = new Map<string, { unitId: number; metric: string; counts: Counts }>();
  add(unitId: number, metric: string, counts: Counts, sign = 1) {
    const key = `${unitId}|${metric}`;
    let entry = this.map.get(key);
    if (!entry) {
      entry = { unitId, metric, counts: {} };
      this.map.set(key, entry);
    }
    addCounts(entry.counts, counts, sign);
  }
  entries() {
    return [...this.map.values()]
      .filter((e) => Object.keys(e.counts).length > 0)
      .sort((a, b) => a.unitId - b.unitId || (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  }
}

const UNIT_STATS_UPSERT = sql`
    on conflict (unit_id, metric) do update set
      counts = (
        select coalesce(jsonb_object_agg(k, v), '{}'::jsonb) from (
          select k, sum(v) as v from (
            select key as k, value::numeric as v from jsonb_each_text(unit_stats.counts)
            union all
            select key, value::numeric from jsonb_each_text(excluded.counts)
          ) parts group by k
        ) summed where v <> 0
      ),
      updated_at = now()`;

function deltasSql(entries: ReturnType<Deltas["entries"]>) {
  const payload = JSON.stringify(entries.map((e) => [e.unitId, e.metric, e.counts]));
  return sql`
    insert into unit_stats (unit_id, metric, counts, updated_at)
    select (e->>0)::int, e->>1, e->2, now() from jsonb_array_elements(${payload}::jsonb) with ordinality as x(e, n) order by n
    ${UNIT_STATS_UPSERT}`;
}

/**
 * The deltas as rows to add: a subtree metric's delta goes to the unit and every unit above it
 * (one indexed lookup of the ancestors, only when there is such a delta — a completion).
 */
async function resolveDeltas(ex: Executor, deltas: Deltas) {
  const entries = deltas.entries();
  const subtree = entries.filter((e) => isSubtreeMetric(e.metric));
  if (subtree.length === 0) return entries;
  const ids = [...new Set(subtree.map((e) => e.unitId))];
  const result = await ex.execute(sql`
    select u.id, a.id as ancestor
    from units u
    cross join lateral generate_series(${CODE_SEGMENT}, length(u.code), ${CODE_SEGMENT}) as g(len)
    join units a on a.code = substr(u.code, 1, g.len)
    where u.id = any(${sql.param(ids)}::int[])`);
  const ancestors = new Map<number, number[]>();
  for (const r of rowsOf<{ id: number; ancestor: number }>(result)) {
    ancestors.set(Number(r.id), [...(ancestors.get(Number(r.id)) ?? []), Number(r.ancestor)]);
  }
  const expanded = new Deltas();
  for (const e of entries) {
    if (!isSubtreeMetric(e.metric)) expanded.add(e.unitId, e.metric, e.counts);
    else for (const a of ancestors.get(e.unitId) ?? [e.unitId]) expanded.add(a, e.metric, e.counts);
  }
  return expanded.entries();
}

/** Adds the deltas to unit_stats in one statement (rows in a fixed order: no deadlocks between two). */
export async function applyDeltas(ex: Executor, deltas: Deltas) {
  const entries = await resolveDeltas(ex, deltas);
  if (entries.length === 0) return;
  await ex.execute(deltasSql(entries));
}

// ---------------------------------------------------------------------------------------------
// Records and their contributions

export type MemberRecord = { userId: number; unitId: number; status: string; isCadre: boolean };
export type AssignmentRecord = {
  assignmentId: number;
  userId: number;
  unitId: number;
  status: "not_started" | "in_progress" | "completed";
  lessonsDone: number;
  coursesDone: number;
  completedAt: Date | null;
};
export type CreditRecord = { userId: number; year: number; unitId: number; hours: number; months: number[]; requirement: number };

export function memberContribution(d: Deltas, r: MemberRecord, sign: number) {
  d.add(r.unitId, MEMBERS_METRIC, { total: 1, cadres: r.isCadre ? 1 : 0, [r.status]: 1 }, sign);
}

export function assignmentContribution(d: Deltas, r: AssignmentRecord, sign: number) {
  d.add(
    r.unitId,
    assignmentMetric(r.assignmentId),
    { assigned: 1, in_progress: r.status === "in_progress" ? 1 : 0, completed: r.status === "completed" ? 1 : 0, lessons: r.lessonsDone },
    sign,
  );
  if (r.status === "completed" && r.completedAt) d.add(r.unitId, assignmentDaysMetric(r.assignmentId), { [chinaDay(r.completedAt)]: 1 }, sign);
}

export function creditContribution(d: Deltas, r: CreditRecord, sign: number) {
  if (r.hours <= 0) return;
  const bucket = creditBucket(r.hours, r.requirement);
  const counts: Counts = { started: 1, hours: r.hours, met: bucket === 10 ? 1 : 0 };
  if (bucket < 10) counts[`b${bucket}`] = 1;
  r.months.forEach((h, i) => (counts[`m${i + 1}`] = h));
  d.add(r.unitId, creditMetric(r.year), counts, sign);
}

const sameAssignment = (a: AssignmentRecord, b: AssignmentRecord) =>
  a.unitId === b.unitId &&
  a.status === b.status &&
  a.lessonsDone === b.lessonsDone &&
  a.coursesDone === b.coursesDone &&
  (a.completedAt?.getTime() ?? null) === (b.completedAt?.getTime() ?? null);

const sameCredit = (a: CreditRecord, b: CreditRecord) =>
  a.unitId === b.unitId && a.hours === b.hours && a.requirement === b.requirement && a.months.every((m, i) => m === b.months[i]);

// ---------------------------------------------------------------------------------------------
// The SQL that computes records from the raw data (shared with the rebuild)

/**
 * Fresh assignment records for the (assignment_id, user_id, unit_id) pairs selected by `pairs`:
 * completed when every course of the assignment is completed, in progress once any lesson of
 * them has progress, else not started. Progress made before the assignment counts.
 */
export function assignmentStatusSql(pairs: SQL) {
  return sql`
    with pairs as (${pairs}),
    pc as (
      select p.assignment_id, p.user_id, ac.course_id
      from pairs p join assignment_courses ac on ac.assignment_id = p.assignment_id
    ),
    lp as (
      select pc.assignment_id, pc.user_id, count(*)::int as started, count(pr.completed_at)::int as done
      from pc
      join lessons l on l.course_id = pc.course_id
      join lesson_progress pr on pr.user_id = pc.user_id and pr.lesson_id = l.id
      group by pc.assignment_id, pc.user_id
    ),
    cc as (
      select pc.assignment_id, pc.user_id, count(*)::int as done, max(c.completed_at) as last
      from pc join course_completions c on c.user_id = pc.user_id and c.course_id = pc.course_id
      group by pc.assignment_id, pc.user_id
    ),
    tc as (
      select ac.assignment_id, count(*)::int as n from assignment_courses ac
      where ac.assignment_id in (select assignment_id from pairs)
      group by ac.assignment_id
    )
    select p.assignment_id, p.user_id, p.unit_id,
      (case
        when coalesce(tc.n, 0) > 0 and coalesce(cc.done, 0) >= tc.n then 'completed'
        when coalesce(lp.started, 0) > 0 or coalesce(cc.done, 0) > 0 then 'in_progress'
        else 'not_started' end) as status,
      coalesce(lp.done, 0) as lessons_done,
      coalesce(cc.done, 0) as courses_done,
      (case when coalesce(tc.n, 0) > 0 and coalesce(cc.done, 0) >= tc.n then cc.last end) as completed_at
    from pairs p
    left join lp on lp.assignment_id = p.assignment_id and lp.user_id = p.user_id
    left join cc on cc.assignment_id = p.assignment_id and cc.user_id = p.user_id
    left join tc on tc.assignment_id = p.assignment_id`;
}

/** Pairs of every active member an assignment applies to (optionally one assignment). */
export function applicablePairsSql({ assignmentId }: { assignmentId?: number } = {}) {
  return sql`
    select a.id as assignment_id, u.id as user_id, u.unit_id
    from assignments a
    join units au on au.id = a.unit_id
    join units uu on uu.code like au.code || '%'
    join users u on u.unit_id = uu.id
    where not u.disabled
      and (cardinality(a.statuses) = 0 or u.status = any(a.statuses))
      ${assignmentId === undefined ? sql`` : sql`and a.id = ${assignmentId}`}`;
}

/** The code prefixes of a unit code: the unit and every unit above it. */
export function codePrefixes(code: string) {
  const out: string[] = [];
  for (let i = CODE_SEGMENT; i <= code.length; i += CODE_SEGMENT) out.push(code.slice(0, i));
  return out;
}

type StatusRow = {
  assignment_id: number;
  user_id: number;
  unit_id: number;
  status: AssignmentRecord["status"];
  lessons_done: number;
  courses_done: number;
  completed_at: Date | string | null;
};

const toDate = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v : new Date(v));

function toAssignmentRecord(r: StatusRow): AssignmentRecord {
  return {
    assignmentId: Number(r.assignment_id),
    userId: Number(r.user_id),
    unitId: Number(r.unit_id),
    status: r.status,
    lessonsDone: Number(r.lessons_done),
    coursesDone: Number(r.courses_done),
    completedAt: toDate(r.completed_at),
  };
}

/**
 * Fresh records of one member for the given assignments, with index lookups only (primary keys of
 * lesson_progress and course_completions): the per-event path. Same rules as assignmentStatusSql,
 * which the rebuild uses; the tests compare the two.
 */
async function memberAssignmentRecords(tx: Tx, userId: number, unitId: number, assignmentIds: number[]): Promise<AssignmentRecord[]> {
  if (assignmentIds.length === 0) return [];
  const result = await tx.execute(sql`
    select a.id as assignment_id,
      (select count(*)::int from assignment_courses ac where ac.assignment_id = a.id) as total_courses,
      (select count(*)::int from assignment_courses ac
         join lessons l on l.course_id = ac.course_id
         join lesson_progress p on p.user_id = ${userId} and p.lesson_id = l.id
         where ac.assignment_id = a.id) as started,
      (select count(p.completed_at)::int from assignment_courses ac
         join lessons l on l.course_id = ac.course_id
         join lesson_progress p on p.user_id = ${userId} and p.lesson_id = l.id
         where ac.assignment_id = a.id) as lessons_done,
      (select count(*)::int from assignment_courses ac
         join course_completions c on c.user_id = ${userId} and c.course_id = ac.course_id
         where ac.assignment_id = a.id) as courses_done,
      (select max(c.completed_at) from assignment_courses ac
         join course_completions c on c.user_id = ${userId} and c.course_id = ac.course_id
         where ac.assignment_id = a.id) as last_completed
    from unnest(${sql.param(assignmentIds)}::int[]) as a(id)`);
  return rowsOf<{ assignment_id: number; total_courses: number; started: number; lessons_done: number; courses_done: number; last_completed: Date | string | null }>(result).map((r) => {
    const total = Number(r.total_courses);
    const coursesDone = Number(r.courses_done);
    const completed = total > 0 && coursesDone >= total;
    return {
      assignmentId: Number(r.assignment_id),
      userId,
      unitId,
      status: completed ? "completed" : Number(r.started) > 0 || coursesDone > 0 ? "in_progress" : "not_started",
      lessonsDone: Number(r.lessons_done),
      coursesDone,
      completedAt: completed ? toDate(r.last_completed) : null,
    };
  });
}

/** The credit hours of one member per year and month (China time), in hundredths. */
async function freshCredits(tx: Tx, userId: number, unitId: number, requirement: number, year?: number): Promise<CreditRecord[]> {
  const result = await tx.execute(sql`
    select extract(year from completed_at at time zone 'Asia/Shanghai')::int as year,
           extract(month from completed_at at time zone 'Asia/Shanghai')::int as month,
           round(sum(credit_hours) * 100)::int as hours
    from course_completions
    where user_id = ${userId}
      ${year === undefined ? sql`` : sql`and extract(year from completed_at at time zone 'Asia/Shanghai')::int = ${year}`}
    group by 1, 2`);
  const byYear = new Map<number, CreditRecord>();
  for (const row of rowsOf<{ year: number; month: number; hours: number }>(result)) {
    let rec = byYear.get(Number(row.year));
    if (!rec) {
      rec = { userId, year: Number(row.year), unitId, hours: 0, months: Array(12).fill(0), requirement };
      byYear.set(rec.year, rec);
    }
    rec.months[Number(row.month) - 1] += Number(row.hours);
    rec.hours += Number(row.hours);
  }
  return [...byYear.values()].filter((r) => r.hours > 0);
}

async function storedCredits(tx: Tx, userId: number, year?: number): Promise<CreditRecord[]> {
  const result = await tx.execute(sql`
    select user_id, year, unit_id, hours, months, requirement from member_credits
    where user_id = ${userId} ${year === undefined ? sql`` : sql`and year = ${year}`}`);
  return rowsOf<{ user_id: number; year: number; unit_id: number; hours: number; months: number[]; requirement: number }>(result).map((r) => ({
    userId: Number(r.user_id),
    year: Number(r.year),
    unitId: Number(r.unit_id),
    hours: Number(r.hours),
    months: (r.months ?? []).map(Number),
    requirement: Number(r.requirement),
  }));
}

async function storedAssignments(tx: Tx, userId: number, courseId?: number): Promise<AssignmentRecord[]> {
  const result = await tx.execute(sql`
    select am.assignment_id, am.user_id, am.unit_id, am.status, am.lessons_done, am.courses_done, am.completed_at
    from assignment_members am
    where am.user_id = ${userId}
      ${courseId === undefined ? sql`` : sql`and exists (select 1 from assignment_courses ac where ac.assignment_id = am.assignment_id and ac.course_id = ${courseId})`}`);
  return rowsOf<StatusRow>(result).map(toAssignmentRecord);
}

// ---------------------------------------------------------------------------------------------
// Writing records

type Changes = {
  assignmentUpserts: AssignmentRecord[];
  assignmentDeletes: number[];
  creditUpserts: CreditRecord[];
  creditDeletes: number[];
};
const noChanges = (): Changes => ({ assignmentUpserts: [], assignmentDeletes: [], creditUpserts: [], creditDeletes: [] });

/**
 * Writes a member's changed records and the unit_stats deltas in ONE statement (data-modifying
 * CTEs): one round trip per study event however much changed.
 */
async function flush(tx: Tx, userId: number, c: Changes, d: Deltas) {
  const parts: SQL[] = [];
  if (c.assignmentDeletes.length) {
    parts.push(sql`delete from assignment_members where user_id = ${userId} and assignment_id = any(${sql.param(c.assignmentDeletes)}::int[])`);
  }
  if (c.assignmentUpserts.length) {
    const payload = JSON.stringify(
      c.assignmentUpserts.map((r) => ({
        assignment_id: r.assignmentId,
        user_id: r.userId,
        unit_id: r.unitId,
        status: r.status,
        lessons_done: r.lessonsDone,
        courses_done: r.coursesDone,
        completed_at: r.completedAt?.toISOString() ?? null,
      })),
    );
    parts.push(sql`
      insert into assignment_members (assignment_id, user_id, unit_id, status, lessons_done, courses_done, completed_at, updated_at)
      select r.assignment_id, r.user_id, r.unit_id, r.status::assignment_member_status, r.lessons_done, r.courses_done, r.completed_at, now()
      from jsonb_to_recordset(${payload}::jsonb)
        as r(assignment_id int, user_id int, unit_id int, status text, lessons_done int, courses_done int, completed_at timestamptz)
      order by r.assignment_id
      on conflict (assignment_id, user_id) do update set
        unit_id = excluded.unit_id, status = excluded.status, lessons_done = excluded.lessons_done,
        courses_done = excluded.courses_done, completed_at = excluded.completed_at, updated_at = now()`);
  }
  if (c.creditDeletes.length) {
    parts.push(sql`delete from member_credits where user_id = ${userId} and year = any(${sql.param(c.creditDeletes)}::int[])`);
  }
  if (c.creditUpserts.length) {
    const payload = JSON.stringify(
      c.creditUpserts.map((r) => ({ user_id: r.userId, year: r.year, unit_id: r.unitId, hours: r.hours, months: r.months, requirement: r.requirement })),
    );
    parts.push(sql`
      insert into member_credits (user_id, year, unit_id, hours, months, requirement, updated_at)
      select r.user_id, r.year, r.unit_id, r.hours, r.months, r.requirement, now()
      from jsonb_to_recordset(${payload}::jsonb) as r(user_id int, year int, unit_id int, hours int, months int[], requirement int)
      order by r.year
      on conflict (user_id, year) do update set
        unit_id = excluded.unit_id, hours = excluded.hours, months = excluded.months, requirement = excluded.requirement, updated_at = now()`);
  }
  const entries = await resolveDeltas(tx, d);
  if (entries.length) parts.push(deltasSql(entries));
  if (parts.length === 0) return;
  if (parts.length === 1) {
    await tx.execute(parts[0]);
    return;
  }
  const ctes = parts.slice(0, -1).map((part, i) => sql`${sql.raw(`w${i}`)} as (${part} returning 1)`);
  await tx.execute(sql`with ${sql.join(ctes, sql`, `)} ${parts[parts.length - 1]}`);
}

/** Replaces `old` records by `fresh` ones (matched by key), with their contributions. */
function diff<T>(old: T[], fresh: T[], key: (r: T) => number, same: (a: T, b: T) => boolean, contribute: (d: Deltas, r: T, sign: number) => void, d: Deltas) {
  const before = new Map(old.map((r) => [key(r), r]));
  const after = new Map(fresh.map((r) => [key(r), r]));
  const upserts: T[] = [];
  const deletes: number[] = [];
  for (const [k, r] of before) {
    const next = after.get(k);
    if (next && same(r, next)) continue;
    contribute(d, r, -1);
    if (!next) deletes.push(k);
  }
  for (const [k, r] of after) {
    const prev = before.get(k);
    if (prev && same(prev, r)) continue;
    contribute(d, r, 1);
    upserts.push(r);
  }
  return { upserts, deletes };
}

// ---------------------------------------------------------------------------------------------
// Refreshing one member

type MemberState = {
  unit_id: number;
  status: string;
  is_cadre: boolean;
  disabled: boolean;
  code: string;
  s_unit: number | null;
  s_status: string | null;
  s_cadre: boolean | null;
  /** With a course scope: the member's assignment rows of that course, as JSON. */
  rows: unknown;
};

export type RefreshScope = {
  /** Only the assignments that include this course. */
  courseId?: number;
  /** Only this year's credit hours; without it the credit hours are not looked at. */
  creditYear?: number;
};

type JsonRow = { a: number; u: number; s: AssignmentRecord["status"]; l: number; c: number; t: string | null };

function parseJsonRows(userId: number, value: unknown): AssignmentRecord[] {
  const list = (typeof value === "string" ? JSON.parse(value) : (value ?? [])) as JsonRow[];
  return list.map((r) => ({
    assignmentId: Number(r.a),
    userId,
    unitId: Number(r.u),
    status: r.s,
    lessonsDone: Number(r.l),
    coursesDone: Number(r.c),
    completedAt: r.t ? new Date(r.t) : null,
  }));
}

/**
 * Brings one member's records and their unit figures up to date. With a scope (a study event),
 * only the assignments of that course and the credit hours of that year are recomputed — unless
 * the member is not counted as they now are (new, moved, re-categorised, disabled), in which case
 * everything of theirs is. Without a scope: everything. Idempotent; cheap when nothing changed:
 * a study event costs one read of the member with their rows, one read of fresh figures, and one
 * write.
 */
export async function refreshMember(ex: Executor, userId: number, scope: RefreshScope | null = null) {
  return inTransaction(ex, async (tx) => {
    await lockForMember(tx, userId);
    const courseId = scope?.courseId;
    const readState = async (withRows: boolean) =>
      rowsOf<MemberState>(
        await tx.execute(sql`
          select u.unit_id, u.status, u.is_cadre, u.disabled, uu.code,
                 s.unit_id as s_unit, s.status as s_status, s.is_cadre as s_cadre,
                 ${
                   withRows && courseId !== undefined
                     ? sql`(select coalesce(json_agg(json_build_object('a', am.assignment_id, 'u', am.unit_id, 's', am.status, 'l', am.lessons_done, 'c', am.courses_done, 't', am.completed_at)), '[]'::json)
                         from assignment_members am
                         where am.user_id = u.id
                           and exists (select 1 from assignment_courses ac where ac.assignment_id = am.assignment_id and ac.course_id = ${courseId}))`
                     : sql`null`
                 } as rows
          from users u join units uu on uu.id = u.unit_id
          left join stat_members s on s.user_id = u.id
          where u.id = ${userId}`),
      )[0];
    // A full sync unmarks the member first, then reads them: a change committed meanwhile marks
    // them again (the trigger's insert waits for this delete), so none is lost.
    const unmark = () => tx.execute(sql`delete from stat_dirty where user_id = ${userId}`);
    if (!scope) await unmark();
    let state = await readState(Boolean(scope));
    if (!state) return { synced: false };
    const isUpToDate = (st: MemberState) =>
      !st.disabled
        ? st.s_unit !== null && Number(st.s_unit) === Number(st.unit_id) && st.s_status === st.status && st.s_cadre === st.is_cadre
        : st.s_unit === null;
    const upToDate = isUpToDate(state);
    if (scope && !upToDate) {
      await unmark();
      state = await readState(false);
      if (!state) return { synced: false };
    }
    const active = !state.disabled;
    const unitId = Number(state.unit_id);
    const counted = state.s_unit !== null;
    const d = new Deltas();
    const changes = noChanges();
    const requirement = yearlyRequirement(state.is_cadre);

    if (upToDate && scope) {
      if (courseId !== undefined) {
        const old = parseJsonRows(userId, state.rows);
        if (old.length) {
          const fresh = await memberAssignmentRecords(
            tx,
            userId,
            unitId,
            old.map((r) => r.assignmentId),
          );
          const a = diff(old, fresh, (r) => r.assignmentId, sameAssignment, assignmentContribution, d);
          changes.assignmentUpserts = a.upserts;
          changes.assignmentDeletes = a.deletes;
        }
      }
      if (scope.creditYear !== undefined && active) {
        const [old, fresh] = [await storedCredits(tx, userId, scope.creditYear), await freshCredits(tx, userId, unitId, requirement, scope.creditYear)];
        const c = diff(old, fresh, (r) => r.year, sameCredit, creditContribution, d);
        changes.creditUpserts = c.upserts;
        changes.creditDeletes = c.deletes;
      }
      await flush(tx, userId, changes, d);
      return { synced: false };
    }

    // Membership.
    if (counted) memberContribution(d, { userId, unitId: Number(state.s_unit), status: state.s_status!, isCadre: Boolean(state.s_cadre) }, -1);
    if (active) {
      memberContribution(d, { userId, unitId, status: state.status, isCadre: state.is_cadre }, 1);
      await tx.execute(sql`
        insert into stat_members (user_id, unit_id, status, is_cadre, updated_at)
        values (${userId}, ${unitId}, ${state.status}::member_status, ${state.is_cadre}, now())
        on conflict (user_id) do update set unit_id = excluded.unit_id, status = excluded.status, is_cadre = excluded.is_cadre, updated_at = now()`);
    } else if (counted) {
      await tx.execute(sql`delete from stat_members where user_id = ${userId}`);
    }

    // Assignments: those that apply to the member where they now are.
    const oldAssignments = await storedAssignments(tx, userId);
    let freshAssignments: AssignmentRecord[] = [];
    if (active) {
      const applicable = rowsOf<{ id: number }>(
        await tx.execute(sql`
          select a.id from assignments a join units au on au.id = a.unit_id
          where au.code = any(${sql.param(codePrefixes(state.code))}::text[])
            and (cardinality(a.statuses) = 0 or ${state.status}::member_status = any(a.statuses))`),
      ).map((r) => Number(r.id));
      freshAssignments = await memberAssignmentRecords(tx, userId, unitId, applicable);
    }
    const a = diff(oldAssignments, freshAssignments, (r) => r.assignmentId, sameAssignment, assignmentContribution, d);
    changes.assignmentUpserts = a.upserts;
    changes.assignmentDeletes = a.deletes;

    // Credit hours of every year.
    const oldCredits = await storedCredits(tx, userId);
    const freshCreditRecords = active ? await freshCredits(tx, userId, unitId, requirement) : [];
    const c = diff(oldCredits, freshCreditRecords, (r) => r.year, sameCredit, creditContribution, d);
    changes.creditUpserts = c.upserts;
    changes.creditDeletes = c.deletes;

    await flush(tx, userId, changes, d);
    return { synced: true };
  });
}

/**
 * Call after a member's home unit, category, position (cadre) or disabled flag changed, or after
 * members were created (import): moves their figures to where they are now counted. Pass the
 * transaction that made the change, or `db` afterwards. Each member in its own transaction
 * when given `db`.
 */
export async function syncMemberStats(ex: Executor, userIds: number[]) {
  for (const userId of userIds) await refreshMember(ex, userId, null);
}

/** A member moved from one unit to another (the users row already says so): moves their figures. */
export async function moveMemberStats(ex: Executor, userId: number, _fromUnitId?: number, _toUnitId?: number) {
  await refreshMember(ex, userId, null);
}

/**
 * Members not counted as the users table now describes them (a change made without a sync):
 * syncs them. Cheap when there are none; the daily job runs it.
 */
export async function reconcileMembers({ limit = 100_000 }: { limit?: number } = {}) {
  const result = await db.execute(sql`
    select u.id from users u left join stat_members s on s.user_id = u.id
    where (not u.disabled and (s.user_id is null or s.unit_id <> u.unit_id or s.status <> u.status or s.is_cadre <> u.is_cadre))
       or (u.disabled and s.user_id is not null)
    union
    select user_id from stat_dirty
    order by 1 limit ${limit}`);
  return syncMarked(rowsOf<{ id: number }>(result).map((r) => Number(r.id)));
}

/** Row 0 of stat_dirty: a unit moved, the daily series (kept on every unit above) must be recomputed. */
const UNITS_MOVED = 0;

async function syncMarked(ids: number[]) {
  const members = ids.filter((id) => id !== UNITS_MOVED);
  await syncMemberStats(db, members);
  if (ids.includes(UNITS_MOVED)) {
    await inTransaction(db, async (tx) => {
      await tx.execute(sql`delete from stat_dirty where user_id = ${UNITS_MOVED}`);
      await rebuildDailySeries(tx);
    });
  }
  return members.length;
}

/**
 * Syncs members marked by the triggers on users and units (moved, re-categorised, created,
 * disabled; a unit moved), at most `limit` of them: called before statistics are read, so figures
 * follow such changes at once. One indexed read when nothing changed.
 */
export async function freshenStats({ limit = 200 }: { limit?: number } = {}) {
  const result = await db.execute(sql`select user_id from stat_dirty order by marked_at, user_id limit ${limit}`);
  return syncMarked(rowsOf<{ user_id: number }>(result).map((r) => Number(r.user_id)));
}

/** Members of a subtree (after a unit moved under another parent: other assignments apply). */
export async function syncMembersUnder(unitCode: string) {
  const result = await db.execute(sql`
    select u.id from users u join units uu on uu.id = u.unit_id where uu.code like ${`${unitCode}%`} order by u.id`);
  const ids = rowsOf<{ id: number }>(result).map((r) => Number(r.id));
  await syncMemberStats(db, ids);
  return ids.length;
}

// ---------------------------------------------------------------------------------------------
// Whole assignments (created, edited, deleted)

/** SQL that sums records into unit_stats rows, optionally for one assignment only. */
export function assignmentAggregatesSql(assignmentId?: number) {
  const filter = assignmentId === undefined ? sql`` : sql`where assignment_id = ${assignmentId}`;
  const completedFilter = assignmentId === undefined ? sql`` : sql`and am.assignment_id = ${assignmentId}`;
  return [
    sql`
      insert into unit_stats (unit_id, metric, counts, updated_at)
      select unit_id, 'assignment:' || assignment_id, jsonb_strip_nulls(jsonb_build_object(
        'assigned', count(*),
        'in_progress', nullif(count(*) filter (where status = 'in_progress'), 0),
        'completed', nullif(count(*) filter (where status = 'completed'), 0),
        'lessons', nullif(sum(lessons_done), 0))), now()
      from assignment_members ${filter}
      group by unit_id, assignment_id`,
    // Completions per day, summed into the member's unit and every unit above it.
    sql`
      insert into unit_stats (unit_id, metric, counts, updated_at)
      select anc_id, 'adays:' || assignment_id, jsonb_object_agg(day, n), now()
      from (
        select a.id as anc_id, am.assignment_id, to_char(am.completed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, count(*) as n
        from assignment_members am
        join units u on u.id = am.unit_id
        cross join lateral generate_series(${CODE_SEGMENT}, length(u.code), ${CODE_SEGMENT}) as g(len)
        join units a on a.code = substr(u.code, 1, g.len)
        where am.status = 'completed' and am.completed_at is not null ${completedFilter}
        group by 1, 2, 3
      ) days
      group by anc_id, assignment_id`,
  ];
}

/**
 * Recomputes one assignment's member records and figures from scratch (after it was created or
 * its unit, categories or courses changed). Cost follows the members below its unit.
 */
export async function recomputeAssignment(ex: Executor, assignmentId: number) {
  await inTransaction(ex, async (tx) => {
    if (isPostgres()) await tx.execute(sql`lock table assignment_members in share row exclusive mode`);
    await tx.execute(sql`delete from assignment_members where assignment_id = ${assignmentId}`);
    await tx.execute(sql`delete from unit_stats where metric in (${assignmentMetric(assignmentId)}, ${assignmentDaysMetric(assignmentId)})`);
    await tx.execute(sql`
      insert into assignment_members (assignment_id, user_id, unit_id, status, lessons_done, courses_done, completed_at)
      select assignment_id, user_id, unit_id, status::assignment_member_status, lessons_done, courses_done, completed_at
      from (${assignmentStatusSql(applicablePairsSql({ assignmentId }))}) fresh`);
    for (const statement of assignmentAggregatesSql(assignmentId)) await tx.execute(statement);
  });
}

/**
 * Recomputes every assignment's daily series (kept on every unit above the members): call after
 * a unit moved under another parent, with syncMembersUnder for the members below it.
 */
export async function rebuildDailySeries(ex: Executor = db) {
  await inTransaction(ex, async (tx) => {
    if (isPostgres()) await tx.execute(sql`lock table assignment_members in share row exclusive mode`);
    await tx.execute(sql`delete from unit_stats where metric like 'adays:%'`);
    await tx.execute(assignmentAggregatesSql()[1]);
  });
}

/** After a unit (and its subtree) moved under another parent: other assignments apply below it. */
export async function afterUnitMoved(unitCode: string) {
  await syncMembersUnder(unitCode);
  await rebuildDailySeries();
}

/** Removes an assignment's figures (its member rows go with it by cascade). */
export async function dropAssignmentStats(ex: Executor, assignmentId: number) {
  await ex.execute(sql`delete from unit_stats where metric in (${assignmentMetric(assignmentId)}, ${assignmentDaysMetric(assignmentId)})`);
}
