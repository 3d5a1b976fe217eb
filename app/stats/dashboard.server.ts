// Reading the unit aggregates: a subtree's figures are the sums of unit_stats rows over
// `units.code LIKE prefix%` (an index range), so a dashboard costs in proportion to the units it
// covers, never to members or progress rows. Member lists read the per-member records.
import { sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { hotQuery } from "~/db/hot-query.server";
import { unitTree, unitTreeWithCode, type UnitInfo, type UnitTree } from "~/org/unit-cache.server";
import { CODE_SEGMENT } from "~/org/kinds";
import { yearlyRequirement } from "~/courses/rules";
import { assignmentsConcerning, type AssignmentRow } from "~/assignments/assignments.server";
import { codePrefixes, rowsOf } from "./aggregate.server";
import {
  addCounts,
  assignmentDaysMetric,
  assignmentFigures,
  assignmentMetric,
  chinaDay,
  chinaYearOf,
  creditFigures,
  creditMetric,
  dailySeries,
  isSubtreeMetric,
  MEMBERS_METRIC,
  type AssignmentFigures,
  type AssignmentFilter,
  type Counts,
  type CreditFigures,
  type SortKey,
} from "./metrics";

const likePrefix = (code: string) => `${code}%`;

type SubtreeCounts = {
  /** Summed metrics per child subtree of the unit ("" for the unit's own members). */
  byChild: Map<string, Map<string, Counts>>;
  /** Subtree metrics (e.g. the daily series) as stored on the unit itself. */
  stored: Map<string, Counts>;
};

type StatRow = { code: string; metric: string; counts: Record<string, number | string> };

/** Adds a stored jsonb's counts (numbers, or numeric strings from older rows) into `into`. */
function addStored(into: Counts, counts: Record<string, number | string>) {
  for (const k in counts) {
    const n = Number(counts[k]);
    if (n) into[k] = (into[k] ?? 0) + n;
  }
  return into;
}

/**
 * Folds the unit_stats rows of the subtree rooted at `code` into sums per child subtree. The rows
 * are few (units × metrics): summing them here is cheaper than asking the database to expand
 * each jsonb into dozens of filtered aggregates.
 */
function foldRows(code: string, rows: StatRow[]): SubtreeCounts {
  const out: SubtreeCounts = { byChild: new Map(), stored: new Map() };
  const childLength = code.length + CODE_SEGMENT;
  for (const { code: unitCode, metric, counts } of rows) {
    if (isSubtreeMetric(metric)) {
      out.stored.set(metric, addStored({}, counts));
      continue;
    }
    const group = unitCode.length === code.length ? "" : unitCode.slice(0, childLength);
    let byMetric = out.byChild.get(group);
    if (!byMetric) out.byChild.set(group, (byMetric = new Map()));
    const total = byMetric.get(metric);
    if (total) addStored(total, counts);
    else byMetric.set(metric, addStored({}, counts));
  }
  return out;
}

function totalsOf({ byChild, stored }: SubtreeCounts, metrics: string[]) {
  const totals = new Map<string, Counts>(metrics.map((m) => [m, {}]));
  for (const [m, counts] of stored) totals.set(m, counts);
  for (const byMetric of byChild.values()) {
    for (const [m, counts] of byMetric) totals.set(m, addCounts(totals.get(m) ?? {}, counts));
  }
  return totals;
}

// One text value, parsed once: a committee's thousands of rows cost the driver far more as rows.
// The subtree's unit ids come from the process's copy of the tree, so the statement is a plain
// index lookup with a plan that never changes.
const SUBTREE_STATS_SQL = `
  select coalesce(json_agg(json_build_object('unit', r.unit_id, 'metric', r.metric, 'counts', r.counts)), '[]')::text as rows
  from (
    select unit_id, metric, counts from unit_stats where unit_id = any($1::int[]) and metric = any($2::text[])
    union all
    select unit_id, metric, counts from unit_stats where unit_id = $3 and metric = any($4::text[])) r`;

/**
 * The unit_stats rows of the subtree rooted at `root` for the summed `metrics`, and the unit's
 * own rows of the subtree metrics among them. A fixed statement: every dashboard runs it.
 */
async function subtreeStatRows(tree: UnitTree, root: UnitInfo, metrics: string[]): Promise<StatRow[]> {
  const summed = metrics.filter((m) => !isSubtreeMetric(m));
  const stored = metrics.filter(isSubtreeMetric);
  const [result] = await hotQuery<{ rows: string }>("unit_stats_subtree", SUBTREE_STATS_SQL, [tree.subtreeIds(root.id), summed, root.id, stored]);
  const rows = JSON.parse(result.rows) as { unit: number; metric: string; counts: StatRow["counts"] }[];
  return rows.flatMap(({ unit, metric, counts }) => {
    const u = tree.byId.get(unit);
    return u ? [{ code: u.code, metric, counts }] : [];
  });
}

/** Sums of the given metrics over the subtree rooted at `code` (subtree metrics: the unit's own row). */
export async function sumSubtree(code: string, metrics: string[]): Promise<Map<string, Counts>> {
  if (metrics.length === 0) return new Map();
  const tree = await unitTreeWithCode(code);
  const root = tree.byCode.get(code);
  return totalsOf(foldRows(code, root ? await subtreeStatRows(tree, root, metrics) : []), metrics);
}

export type Figures = AssignmentFigures | CreditFigures;
/** The five columns every dashboard table shows, whatever the metric. */
export type Row = { assigned: number; completed: number; inProgress: number; notStarted: number; overdue: number; rate: number | null };

export function toRow(f: AssignmentFigures | CreditFigures): Row {
  const assigned = "assigned" in f ? f.assigned : f.members;
  return { assigned, completed: f.completed, inProgress: f.inProgress, notStarted: f.notStarted, overdue: f.overdue, rate: f.rate };
}

export type Selected =
  | { kind: "assignment"; id: number; metric: string; assignment: AssignmentRow }
  | { kind: "credit"; year: number; metric: string };

export type ChildRow = Row & { code: string; id: number | null; name: string; kind: string | null; hasChildren: boolean; direct: boolean; members: number };

export { SORT_KEYS, type SortKey } from "./metrics";

export function sortRows<T extends Row & { name: string; code?: string }>(rows: T[], key: SortKey, dir: "asc" | "desc") {
  const sign = dir === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = key === "name" ? (a.code ?? a.name) : (a[key] ?? -1);
    const y = key === "name" ? (b.code ?? b.name) : (b[key] ?? -1);
    return (x < y ? -1 : x > y ? 1 : 0) * sign || (a.code ?? a.name).localeCompare(b.code ?? b.name);
  });
}

