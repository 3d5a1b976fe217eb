import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { assignmentsConcerning } from "~/assignments/assignments.server";
import { coversCode, parseId, requireRole, requireUnitInScope, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { freshenStats } from "~/stats/aggregate.server";
import { listUnitsUnder } from "~/org/units.server";
import { sumSubtree, toRow } from "~/stats/dashboard.server";
import { assignmentFigures, assignmentMetric, chinaDay, daysBetween, formatRate } from "~/stats/metrics";
import { useT } from "~/i18n/i18n";
import { UnitOptions } from "~/components/unit-options";

export const meta: MetaFunction = () => [{ title: "学习任务 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const unitParam = new URL(request.url).searchParams.get("unit");
  const units = await listUnitsUnder(scopePrefixes(viewer, "organiser"));
  const unit = await requireUnitInScope(viewer, unitParam ? parseId(unitParam) : units[0].id, "organiser");
  await freshenStats();
  const list = await assignmentsConcerning(unit.code, { limit: 100 });
  const totals = await sumSubtree(
    unit.code,
    list.map((a) => assignmentMetric(a.id)),
  );
  const today = chinaDay();
  return {
    unit: { id: unit.id, name: unit.name },
    units: units.map((u) => ({ id: u.id, name: u.name, depth: u.depth })),
    today,
    assignments: list.map((a) => ({
      id: a.id,
      title: a.title,
      unitName: a.unitName,
      startsOn: a.startsOn,
      dueOn: a.dueOn,
      editable: coversCode(viewer, a.unitCode, "organiser"),
      ...toRow(assignmentFigures(totals.get(assignmentMetric(a.id)) ?? {}, a.dueOn, today)),
    })),
  };
}

export default function AssignmentList() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  return (
    <section className="card space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">
          {t("assign.title")} · {data.unit.name}
        </h1>
        <Link to={`/admin/assignments/new?unit=${data.unit.id}`} className="btn">
          {t("assign.new")}
        </Link>
      </div>
      {data.units.length > 1 ? (
        <Form method="get" className="grid gap-2 sm:grid-cols-[1fr_auto]">
          <label htmlFor="unit" className="sr-only">
            {t("assign.filterUnit")}
          </label>
          <select id="unit" name="unit" defaultValue={data.unit.id} className="input" onChange={(e) => e.currentTarget.form?.requestSubmit()}>
            <UnitOptions units={data.units} />
          </select>
          <button type="submit" className="btn-secondary">
            {t("assign.filter")}
          </button>
        </Form>
      ) : null}
      {data.assignments.length === 0 ? <p className="text-gray-700">{t("assign.none")}</p> : null}
      <ul className="space-y-3">
        {data.assignments.map((a) => {
          const days = daysBetween(data.today, a.dueOn);
          return (
            <li key={a.id} className="rounded-lg border border-gray-200 p-3">
              <Link to={`/admin/assignments/${a.id}?unit=${data.unit.id}`} className="link text-lg font-semibold">
                {a.title}
              </Link>
              <p className="text-gray-700">
                {t("assign.setBy", { unit: a.unitName })} · {t("assign.period", { from: a.startsOn, to: a.dueOn })}
              </p>
              <p className="mt-1">
                {t("assign.progress", { completed: a.completed, assigned: a.assigned })} · {formatRate(a.rate)}
                {" · "}
                {a.overdue > 0 ? (
                  <span className="font-semibold text-red-800">{t("assign.overdueDays", { days: -days })}</span>
                ) : days === 0 ? (
                  t("assign.dueToday")
                ) : days > 0 ? (
                  t("assign.dueIn", { days })
                ) : null}
              </p>
              <div
                className="mt-2 h-3 w-full overflow-hidden rounded-full bg-gray-200"
                role="progressbar"
                aria-label={a.title}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round((a.rate ?? 0) * 100)}
              >
                <div className="h-full bg-party-600" style={{ width: `${Math.round((a.rate ?? 0) * 100)}%` }} />
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
