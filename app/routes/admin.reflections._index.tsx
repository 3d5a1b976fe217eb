// 心得审核: the organiser's queue of reflections in their scope (to review, returned, approved).
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { StatusBadge } from "~/reflections/components";
import { REVIEW_TABS, type ReviewTab } from "~/reflections/forms";
import { reviewQueue } from "~/reflections/reflections.server";
import { SIMILARITY_THRESHOLD } from "~/reflections/similarity";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "心得审核 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const wanted = new URL(request.url).searchParams.get("status");
  const status: ReviewTab = REVIEW_TABS.includes(wanted as ReviewTab) ? (wanted as ReviewTab) : "submitted";
  return { status, items: await reviewQueue(viewer, status) };
}

export default function ReviewQueue() {
  const t = useT();
  const { status, items } = useLoaderData<typeof loader>();
  const tabClass = (active: boolean) => `rounded-lg px-3 py-2 ${active ? "bg-party-600 text-white" : "bg-white text-gray-900 ring-1 ring-gray-300"}`;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("reflections.admin.title")}</h1>
      <nav aria-label={t("reflections.admin.title")} className="flex flex-wrap gap-2">
        {REVIEW_TABS.map((tab) => (
          <Link key={tab} to={`?status=${tab}`} className={tabClass(tab === status)} aria-current={tab === status ? "page" : undefined}>
            {t(`reflections.admin.tab.${tab}`)}
          </Link>
        ))}
      </nav>
      {items.length === 0 ? <p className="card">{t("reflections.admin.empty")}</p> : null}
      <ul className="space-y-3" data-testid="review-queue">
        {items.map((r) => (
          <li key={r.id} className="card space-y-1">
            <div className="flex flex-wrap items-center gap-2">
              <Link to={`/admin/reflections/${r.id}`} className="link text-lg font-semibold">
                {r.title}
              </Link>
              <StatusBadge status={r.status} featured={r.featured} />
              {r.similarity !== null && r.similarity >= SIMILARITY_THRESHOLD ? (
                <span className="rounded bg-red-100 px-2 py-0.5 text-sm text-red-900">
                  {t("reflections.admin.flagged")} · {t("reflections.admin.similarity", { percent: Math.round(r.similarity * 100) })}
                </span>
              ) : null}
            </div>
            <p className="text-sm text-gray-600">{t("reflections.by", { name: r.authorName, unit: r.unitName })}</p>
            <p className="text-gray-800">{r.excerpt}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
