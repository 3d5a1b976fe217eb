import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseId, requireRole, requireUnitInScope } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { freshenStats } from "~/stats/aggregate.server";
import { getLocale } from "~/i18n/locale.server";
import { creditMemberSheet, creditUnitSheet, dashboardSheets, memberSheet } from "~/stats/exports.server";
import { chinaYearOf, SORT_KEYS, type SortKey } from "~/stats/metrics";
import { parseFilter } from "~/stats/scope.server";
import { parseTarget } from "~/stats/target.server";
import { writeXlsx, xlsxResponse } from "~/stats/xlsx.server";

const TABLES = ["assignments", "children", "members", "credit-units", "credit-members"] as const;

/**
 * GET /admin/stats/export.xlsx?unit=ID&table=…  Every dashboard table as XLSX, with the unit path
 * in each row; only the unit's subtree (which the viewer must cover).
 *   assignments      the unit's assignments and this year's credit hours
 *   children         child units for &metric= (sorted like the page: &sort= &dir=)
 *   members          members for &metric= and &status=
 *   credit-units     year-end credit hours of every unit below (&year=)
 *   credit-members   year-end credit hours of every member below (&year=)
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const url = new URL(request.url);
  const unit = await requireUnitInScope(viewer, parseId(url.searchParams.get("unit")), "organiser");
  const table = url.searchParams.get("table") ?? "";
  if (!(TABLES as readonly string[]).includes(table)) throw new Response("Unknown table", { status: 400 });
  const locale = await getLocale(request);
  await freshenStats();
  const yearParam = Number(url.searchParams.get("year"));
  const year = Number.isInteger(yearParam) && yearParam >= 2000 && yearParam <= 2100 ? yearParam : chinaYearOf();
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  const dashUnit = { id: unit.id, name: unit.name, code: unit.code, kind: unit.kind };
  let sheet;
  let label: string;
  switch (table) {
    case "assignments":
    case "children": {
      const sortParam = url.searchParams.get("sort") ?? "name";
      const sort: SortKey = (SORT_KEYS as readonly string[]).includes(sortParam) ? (sortParam as SortKey) : "name";
      const metric = url.searchParams.get("metric");
      if (metric) await parseTarget(viewer, metric);
      sheet = await dashboardSheets(locale, dashUnit, { metric, sort, dir: url.searchParams.get("dir") === "desc" ? "desc" : "asc", year }, table);
      label = table === "assignments" ? "学习任务" : "下级组织";
      break;
    }
    case "members": {
      const target = await parseTarget(viewer, url.searchParams.get("metric"));
      sheet = await memberSheet(locale, unit.code, target, parseFilter(url.searchParams.get("status"), "all"));
      label = target.kind === "assignment" ? target.title : `${target.year}年学时`;
      break;
    }
    case "credit-units":
      sheet = await creditUnitSheet(locale, unit.code, year);
      label = `${year}年学时-组织`;
      break;
    default:
      sheet = await creditMemberSheet(locale, unit.code, year);
      label = `${year}年学时-人员`;
  }
  return xlsxResponse(await writeXlsx([sheet]), `${label}-${unit.name}-${day}.xlsx`, `stats-${table}-${unit.code}-${day}.xlsx`);
}