function figuresFor(selected: Selected, byMetric: Map<string, Counts> | undefined, today: string, now: Date) {
  if (selected.kind === "assignment") return assignmentFigures(byMetric?.get(selected.metric) ?? {}, selected.assignment.dueOn, today);
  return creditFigures(byMetric?.get(MEMBERS_METRIC) ?? {}, byMetric?.get(selected.metric) ?? {}, selected.year, now);
}

export type DashboardUnit = { id: number; name: string; code: string; kind: string };

/**
 * Everything a unit's dashboard shows. `metric` picks the assignment (or "credit:YEAR") whose
 * child-unit breakdown and chart are shown; by default the year's credit hours when the unit has
 * no assignment, else its latest assignment.
 */
export async function unitDashboard(
  unit: DashboardUnit,
  {
    metric,
    year = chinaYearOf(),
    now = new Date(),
    sort = "name",
    dir = "asc",
    extras = true,
  }: { metric?: string | null; year?: number; now?: Date; sort?: SortKey; dir?: "asc" | "desc"; extras?: boolean } = {},
) {
  const today = chinaDay(now);
  const credit = creditMetric(year);
  // The path, the children and the assignments listed (up to 30, newest due first, set at the
  // unit, above or below it) come from the process's copies of the unit tree and the assignments;
  // then the subtree's figures, and whether there are points or contest entries at all.
  const [tree, assignmentList] = await Promise.all([unitTree(unit.id), assignmentsConcerning(unit.code, { limit: 30 })]);
  const path = codePrefixes(unit.code).flatMap((c) => {
    const u = tree.byCode.get(c);
    return u ? [{ id: u.id, name: u.name, code: u.code }] : [];
  });
  const children = tree.childrenOf(unit.id).map((c) => ({ ...c, has_children: tree.childrenOf(c.id).length > 0 }));
  const picked = metric ? assignmentList.find((a) => assignmentMetric(a.id) === metric) : undefined;
  const selected: Selected = picked
    ? { kind: "assignment", id: picked.id, metric: assignmentMetric(picked.id), assignment: picked }
    : metric === credit || metric?.startsWith("credit:") || assignmentList.length === 0
      ? { kind: "credit", year: metric?.startsWith("credit:") ? Number(metric.slice(7)) || year : year, metric: metric?.startsWith("credit:") ? metric : credit }
      : { kind: "assignment", id: assignmentList[0].id, metric: assignmentMetric(assignmentList[0].id), assignment: assignmentList[0] };
  const selectedYear = selected.kind === "credit" ? selected.year : year;
  const selectedCredit = creditMetric(selectedYear);

  // Figures for the assignments that apply to the whole unit (set here or above) and for the
  // one selected; those set below are listed by name (a committee may have hundreds of them).
  const applies = (a: AssignmentRow) => unit.code.startsWith(a.unitCode);
  const overview = assignmentList.filter(applies);
  const below = assignmentList.filter((a) => !applies(a));
  const metrics = [...new Set([MEMBERS_METRIC, credit, selectedCredit, ...overview.map((a) => assignmentMetric(a.id)), selected.metric])];
  if (selected.kind === "assignment") metrics.push(assignmentDaysMetric(selected.id));
  const root = tree.byId.get(unit.id);
  const [rows, activity] = await Promise.all([root ? subtreeStatRows(tree, root, metrics) : [], extras ? activityFlags() : null]);
  const counts = foldRows(unit.code, rows);
  const byChild = counts.byChild;
  const totals = totalsOf(counts, metrics);

  const assignmentRows = overview.map((a) => ({
    id: a.id,
    metric: assignmentMetric(a.id),
    title: a.title,
    unitName: a.unitName,
    startsOn: a.startsOn,
    dueOn: a.dueOn,
    ...toRow(assignmentFigures(totals.get(assignmentMetric(a.id)) ?? {}, a.dueOn, today)),
  }));
  const belowRows = below.slice(0, 20).map((a) => ({ id: a.id, metric: assignmentMetric(a.id), title: a.title, unitName: a.unitName, dueOn: a.dueOn }));
  const creditTotals = creditFigures(totals.get(MEMBERS_METRIC) ?? {}, totals.get(selectedCredit) ?? {}, selectedYear, now);
  const thisYearCredit = creditFigures(totals.get(MEMBERS_METRIC) ?? {}, totals.get(credit) ?? {}, year, now);

  const childRows: ChildRow[] = children.map((c) => ({
    id: Number(c.id),
    name: c.name,
    kind: c.kind,
    code: c.code,
    hasChildren: Boolean(c.has_children),
    direct: false,
    members: byChild.get(c.code)?.get(MEMBERS_METRIC)?.total ?? 0,
    ...toRow(figuresFor(selected, byChild.get(c.code), today, now)),
  }));
  const own = byChild.get("");
  const direct = own ? toRow(figuresFor(selected, own, today, now)) : null;
  const sortedChildren = sortRows(childRows, sort, dir);
  if (direct && direct.assigned > 0) {
    sortedChildren.push({ ...direct, id: unit.id, name: unit.name, kind: unit.kind, code: unit.code, hasChildren: false, direct: true, members: own?.get(MEMBERS_METRIC)?.total ?? 0 });
  }

  const selectedTotals = selected.kind === "assignment" ? toRow(figuresFor(selected, totals, today, now)) : toRow(creditTotals);
  let chart: { kind: "daily"; points: { day: string; count: number; cumulative: number }[] } | { kind: "monthly"; months: number[] };
  if (selected.kind === "assignment") {
    const from = selected.assignment.startsOn;
    const lastDay = selected.assignment.dueOn > today ? today : selected.assignment.dueOn;
    const to = lastDay < from ? from : lastDay;
    chart = { kind: "daily", points: dailySeries(totals.get(assignmentDaysMetric(selected.id)) ?? {}, from, to, 120) };
  } else {
    chart = { kind: "monthly", months: creditTotals.perMonth };
  }

  return {
    unit,
    path,
    today,
    year,
    selected: selected.kind === "assignment" ? { kind: "assignment" as const, metric: selected.metric, id: selected.id, title: selected.assignment.title, dueOn: selected.assignment.dueOn } : { kind: "credit" as const, metric: selected.metric, year: selected.year },
    totals: selectedTotals,
    members: totals.get(MEMBERS_METRIC)?.total ?? 0,
    credit: { year, ...toRow(thisYearCredit), hours: thisYearCredit.hours, pace: thisYearCredit.pace },
    creditSelected: { hours: creditTotals.hours, pace: creditTotals.pace },
    assignments: assignmentRows,
    below: belowRows,
    children: sortedChildren,
    chart,
    extras: activity && (activity.points || activity.contests) ? await unitExtras(unit.code, year, activity) : null,
  };
}

