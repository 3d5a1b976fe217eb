// 积分排行榜: my branch, the committee, and the committee's branches by average points per
// member; this week, this month or this year.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { memberRanking, unitRanking } from "~/points/rankings.server";
import { PERIODS, type Period } from "~/points/rules";
import { useT } from "~/i18n/i18n";
import { type MessageKey } from "~/i18n/messages";

export const meta: MetaFunction = () => [{ title: "积分排行榜 · 网上党校" }];

const SCOPES = ["branch", "committee", "units"] as const;
type Scope = (typeof SCOPES)[number];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const params = new URL(request.url).searchParams;
  const scope: Scope = SCOPES.includes(params.get("scope") as Scope) ? (params.get("scope") as Scope) : "branch";
  const period: Period = PERIODS.includes(params.get("period") as Period) ? (params.get("period") as Period) : "week";
  if (scope === "units") return { scope, period, members: null, units: await unitRanking(viewer, period) };
  return { scope, period, members: await memberRanking(viewer, scope, period), units: null };
}

const SCOPE_LABEL: Record<Scope, MessageKey> = { branch: "rankings.scope.branch", committee: "rankings.scope.committee", units: "rankings.scope.units" };

export default function Rankings() {
  const t = useT();
  const { scope, period, members, units } = useLoaderData<typeof loader>();
  const pill = (active: boolean) => `rounded-lg px-3 py-2 ${active ? "bg-party-600 text-white" : "bg-white text-gray-900 ring-1 ring-gray-300"}`;
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <h1 className="text-2xl font-bold">{t("rankings.title")}</h1>
      <nav aria-label={t("rankings.title")} className="flex flex-wrap gap-2">
        {SCOPES.map((s) => (
          <Link key={s} to={`?scope=${s}&period=${period}`} className={pill(s === scope)} aria-current={s === scope ? "page" : undefined}>
            {t(SCOPE_LABEL[s])}
          </Link>
        ))}
      </nav>
      <nav aria-label={t("rankings.periodLabel")} className="flex flex-wrap gap-2">
        {(["week", "month", "year"] as Period[]).map((p) => (
          <Link key={p} to={`?scope=${scope}&period=${p}`} className={pill(p === period)} aria-current={p === period ? "page" : undefined}>
            {t(`rankings.period.${p}`)}
          </Link>
        ))}
      </nav>

      {members ? (
        <section className="card space-y-3">
          <p className="text-sm text-gray-600">
            {members.from} – {members.to}
          </p>
          <p className="text-lg font-semibold" data-testid="my-rank">
            {members.mine ? t("rankings.myRank", { rank: members.mine.rank, points: members.mine.points }) : t("rankings.notRanked")}
          </p>
          {scope === "committee" ? <p className="text-sm text-gray-600">{t("rankings.hiddenHint")}</p> : null}
          {members.rows.length === 0 ? (
            <p>{t("rankings.empty")}</p>
          ) : (
            <table className="w-full text-left">
              <thead>
                <tr className="border-b">
                  <th scope="col" className="py-2 pr-2">
                    {t("rankings.rank")}
                  </th>
                  <th scope="col" className="py-2 pr-2">
                    {t("rankings.name")}
                  </th>
                  <th scope="col" className="py-2 text-right">
                    {t("rankings.points")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {members.rows.map((r, i) => (
                  <tr key={i} className={`border-b ${r.me ? "bg-party-50 font-semibold" : ""}`}>
                    <td className="py-2 pr-2">{r.rank}</td>
                    <td className="py-2 pr-2">
                      {r.anonymous ? t("rankings.anonymous") : r.name}
                      {r.me ? t("rankings.me") : ""}
                      {r.unitName ? <span className="block text-sm font-normal text-gray-600">{r.unitName}</span> : null}
                    </td>
                    <td className="py-2 text-right text-lg">{r.points}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}

      {units ? (
        <section className="card space-y-3">
          <p className="text-sm text-gray-600">
            {t("rankings.unitsHint")} · {units.from} – {units.to}
          </p>
          <table className="w-full text-left">
            <thead>
              <tr className="border-b">
                <th scope="col" className="py-2 pr-2">
                  {t("rankings.rank")}
                </th>
                <th scope="col" className="py-2 pr-2">
                  {t("rankings.unit")}
                </th>
                <th scope="col" className="py-2 text-right">
                  {t("rankings.average")}
                </th>
              </tr>
            </thead>
            <tbody>
              {units.rows.map((r) => (
                <tr key={r.unitId} className={`border-b ${r.mine ? "bg-party-50 font-semibold" : ""}`}>
                  <td className="py-2 pr-2">{r.rank}</td>
                  <td className="py-2 pr-2">
                    {r.name}
                    <span className="block text-sm font-normal text-gray-600">
                      {t("rankings.members")} {r.members} · {t("rankings.points")} {r.points}
                    </span>
                  </td>
                  <td className="py-2 text-right text-lg">{r.average}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}
