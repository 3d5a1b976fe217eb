import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { coversCode, parseId, requireRole, requireUnitInScope, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { freshenStats } from "~/stats/aggregate.server";
import { getUnitByCode } from "~/org/units.server";
import { BarChart, FiguresTable } from "~/stats/components";
import { unitDashboard } from "~/stats/dashboard.server";
import { chinaYearOf, SORT_KEYS, type SortKey, formatRate } from "~/stats/metrics";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "学习统计 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const url = new URL(request.url);
  const unitParam = url.searchParams.get("unit");
  const unitId = unitParam ? parseId(unitParam) : (await getUnitByCode(scopePrefixes(viewer, "organiser")[0]))!.id;
  const unit = await requireUnitInScope(viewer, unitId, "organiser");
  await freshenStats();
  const sortParam = url.searchParams.get("sort") ?? "name";
  const sort: SortKey = (SORT_KEYS as readonly string[]).includes(sortParam) ? (sortParam as SortKey) : "name";
  const dir: "asc" | "desc" = url.searchParams.get("dir") === "desc" ? "desc" : "asc";
  const yearParam = Number(url.searchParams.get("year"));
  const year = Number.isInteger(yearParam) && yearParam >= 2000 && yearParam <= 2100 ? yearParam : chinaYearOf();
  const d = await unitDashboard({ id: unit.id, name: unit.name, code: unit.code, kind: unit.kind }, { metric: url.searchParams.get("metric"), sort, dir, year });
  return {
    ...d,
    sort,
    dir,
    // Units above the viewer's scope are shown as text, not links.
    path: d.path.map((p) => ({ ...p, link: coversCode(viewer, p.code, "organiser") })),
    children: d.children.map((c) => ({ ...c, key: c.code })),
  };
}

