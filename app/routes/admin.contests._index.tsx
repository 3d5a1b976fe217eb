// 知识竞赛 (organiser): the contests of the organiser's scope.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { listManagedContests, phaseOf } from "~/contests/contests.server";
import { chinaText } from "~/contests/forms";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "知识竞赛 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const rows = await listManagedContests(viewer);
  const now = new Date();
  return {
    contests: rows.map((c) => ({
      id: c.id,
      title: c.title,
      unitName: c.unitName,
      phase: phaseOf(c, now),
      window: `${chinaText(c.opensAt)} – ${chinaText(c.closesAt)}`,
      entrants: Number(c.entrants),
    })),
  };
}

export default function ContestList() {
  const t = useT();
  const { contests } = useLoaderData<typeof loader>();
  return (
    <section className="card space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">{t("contest.admin.title")}</h1>
        <Link to="/admin/contests/new" className="btn">
          {t("contest.admin.new")}
        </Link>
      </div>
      {contests.length === 0 ? <p className="text-gray-700">{t("contest.admin.none")}</p> : null}
      <ul className="space-y-3">
        {contests.map((c) => (
          <li key={c.id} className="rounded-lg border border-gray-200 p-3">
            <Link to={`/admin/contests/${c.id}`} className="link text-lg font-semibold">
              {c.title}
            </Link>
            <p className="text-gray-700">
              {t(`contest.status.${c.phase}`)} · {c.unitName} · {c.window} · {t("contest.admin.entrants", { count: c.entrants })}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