/** Names from the root down to a unit. */
export async function unitPathOf(code: string) {
  const result = await db.execute(sql`select id, name, code from units where code = any(${sql.param(codePrefixes(code))}::text[]) order by code`);
  return rowsOf<{ id: number; name: string; code: string }>(result).map((r) => ({ id: Number(r.id), name: r.name, code: r.code }));
}

/**
 * Every unit of a subtree with its path ("集团党委 / 生产党总支 / 运行党支部"), for the unit
 * path column of exports. The path above the subtree's root comes from one extra lookup.
 */
export async function subtreePaths(code: string) {
  const above = await unitPathOf(code);
  const result = await db.execute(sql`select id, name, code, kind from units where code like ${likePrefix(code)} order by code`);
  const names = new Map<string, string>(above.map((u) => [u.code, u.name]));
  const units = rowsOf<{ id: number; name: string; code: string; kind: string }>(result);
  for (const u of units) names.set(u.code, u.name);
  const paths = new Map<number, string>();
  for (const u of units) {
    paths.set(
      Number(u.id),
      codePrefixes(u.code)
        .map((p) => names.get(p) ?? "?")
        .join(" / "),
    );
  }
  return { paths, units: units.map((u) => ({ ...u, id: Number(u.id) })) };
}

/**
 * Points and contest entries per child unit this year, when those tables have rows. Read from the
 * ledgers directly (they are not progress rows; no aggregate of theirs exists yet).
 */
