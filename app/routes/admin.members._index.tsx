import type { LoaderFunctionArgs } from "@remix-run/node";
import { Pager } from "~/components/pager";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { parseId, requireRole, requireUnitInScope, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { useT } from "~/i18n/i18n";
import { listMembers } from "~/org/members.server";
import { listUnitsUnder } from "~/org/units.server";
import { UnitOptions } from "~/components/unit-options";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const url = new URL(request.url);
  const unitParam = url.searchParams.get("unit");
  const units = await listUnitsUnder(scopePrefixes(viewer, "organiser"));
  const unit = await requireUnitInScope(viewer, unitParam ? parseId(unitParam) : units[0].id, "organiser");
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, 50);
  const page = Math.min(Math.max(Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1, 1), 10_000);
  const members = await listMembers(unit.code, { q, page });
  return { unit: { id: unit.id, name: unit.name }, units, q, page, ...members };
}

export default function MemberList() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  const pageLink = (page: number) => `?unit=${data.unit.id}&q=${encodeURIComponent(data.q)}&page=${page}`;
  return (
    <section className="card space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">
          {t("members.title")} · {data.unit.name}
        </h1>
        <Link to={`/admin/members/new?unit=${data.unit.id}`} className="btn">
          {t("members.new")}
        </Link>
      </div>
      <Form method="get" className="grid gap-2 sm:grid-cols-[1fr_1fr_auto]">
        <label className="sr-only" htmlFor="unit">
          {t("members.unit")}
        </label>
        <select id="unit" name="unit" defaultValue={data.unit.id} className="input">
          <UnitOptions units={data.units} />
        </select>
        <label className="sr-only" htmlFor="q">
          {t("members.search")}
        </label>
        <input id="q" name="q" type="search" defaultValue={data.q} placeholder={t("members.search")} className="input" />
        <button type="submit" className="btn-secondary">
          {t("members.search").slice(0, 2)}
        </button>
      </Form>
      <p className="text-gray-600">{t("members.total", { total: data.total })}</p>
      {data.rows.length === 0 ? <p>{t("members.empty")}</p> : null}
      <ul className="divide-y divide-gray-200">
        {data.rows.map((m) => (
          <li key={m.id} className="py-2">
            <Link to={`/admin/members/${m.id}`} className="link text-lg">
              {m.name}
            </Link>{" "}
            <span className="text-gray-600">
              {m.employeeNo} · {t(`status.${m.status}`)} · {m.unitName}
              {m.disabled ? ` · ${t("members.disabled")}` : ""}
            </span>
          </li>
        ))}
      </ul>
      <Pager page={data.page} pages={pages} href={pageLink} label={t("members.total", { total: data.total })} />
    </section>
  );
}