export default function StatsDashboard() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const metricTitle = d.selected.kind === "assignment" ? d.selected.title : t("stats.credit", { year: d.selected.year });
  const credit = d.selected.kind === "credit";
  const base = `/admin/stats?unit=${d.unit.id}&metric=${encodeURIComponent(d.selected.metric)}`;
  const exportBase = `/admin/stats/export.xlsx?unit=${d.unit.id}&metric=${encodeURIComponent(d.selected.metric)}`;
  const membersHref = (unitId: number) => `/admin/stats/members?unit=${unitId}&metric=${encodeURIComponent(d.selected.metric)}`;
  const overview = [
    ...d.assignments.map((a) => ({ ...a, key: a.metric, credit: false })),
    { key: `credit:${d.credit.year}`, metric: `credit:${d.credit.year}`, title: t("stats.credit", { year: d.credit.year }), dueOn: `${d.credit.year}-12-31`, credit: true, ...d.credit },
  ];
  const extras = d.extras;
  return (
    <div className="space-y-4">
      <nav aria-label="breadcrumb" className="text-base text-gray-700">
        {d.path.map((p, i) => (
          <span key={p.code}>
            {i > 0 ? " / " : ""}
            {p.code === d.unit.code ? (
              <span aria-current="page">{p.name}</span>
            ) : p.link ? (
              <Link className="link" to={`/admin/stats?unit=${p.id}&metric=${encodeURIComponent(d.selected.metric)}`}>
                {p.name}
              </Link>
            ) : (
              p.name
            )}
          </span>
        ))}
      </nav>

      <section className="card space-y-2">
        <h1 className="text-2xl font-bold">
          {d.unit.name} · {t("stats.title")}
        </h1>
        <p className="text-gray-700" data-testid="unit-members">
          {t("stats.members", { count: d.members })}
        </p>
        <div className="flex flex-wrap gap-2">
          <a className="btn-secondary" href={`/admin/stats/export.xlsx?unit=${d.unit.id}&table=credit-units&year=${d.credit.year}`} download>
            {t("stats.exportCreditUnits")}
          </a>
          <a className="btn-secondary" href={`/admin/stats/export.xlsx?unit=${d.unit.id}&table=credit-members&year=${d.credit.year}`} download>
            {t("stats.exportCreditMembers")}
          </a>
        </div>
      </section>

      <section className="card space-y-3" aria-labelledby="overview">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="overview" className="text-xl font-bold">
            {t("stats.assignments")}
          </h2>
          <a className="link" href={`${exportBase}&table=assignments`} download>
            {t("stats.export")}
          </a>
        </div>
        {d.assignments.length === 0 ? <p className="text-gray-700">{t("stats.noAssignments")}</p> : null}
        <FiguresTable
          rows={overview}
          caption={t("stats.assignments")}
          testId="assignments-table"
          name={(r) => (
            <span className="flex flex-col">
              <Link to={`/admin/stats?unit=${d.unit.id}&metric=${encodeURIComponent(r.metric)}`} className="link" aria-current={r.metric === d.selected.metric ? "true" : undefined}>
                {r.title}
              </Link>
              <span className="text-sm text-gray-600">
                {r.credit ? t("stats.creditHours", { hours: d.credit.hours }) : `${t("stats.col.due")} ${r.dueOn}`}
              </span>
            </span>
          )}
        />
        <p className="text-sm text-gray-600">{t("stats.creditHint", { pace: Math.round(d.credit.pace * 100) })}</p>
        {d.below.length > 0 ? (
          <div>
            <h3 className="font-semibold">{t("stats.below")}</h3>
            <ul className="mt-1 space-y-1">
              {d.below.map((a) => (
                <li key={a.id}>
                  <Link to={`/admin/stats?unit=${d.unit.id}&metric=${encodeURIComponent(a.metric)}`} className="link" aria-current={a.metric === d.selected.metric ? "true" : undefined}>
                    {a.title}
                  </Link>{" "}
                  <span className="text-gray-600">
                    · {a.unitName} · {t("stats.col.due")} {a.dueOn}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>

      <section className="card space-y-3" aria-labelledby="children">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="children" className="text-xl font-bold">
            {t("stats.children", { metric: metricTitle })}
          </h2>
          <span className="flex gap-3">
            <Link className="link" to={membersHref(d.unit.id)}>
              {t("stats.drill")}
            </Link>
            <a className="link" href={`${exportBase}&table=children`} download>
              {t("stats.export")}
            </a>
          </span>
        </div>
        <dl className="grid grid-cols-3 gap-2 text-center sm:grid-cols-6" data-testid="selected-totals">
          {(
            [
              [credit ? t("stats.col.members") : t("stats.col.assigned"), d.totals.assigned],
              [credit ? t("stats.col.creditCompleted") : t("stats.col.completed"), d.totals.completed],
              [t("stats.col.inProgress"), d.totals.inProgress],
              [t("stats.col.notStarted"), d.totals.notStarted],
              [credit ? t("stats.col.creditOverdue") : t("stats.col.overdue"), d.totals.overdue],
              [t("stats.col.rate"), formatRate(d.totals.rate)],
            ] as const
          ).map(([label, value]) => (
            <div key={label} className="rounded-lg bg-gray-50 p-2">
              <dt className="text-sm text-gray-700">{label}</dt>
              <dd className="text-xl font-bold">{value}</dd>
            </div>
          ))}
        </dl>
        {d.children.length === 0 ? <p className="text-gray-700">{t("stats.noChildren")}</p> : null}
        {d.children.length > 0 ? (
          <FiguresTable
            rows={d.children}
            caption={t("stats.children", { metric: metricTitle })}
            credit={credit}
            testId="children-table"
            sort={{ key: d.sort, dir: d.dir }}
            sortHref={(key, dir) => `${base}&sort=${key}&dir=${dir}`}
            name={(c) =>
              c.direct ? (
                <Link to={membersHref(c.id!)} className="link">
                  {t("stats.direct", { name: c.name })}
                </Link>
              ) : (
                <span className="flex flex-col">
                  <Link to={c.hasChildren ? `/admin/stats?unit=${c.id}&metric=${encodeURIComponent(d.selected.metric)}` : membersHref(c.id!)} className="link">
                    {c.name}
                  </Link>
                  <span className="text-sm text-gray-600">
                    {t(`kind.${c.kind}` as "kind.group")}
                    {c.hasChildren ? (
                      <>
                        {" · "}
                        <Link to={membersHref(c.id!)} className="link">
                          {t("stats.drill")}
                        </Link>
                      </>
                    ) : null}
                  </span>
                </span>
              )
            }
          />
        ) : null}
      </section>

      <section className="card" aria-label={d.chart.kind === "daily" ? t("stats.chart.daily") : t("stats.chart.monthly")}>
        {d.chart.kind === "daily" ? (
          d.chart.points.length && d.chart.points[d.chart.points.length - 1].cumulative > 0 ? (
            <BarChart
              title={`${metricTitle} · ${t("stats.chart.daily")}`}
              points={d.chart.points.map((p) => ({ label: p.day, value: p.count, line: p.cumulative }))}
              barLabel={t("stats.chart.count")}
              lineLabel={t("stats.chart.cumulative")}
              labelHeader={t("stats.chart.day")}
            />
          ) : (
            <p className="text-gray-700">
              {t("stats.chart.daily")}：{t("stats.chart.empty")}
            </p>
          )
        ) : (
          <BarChart
            title={`${metricTitle} · ${t("stats.chart.monthly")}`}
            points={d.chart.months.map((h, i) => ({ label: String(i + 1), value: h }))}
            barLabel={t("stats.col.hours")}
            labelHeader={t("stats.col.month")}
          />
        )}
      </section>

      {extras ? (
        <section className="card space-y-2" aria-labelledby="extras">
          <h2 id="extras" className="text-xl font-bold">
            {t("stats.extras", { year: d.year })}
          </h2>
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrollable region must be keyboard-reachable */}
          <div className="-mx-4 overflow-x-auto px-4" role="region" aria-label={t("stats.extras", { year: d.year })} tabIndex={0}>
            <table className="w-full min-w-[28rem] text-right">
              <thead>
                <tr className="border-b-2 border-gray-300 text-sm text-gray-700">
                  <th scope="col" className="text-left">
                    {t("stats.col.name")}
                  </th>
                  <th scope="col">{t("stats.col.points")}</th>
                  <th scope="col">{t("stats.col.pointsMembers")}</th>
                  <th scope="col">{t("stats.col.contestEntries")}</th>
                  <th scope="col">{t("stats.col.contestRate")}</th>
                </tr>
              </thead>
              <tbody>
                {d.children
                  .filter((c) => !c.direct)
                  .map((c) => {
                    const p = extras.points[c.code];
                    const e = extras.contests[c.code];
                    return (
                      <tr key={c.code} className="border-b border-gray-200">
                        <th scope="row" className="text-left font-normal">
                          {c.name}
                        </th>
                        <td>{p?.points ?? 0}</td>
                        <td>{p?.members ?? 0}</td>
                        <td>{e?.entries ?? 0}</td>
                        <td>{formatRate(c.members ? (e?.members ?? 0) / c.members : null)}</td>
                      </tr>
                    );
                  })}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