type Activity = { points: boolean; contests: boolean };
let activity: { flags: Activity; checkedAt: number } | null = null;

/**
 * Whether anyone has earned points or entered a contest yet (else a dashboard has no such
 * section). Once true it stays true; "not yet" is asked again after 10 s.
 */
async function activityFlags(): Promise<Activity> {
  if (activity && ((activity.flags.points && activity.flags.contests) || Date.now() - activity.checkedAt < 10_000)) return activity.flags;
  const [flags] = await hotQuery<Activity>(
    "activity_flags",
    "select exists (select 1 from point_entries) as points, exists (select 1 from contest_entries) as contests",
    [],
  );
  activity = { flags, checkedAt: Date.now() };
  return flags;
}

export async function unitExtras(code: string, year: number, flags: { points: boolean; contests: boolean }) {
  const childLength = code.length + CODE_SEGMENT;
  const from = `${year}-01-01`;
  const to = `${year + 1}-01-01`;
  const points = flags.points
    ? rowsOf<{ child: string; points: number; members: number }>(
        await db.execute(sql`
          select case when length(uu.code) = ${code.length} then '' else substr(uu.code, 1, ${childLength}) end as child,
                 sum(p.amount)::int as points, count(distinct p.user_id)::int as members
          from point_entries p join users u on u.id = p.user_id join units uu on uu.id = u.unit_id
          where uu.code like ${likePrefix(code)} and p.day >= ${from}::date and p.day < ${to}::date
          group by 1`),
      )
    : [];
  const contests = flags.contests
    ? rowsOf<{ child: string; entries: number; members: number }>(
        await db.execute(sql`
          select case when length(uu.code) = ${code.length} then '' else substr(uu.code, 1, ${childLength}) end as child,
                 count(*)::int as entries, count(distinct e.user_id)::int as members
          from contest_entries e join contests c on c.id = e.contest_id join units uu on uu.id = e.unit_id
          where uu.code like ${likePrefix(code)}
            and c.opens_at >= (${from}::date::timestamp at time zone 'Asia/Shanghai')
            and c.opens_at < (${to}::date::timestamp at time zone 'Asia/Shanghai')
          group by 1`),
      )
    : [];
  return {
    points: Object.fromEntries(points.map((p) => [p.child, { points: Number(p.points), members: Number(p.members) }])),
    contests: Object.fromEntries(contests.map((c) => [c.child, { entries: Number(c.entries), members: Number(c.members) }])),
  };
}

