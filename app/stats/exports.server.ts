// The sheets behind every download: each row carries the unit path, and every query is bounded
// by the subtree code the route checked against the viewer's scope.
import type { Locale } from "~/i18n/messages";
import { STATUS_LABELS, type MemberStatus } from "~/org/kinds";
import {
  creditReportByUnit,
  memberList,
  subtreePaths,
  unitDashboard,
  unitPathOf,
  type DashboardUnit,
} from "./dashboard.server";
import type { AssignmentFilter } from "./metrics";
import { chinaTime, type Cell, type Sheet } from "./xlsx.server";
import { translate, type MessageKey } from "~/i18n/messages";

const rate = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);

function tr(locale: Locale) {
  return (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);
}

function statusLabel(locale: Locale, status: string) {
  return locale === "en" ? translate(locale, `status.${status}` as MessageKey) : (STATUS_LABELS[status as MemberStatus] ?? status);
}

const figureColumns = (t: ReturnType<typeof tr>, credit = false) => [
  { header: credit ? t("stats.col.members") : t("stats.col.assigned") },
  { header: credit ? t("stats.col.creditCompleted") : t("stats.col.completed") },
  { header: t("stats.col.inProgress") },
  { header: t("stats.col.notStarted") },
  { header: credit ? t("stats.col.creditOverdue") : t("stats.col.overdue") },
  { header: `${t("stats.col.rate")} (%)` },
];

/** An assignment's members below `code`, as filtered on the page (the "who has not finished" list). */
export async function assignmentMemberSheet(
  locale: Locale,
  code: string,
  assignment: { id: number; title: string; dueOn: string; courses: { lessonCount: number }[] },
  filter: AssignmentFilter,
): Promise<Sheet> {
  const t = tr(locale);
  const [{ rows }, { paths }] = await Promise.all([
    memberList(code, { kind: "assignment", id: assignment.id, dueOn: assignment.dueOn }, { filter, limit: null }),
    subtreePaths(code),
  ]);
  const lessons = assignment.courses.reduce((s, c) => s + c.lessonCount, 0);
  return {
    name: t("stats.sheet.members"),
    columns: [
      { header: t("stats.col.unitPath"), width: 40 },
      { header: t("stats.col.memberName") },
      { header: t("stats.col.employeeNo") },
      { header: t("stats.col.phone"), width: 14 },
      { header: t("stats.col.category"), width: 14 },
      { header: t("stats.col.title"), width: 24 },
      { header: t("stats.col.state") },
      { header: t("stats.col.lessons") },
      { header: t("stats.col.completedAt"), width: 18 },
      { header: t("stats.col.overdue") },
    ],
    rows: rows.map((r): Cell[] => [
      paths.get(r.unitId) ?? "",
      r.name,
      r.employeeNo,
      r.phone ?? "",
      statusLabel(locale, r.status),
      assignment.title,
      t(`state.${r.state}`),
      `${r.lessonsDone}/${lessons}`,
      chinaTime(r.completedAt),
      r.overdue ? t("stats.yes") : t("stats.no"),
    ]),
  };
}

