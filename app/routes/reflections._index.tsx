// 心得体会: my reflections, the approved ones of my branch, and the committee's featured ones.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Pager } from "~/components/pager";
import { Link, NavLink, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { ReflectionList } from "~/reflections/components";
import { branchFeed, FEED_PAGE_SIZE, featuredReflections, myReflections } from "~/reflections/reflections.server";
import { useT } from "~/i18n/i18n";
import { type MessageKey } from "~/i18n/messages";

export const meta: MetaFunction = () => [{ title: "心得体会 · 网上党校" }];

const TABS = ["mine", "feed", "featured"] as const;
type Tab = (typeof TABS)[number];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const params = new URL(request.url).searchParams;
  const tab: Tab = TABS.includes(params.get("tab") as Tab) ? (params.get("tab") as Tab) : "mine";
  const pageParam = Number(params.get("page") ?? "1");
  const page = Number.isInteger(pageParam) && pageParam >= 1 && pageParam <= 10_000 ? pageParam : 1;
  if (tab === "mine") return { tab, page: 1, more: false, items: await myReflections(viewer) };
  if (tab === "featured") return { tab, page: 1, more: false, items: await featuredReflections(viewer, 50) };
  const items = await branchFeed(viewer, page);
  return { tab, page, more: items.length > FEED_PAGE_SIZE, items: items.slice(0, FEED_PAGE_SIZE) };
}

const TAB_LABEL: Record<Tab, MessageKey> = { mine: "reflections.mine", feed: "reflections.feed", featured: "reflections.featured" };
const EMPTY: Record<Tab, MessageKey> = { mine: "reflections.noneMine", feed: "reflections.noneFeed", featured: "reflections.noneFeatured" };

export default function Reflections() {
  const t = useT();
  const { tab, items, page, more } = useLoaderData<typeof loader>();
  const tabClass = (active: boolean) =>
    `rounded-lg px-3 py-2 text-base ${active ? "bg-party-600 text-white" : "bg-white text-gray-900 ring-1 ring-gray-300"}`;
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("reflections.title")}</h1>
        <Link to="/reflections/new" className="btn">
          {t("reflections.new")}
        </Link>
      </div>
      <nav aria-label={t("reflections.title")} className="flex flex-wrap gap-2">
        {TABS.map((name) => (
          <NavLink key={name} to={`?tab=${name}`} className={() => tabClass(tab === name)} aria-current={tab === name ? "page" : undefined}>
            {t(TAB_LABEL[name])}
          </NavLink>
        ))}
      </nav>
      {items.length === 0 ? <p className="card">{t(EMPTY[tab])}</p> : null}
      <ReflectionList items={items} to={(id) => `/reflections/${id}`} showStatus={tab === "mine"} showAuthor={tab !== "mine"} />
      {tab === "feed" ? <Pager page={page} hasNext={more} href={(p) => `?tab=feed&page=${p}`} label={t("reflections.feed")} /> : null}
    </div>
  );
}