// ---------------------------------------------------------------------------------------------
// Member lists

export { ASSIGNMENT_FILTERS, type AssignmentFilter } from "./metrics";

export type MemberRow = {
  userId: number;
  name: string;
  employeeNo: string;
  phone: string | null;
  status: string;
  unitId: number;
  unitCode: string;
  /** not_started | in_progress | completed */
  state: "not_started" | "in_progress" | "completed";
  overdue: boolean;
  lessonsDone: number;
  completedAt: Date | null;
  hours: number | null;
  requirement: number | null;
};

/**
 * Members of the subtree `code` for an assignment (from its member rows) or for a year's credit
 * hours (every active member), filtered by state. `limit` null: all (exports).
 */
export async function memberList(
  code: string,
  target: { kind: "assignment"; id: number; dueOn: string } | { kind: "credit"; year: number },
  { filter = "all", limit = 50, offset = 0, now = new Date() }: { filter?: AssignmentFilter; limit?: number | null; offset?: number; now?: Date } = {},
): Promise<{ rows: MemberRow[]; total: number }> {
  const today = chinaDay(now);
  if (target.kind === "assignment") {
    const pastDue = today > target.dueOn;
    const condition =
      filter === "all"
        ? sql``
        : filter === "unfinished"
          ? sql`and am.status <> 'completed'`
          : filter === "overdue"
            ? pastDue
              ? sql`and am.status <> 'completed'`
              : sql`and false`
            : sql`and am.status = ${filter}::assignment_member_status`;
    const result = await db.execute(sql`
      select u.id as user_id, u.name, u.employee_no, u.phone, u.status::text as status, am.unit_id, uu.code as unit_code,
             am.status::text as state, am.lessons_done, am.completed_at, count(*) over ()::int as total
      from assignment_members am
      join units uu on uu.id = am.unit_id
      join users u on u.id = am.user_id
      where am.assignment_id = ${target.id} and uu.code like ${likePrefix(code)} ${condition}
      order by uu.code, u.employee_no
      ${limit === null ? sql`` : sql`limit ${limit} offset ${offset}`}`);
    const rows = rowsOf<{
      user_id: number;
      name: string;
      employee_no: string;
      phone: string | null;
      status: string;
      unit_id: number;
      unit_code: string;
      state: MemberRow["state"];
      lessons_done: number;
      completed_at: Date | string | null;
      total: number;
    }>(result);
    return {
      total: rows.length ? Number(rows[0].total) : offset > 0 ? await countAssignmentMembers(code, target.id, condition) : 0,
      rows: rows.map((r) => ({
        userId: Number(r.user_id),
        name: r.name,
        employeeNo: r.employee_no,
        phone: r.phone,
        status: r.status,
        unitId: Number(r.unit_id),
        unitCode: r.unit_code,
        state: r.state,
        overdue: pastDue && r.state !== "completed",
        lessonsDone: Number(r.lessons_done),
        completedAt: r.completed_at === null ? null : new Date(r.completed_at),
        hours: null,
        requirement: null,
      })),
    };
  }
  // Credit hours: every counted member, with the year's hours when they have any.
  const elapsed = creditFigures({}, {}, target.year, now).pace;
  const state = sql`(case when mc.hours is null or mc.hours = 0 then 'not_started' when mc.hours >= mc.requirement * 100 then 'completed' else 'in_progress' end)`;
  const requirement = sql`(case when sm.is_cadre then ${yearlyRequirement(true)}::int else ${yearlyRequirement(false)}::int end)`;
  const behind = sql`(coalesce(mc.hours, 0) * 10 < ${Math.round(elapsed * 10)} * ${requirement} * 100)`;
  const condition =
    filter === "all"
      ? sql``
      : filter === "unfinished"
        ? sql`and ${state} <> 'completed'`
        : filter === "overdue"
          ? sql`and ${behind}`
          : sql`and ${state} = ${filter}`;
  const result = await db.execute(sql`
    select u.id as user_id, u.name, u.employee_no, u.phone, u.status::text as status, sm.unit_id, uu.code as unit_code,
           ${state} as state, coalesce(mc.hours, 0) as hours, ${requirement} as requirement, ${behind} as behind,
           count(*) over ()::int as total
    from stat_members sm
    join units uu on uu.id = sm.unit_id
    join users u on u.id = sm.user_id
    left join member_credits mc on mc.user_id = sm.user_id and mc.year = ${target.year}
    where uu.code like ${likePrefix(code)} ${condition}
    order by uu.code, u.employee_no
    ${limit === null ? sql`` : sql`limit ${limit} offset ${offset}`}`);
  const rows = rowsOf<{
    user_id: number;
    name: string;
    employee_no: string;
    phone: string | null;
    status: string;
    unit_id: number;
    unit_code: string;
    state: MemberRow["state"];
    hours: number;
    requirement: number;
    behind: boolean;
    total: number;
  }>(result);
  return {
    total: rows.length ? Number(rows[0].total) : 0,
    rows: rows.map((r) => ({
      userId: Number(r.user_id),
      name: r.name,
      employeeNo: r.employee_no,
      phone: r.phone,
      status: r.status,
      unitId: Number(r.unit_id),
      unitCode: r.unit_code,
      state: r.state,
      overdue: Boolean(r.behind),
      lessonsDone: 0,
      completedAt: null,
      hours: Number(r.hours) / 100,
      requirement: Number(r.requirement),
    })),
  };
}