/** The dashboard's two tables (assignments of the unit, and child units for the chosen metric). */
export async function dashboardSheets(
  locale: Locale,
  unit: DashboardUnit,
  options: Parameters<typeof unitDashboard>[1],
  which: "assignments" | "children",
): Promise<Sheet> {
  const t = tr(locale);
  const d = await unitDashboard(unit, { ...options, extras: false });
  const path = d.path.map((p) => p.name).join(" / ");
  if (which === "assignments") {
    const creditLabel = t("stats.credit", { year: d.credit.year });
    return {
      name: t("stats.sheet.assignments"),
      columns: [{ header: t("stats.col.unitPath"), width: 40 }, { header: t("stats.col.title"), width: 28 }, { header: t("assign.unit"), width: 20 }, { header: t("stats.col.due"), width: 12 }, ...figureColumns(t)],
      rows: [
        ...d.assignments.map((a): Cell[] => [path, a.title, a.unitName, a.dueOn, a.assigned, a.completed, a.inProgress, a.notStarted, a.overdue, rate(a.rate)]),
        [path, creditLabel, "", `${d.credit.year}-12-31`, d.credit.assigned, d.credit.completed, d.credit.inProgress, d.credit.notStarted, d.credit.overdue, rate(d.credit.rate)],
      ],
    };
  }
  const credit = d.selected.kind === "credit";
  const metricLabel = d.selected.kind === "assignment" ? d.selected.title : t("stats.credit", { year: d.selected.year });
  return {
    name: t("stats.sheet.children"),
    columns: [{ header: t("stats.col.unitPath"), width: 48 }, { header: t("stats.col.title"), width: 24 }, ...figureColumns(t, credit)],
    rows: d.children.map((c): Cell[] => [
      c.direct ? `${path} (${t("stats.direct", { name: c.name })})` : `${path} / ${c.name}`,
      metricLabel,
      c.assigned,
      c.completed,
      c.inProgress,
      c.notStarted,
      c.overdue,
      rate(c.rate),
    ]),
  };
}

/** Members below `code` for an assignment or a year's credit hours (the drill-down list). */
export async function memberSheet(
  locale: Locale,
  code: string,
  target: { kind: "assignment"; id: number; title: string; dueOn: string; lessons: number } | { kind: "credit"; year: number },
  filter: AssignmentFilter,
): Promise<Sheet> {
  if (target.kind === "assignment") {
    return assignmentMemberSheet(locale, code, { ...target, courses: [{ lessonCount: target.lessons }] }, filter);
  }
  return creditMemberSheet(locale, code, target.year, filter);
}

/** Year-end credit hours per member (every active member below `code`). */
export async function creditMemberSheet(locale: Locale, code: string, year: number, filter: AssignmentFilter = "all"): Promise<Sheet> {
  const t = tr(locale);
  const [{ rows }, { paths }] = await Promise.all([memberList(code, { kind: "credit", year }, { filter, limit: null }), subtreePaths(code)]);
  return {
    name: t("stats.sheet.creditMembers"),
    columns: [
      { header: t("stats.col.unitPath"), width: 40 },
      { header: t("stats.col.memberName") },
      { header: t("stats.col.employeeNo") },
      { header: t("stats.col.category"), width: 14 },
      { header: t("stats.col.year") },
      { header: t("stats.col.hours") },
      { header: t("stats.col.requirement") },
      { header: t("stats.col.state") },
      { header: t("stats.col.creditOverdue") },
    ],
    rows: rows.map((r): Cell[] => [
      paths.get(r.unitId) ?? "",
      r.name,
      r.employeeNo,
      statusLabel(locale, r.status),
      year,
      r.hours,
      r.requirement,
      r.state === "completed" ? t("filter.credit.completed") : t(`state.${r.state}`),
      r.overdue ? t("stats.yes") : t("stats.no"),
    ]),
  };
}

/** Year-end credit hours per unit: every unit below `code` (and it), each with its subtree's figures. */
export async function creditUnitSheet(locale: Locale, code: string, year: number): Promise<Sheet> {
  const t = tr(locale);
  const [{ paths, units }, figuresOf] = await Promise.all([subtreePaths(code), creditReportByUnit(code, year)]);
  return {
    name: t("stats.sheet.creditUnits"),
    columns: [
      { header: t("stats.col.unitPath"), width: 48 },
      { header: t("stats.col.year") },
      ...figureColumns(t, true),
      { header: t("stats.col.hours") },
      ...Array.from({ length: 12 }, (_, i) => ({ header: `${t("stats.col.month")} ${i + 1}`, width: 9 })),
    ],
    rows: units.map((u): Cell[] => {
      const f = figuresOf(u.code);
      return [paths.get(u.id) ?? u.name, year, f.members, f.completed, f.inProgress, f.notStarted, f.overdue, rate(f.rate), f.hours, ...f.perMonth];
    }),
  };
}

export { unitPathOf };
