import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Pager } from "~/components/pager";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { deleteAssignment, requireAssignmentVisible } from "~/assignments/assignments.server";
import { remindUnfinished } from "~/assignments/reminders.server";
import { notFound, parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { freshenStats } from "~/stats/aggregate.server";
import { memberList, sumSubtree, toRow } from "~/stats/dashboard.server";
import { ASSIGNMENT_FILTERS, assignmentFigures, assignmentMetric, chinaDay, formatRate } from "~/stats/metrics";
import { assignmentListScope } from "~/stats/scope.server";
import { useT } from "~/i18n/i18n";
import { UnitOptions } from "~/components/unit-options";

export const meta: MetaFunction = () => [{ title: "学习任务 · 网上党校" }];

const PAGE_SIZE = 50;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const { assignment, editable } = await requireAssignmentVisible(viewer, parseId(params.assignmentId));
  const url = new URL(request.url);
  const { units, unit, filter } = await assignmentListScope(viewer, assignment, url);
  await freshenStats();
  const page = Math.min(Math.max(Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1), 10_000);
  const today = chinaDay();
  const metric = assignmentMetric(assignment.id);
  const [totals, list] = await Promise.all([
    sumSubtree(unit.code, [metric]),
    memberList(unit.code, { kind: "assignment", id: assignment.id, dueOn: assignment.dueOn }, { filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
  ]);
  const lessonsTotal = assignment.courses.reduce((s, c) => s + c.lessonCount, 0);
  return {
    assignment: {
      id: assignment.id,
      title: assignment.title,
      note: assignment.note,
      unitName: assignment.unitName,
      startsOn: assignment.startsOn,
      dueOn: assignment.dueOn,
      statuses: assignment.statuses,
      courses: assignment.courses,
    },
    editable,
    lessonsTotal,
    units: units.map((u) => ({ id: u.id, name: u.name, depth: u.depth })),
    unit: { id: unit.id, name: unit.name },
    filter,
    page,
    pageSize: PAGE_SIZE,
    figures: toRow(assignmentFigures(totals.get(metric) ?? {}, assignment.dueOn, today)),
    total: list.total,
    members: list.rows.map((r) => ({
      userId: r.userId,
      name: r.name,
      employeeNo: r.employeeNo,
      status: r.status,
      state: r.state,
      overdue: r.overdue,
      lessonsDone: r.lessonsDone,
      completedAt: r.completedAt ? chinaDay(r.completedAt) : null,
    })),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const { assignment, editable } = await requireAssignmentVisible(viewer, parseId(params.assignmentId));
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (intent === "delete") {
    if (!editable) notFound();
    await deleteAssignment(assignment.id);
    return redirect("/admin/assignments");
  }
  if (intent === "remind") {
    const url = new URL(request.url);
    for (const key of ["unit", "status"]) {
      const value = form.get(key);
      if (typeof value === "string") url.searchParams.set(key, value);
    }
    const { unit, filter } = await assignmentListScope(viewer, assignment, url);
    await freshenStats();
    const result = await remindUnfinished({ id: assignment.id, title: assignment.title, dueOn: assignment.dueOn }, unit.code, filter);
    return { reminded: result };
  }
  throw new Response("Bad request", { status: 400 });
}

export default function AssignmentPage() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const a = data.assignment;
  const query = `unit=${data.unit.id}&status=${data.filter}`;
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  const cells: [string, number | string, string?][] = [
    [t("stats.col.assigned"), data.figures.assigned],
    [t("stats.col.completed"), data.figures.completed],
    [t("stats.col.inProgress"), data.figures.inProgress],
    [t("stats.col.notStarted"), data.figures.notStarted],
    [t("stats.col.overdue"), data.figures.overdue, data.figures.overdue > 0 ? "text-red-800" : undefined],
    [t("stats.col.rate"), formatRate(data.figures.rate)],
  ];
  return (
    <div className="space-y-4">
      <Link to={`/admin/assignments?unit=${data.unit.id}`} className="link">
        ← {t("assign.title")}
      </Link>
      <section className="card space-y-2">
        <h1 className="text-2xl font-bold">{a.title}</h1>
        <p className="text-gray-700">
          {t("assign.setBy", { unit: a.unitName })} · {t("assign.period", { from: a.startsOn, to: a.dueOn })}
        </p>
        <p className="text-gray-700">{a.statuses.length ? a.statuses.map((s) => t(`status.${s}`)).join("、") : t("assign.allStatuses")}</p>
        {a.note ? <p className="whitespace-pre-line">{a.note}</p> : null}
        <ul className="list-inside list-disc">
          {a.courses.map((c) => (
            <li key={c.id}>
              {c.title} <span className="text-gray-600">· {t("assign.lessons", { count: c.lessonCount })}</span>
            </li>
          ))}
        </ul>
        {!data.editable ? <p className="rounded-lg bg-gray-100 p-2 text-gray-800">{t("assign.readOnly")}</p> : null}
        <div className="flex flex-wrap gap-2 pt-2">
          <Link to={`/admin/stats?unit=${data.unit.id}&metric=assignment:${a.id}`} className="btn-secondary">
            {t("assign.stats")}
          </Link>
          {data.editable ? (
            <Link to={`/admin/assignments/${a.id}/edit`} className="btn-secondary">
              {t("assign.edit")}
            </Link>
          ) : null}
        </div>
      </section>

      <section className="card space-y-3" aria-labelledby="figures">
        <h2 id="figures" className="text-xl font-bold">
          {data.unit.name}
        </h2>
        <dl className="grid grid-cols-3 gap-2 text-center sm:grid-cols-6" data-testid="assignment-figures">
          {cells.map(([label, value, tone]) => (
            <div key={label} className="rounded-lg bg-gray-50 p-2">
              <dt className="text-sm text-gray-700">{label}</dt>
              <dd className={`text-xl font-bold ${tone ?? ""}`}>{value}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="card space-y-3" aria-labelledby="unfinished">
        <h2 id="unfinished" className="text-xl font-bold">
          {t("assign.unfinishedTitle")}
        </h2>
        <Form method="get" className="grid gap-2 sm:grid-cols-[1fr_1fr_auto]">
          <div>
            <label htmlFor="unit" className="block font-medium">
              {t("assign.filterUnit")}
            </label>
            <select id="unit" name="unit" defaultValue={data.unit.id} className="input">
              <UnitOptions units={data.units} />
            </select>
          </div>
          <div>
            <label htmlFor="status" className="block font-medium">
              {t("assign.filterStatus")}
            </label>
            <select id="status" name="status" defaultValue={data.filter} className="input">
              {ASSIGNMENT_FILTERS.map((f) => (
                <option key={f} value={f}>
                  {t(`filter.${f}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn-secondary self-end">
            {t("assign.filter")}
          </button>
        </Form>
        <div className="flex flex-wrap items-center gap-2">
          <a href={`/admin/assignments/${a.id}/export.xlsx?${query}`} className="btn-secondary" download>
            {t("assign.export")}
          </a>
          <Form method="post">
            <input type="hidden" name="intent" value="remind" />
            <input type="hidden" name="unit" value={data.unit.id} />
            <input type="hidden" name="status" value={data.filter} />
            <button type="submit" className="btn" disabled={navigation.state === "submitting"} aria-describedby="remind-hint">
              {t("assign.remind")}
            </button>
          </Form>
        </div>
        <p id="remind-hint" className="text-sm text-gray-600">
          {t("assign.remindHint")}
        </p>
        {actionData?.reminded ? (
          <p role="status" className="rounded-lg bg-green-50 p-2 text-green-900">
            {actionData.reminded.sent + actionData.reminded.skipped === 0
              ? t("assign.remindNone")
              : t("assign.reminded", { sent: actionData.reminded.sent, skipped: actionData.reminded.skipped })}
          </p>
        ) : null}
        <p className="text-gray-700" data-testid="member-total">
          {t("assign.members", { total: data.total })}
        </p>
        <ul className="divide-y divide-gray-200" data-testid="member-list">
          {data.members.map((m) => (
            <li key={m.userId} className="flex flex-wrap items-baseline justify-between gap-x-3 py-2">
              <span className="text-lg">
                {m.name} <span className="text-base text-gray-600">{m.employeeNo}</span>
              </span>
              <span className={m.overdue ? "font-semibold text-red-800" : m.state === "completed" ? "text-green-800" : "text-gray-800"}>
                {m.overdue ? t("state.overdue") : t(`state.${m.state}`)} · {t("assign.lessonsDone", { done: m.lessonsDone, total: data.lessonsTotal })}
                {m.completedAt ? ` · ${t("assign.completedAt", { date: m.completedAt })}` : ""}
              </span>
            </li>
          ))}
        </ul>
        <Pager page={data.page} pages={pages} href={(p) => `?${query}&page=${p}`} label={t("assign.members", { total: data.total })} />
      </section>

      {data.editable ? (
        <section className="card space-y-2">
          <h2 className="text-xl font-bold">{t("assign.delete")}</h2>
          <p className="text-gray-700">{t("assign.deleteHint")}</p>
          <Form
            method="post"
            onSubmit={(e) => {
              if (!confirm(t("common.confirmDelete"))) e.preventDefault();
            }}
          >
            <input type="hidden" name="intent" value="delete" />
            <button type="submit" className="btn-danger">
              {t("assign.delete")}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}

