import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Pager } from "~/components/pager";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { parseId, requireRole, requireUnitInScope } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { freshenStats } from "~/stats/aggregate.server";
import { memberList, subtreePaths, unitPathOf } from "~/stats/dashboard.server";
import { ASSIGNMENT_FILTERS, chinaDay } from "~/stats/metrics";
import { parseFilter } from "~/stats/scope.server";
import { parseTarget } from "~/stats/target.server";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "成员名单 · 网上党校" }];

const PAGE_SIZE = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const url = new URL(request.url);
  const unit = await requireUnitInScope(viewer, parseId(url.searchParams.get("unit")), "organiser");
  const target = await parseTarget(viewer, url.searchParams.get("metric"));
  await freshenStats();
  const filter = parseFilter(url.searchParams.get("status"), "all");
  const page = Math.min(Math.max(Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1), 10_000);
  const [list, path, { paths }] = await Promise.all([
    memberList(unit.code, target, { filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    unitPathOf(unit.code),
    subtreePaths(unit.code),
  ]);
  const rootDepth = path.length - 1;
  return {
    unit: { id: unit.id, name: unit.name },
    path: path.map((p) => p.name).join(" / "),
    target,
    filter,
    page,
    pageSize: PAGE_SIZE,
    total: list.total,
    rows: list.rows.map((r) => ({
      userId: r.userId,
      name: r.name,
      employeeNo: r.employeeNo,
      // The path below the unit shown (the unit itself is in the heading).
      unitPath: (paths.get(r.unitId) ?? "").split(" / ").slice(rootDepth + 1).join(" / "),
      state: r.state,
      overdue: r.overdue,
      lessonsDone: r.lessonsDone,
      completedAt: r.completedAt ? chinaDay(r.completedAt) : null,
      hours: r.hours,
      requirement: r.requirement,
    })),
  };
}

export default function StatsMembers() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const credit = d.target.kind === "credit";
  const metricTitle = d.target.kind === "assignment" ? d.target.title : t("stats.credit", { year: d.target.year });
  const query = `unit=${d.unit.id}&metric=${encodeURIComponent(d.target.metric)}&status=${d.filter}`;
  const pages = Math.max(1, Math.ceil(d.total / d.pageSize));
  return (
    <section className="card space-y-3">
      <Link to={`/admin/stats?unit=${d.unit.id}&metric=${encodeURIComponent(d.target.metric)}`} className="link">
        ← {t("stats.title")}
      </Link>
      <h1 className="text-2xl font-bold">{t("stats.memberList")}</h1>
      <p className="text-gray-700">{t("stats.memberListOf", { unit: d.path, metric: metricTitle })}</p>
      <Form method="get" className="grid gap-2 sm:grid-cols-[1fr_auto]">
        <input type="hidden" name="unit" value={d.unit.id} />
        <input type="hidden" name="metric" value={d.target.metric} />
        <div>
          <label htmlFor="status" className="block font-medium">
            {t("assign.filterStatus")}
          </label>
          <select id="status" name="status" defaultValue={d.filter} className="input">
            {ASSIGNMENT_FILTERS.map((f) => (
              <option key={f} value={f}>
                {credit && (f === "completed" || f === "overdue") ? t(`filter.credit.${f}`) : t(`filter.${f}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn-secondary self-end">
          {t("assign.filter")}
        </button>
      </Form>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-gray-700" data-testid="member-total">
          {t("assign.members", { total: d.total })}
        </p>
        <a className="link" href={`/admin/stats/export.xlsx?${query}&table=members`} download>
          {t("stats.export")}
        </a>
      </div>
      <ul className="divide-y divide-gray-200" data-testid="member-list">
        {d.rows.map((m) => (
          <li key={m.userId} className="py-2">
            <p className="text-lg">
              {m.name} <span className="text-base text-gray-600">{m.employeeNo}</span>
            </p>
            <p className={m.overdue ? "font-semibold text-red-800" : "text-gray-800"}>
              {credit
                ? `${m.hours} / ${m.requirement} ${t("stats.col.hours")} · ${m.state === "completed" ? t("filter.credit.completed") : m.overdue ? t("filter.credit.overdue") : t(`state.${m.state}`)}`
                : `${m.overdue ? t("state.overdue") : t(`state.${m.state}`)} · ${t("assign.lessonsDone", { done: m.lessonsDone, total: d.target.kind === "assignment" ? d.target.lessons : 0 })}${m.completedAt ? ` · ${t("assign.completedAt", { date: m.completedAt })}` : ""}`}
            </p>
            {m.unitPath ? <p className="text-sm text-gray-600">{m.unitPath}</p> : null}
          </li>
        ))}
      </ul>
      <Pager page={d.page} pages={pages} href={(p) => `?${query}&page=${p}`} label={t("assign.members", { total: d.total })} />
    </section>
  );
}