async function countAssignmentMembers(code: string, assignmentId: number, condition: ReturnType<typeof sql>) {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`
      select count(*)::int as n from assignment_members am join units uu on uu.id = am.unit_id
      where am.assignment_id = ${assignmentId} and uu.code like ${likePrefix(code)} ${condition}`),
  );
  return Number(row?.n ?? 0);
}

/**
 * Sums for every unit of a subtree over its own subtree, from one pass over the subtree's rows:
 * each unit's own counts are added to itself and to each unit above it within the subtree.
 */
async function rollUpEveryUnit(code: string, metrics: string[]) {
  const result = await db.execute(sql`
    select u.code, s.metric, s.counts from units u
    join unit_stats s on s.unit_id = u.id and s.metric = any(${sql.param(metrics)}::text[])
    where u.code like ${likePrefix(code)}`);
  const byCode = new Map<string, Map<string, Counts>>();
  for (const r of rowsOf<{ code: string; metric: string; counts: Counts | string }>(result)) {
    const counts = typeof r.counts === "string" ? (JSON.parse(r.counts) as Counts) : r.counts;
    for (let len = code.length; len <= r.code.length; len += CODE_SEGMENT) {
      const prefix = r.code.slice(0, len);
      let m = byCode.get(prefix);
      if (!m) byCode.set(prefix, (m = new Map()));
      let c = m.get(r.metric);
      if (!c) m.set(r.metric, (c = {}));
      for (const [k, v] of Object.entries(counts)) c[k] = (c[k] ?? 0) + Number(v);
    }
  }
  return byCode;
}

/** Credit-hour figures of every unit in a subtree (each over its own subtree), for the year-end report. */
export async function creditReportByUnit(code: string, year: number, now = new Date()) {
  const metric = creditMetric(year);
  const byCode = await rollUpEveryUnit(code, [MEMBERS_METRIC, metric]);
  return (unitCode: string) => creditFigures(byCode.get(unitCode)?.get(MEMBERS_METRIC) ?? {}, byCode.get(unitCode)?.get(metric) ?? {}, year, now);
}

/** An assignment's figures for every unit in a subtree (each over its own subtree), for exports. */
export async function assignmentReportByUnit(code: string, assignment: { id: number; dueOn: string }, now = new Date()) {
  const metric = assignmentMetric(assignment.id);
  const byCode = await rollUpEveryUnit(code, [metric]);
  const today = chinaDay(now);
  return (unitCode: string) => assignmentFigures(byCode.get(unitCode)?.get(metric) ?? {}, assignment.dueOn, today);
}
