// Pieces of the reflection pages, and the front page's "党委精选心得" section.
import { Link } from "@remix-run/react";
import type { ReflectionListItem } from "./reflections.server";
import type { Segment } from "./similarity";
import { useT } from "~/i18n/i18n";

/** Rendered Markdown (HTML from ./markdown: escaped, no raw HTML, safe links only). */
export function MarkdownView({ html, className = "" }: { html: string; className?: string }) {
  return (
    <div
      className={`space-y-3 break-words text-lg leading-relaxed [&_a]:text-party-700 [&_a]:underline [&_blockquote]:border-l-4 [&_blockquote]:border-gray-300 [&_blockquote]:pl-3 [&_blockquote]:text-gray-700 [&_code]:rounded [&_code]:bg-gray-100 [&_code]:px-1 [&_h3]:text-xl [&_h3]:font-bold [&_h4]:text-lg [&_h4]:font-bold [&_h5]:font-bold [&_h6]:font-bold [&_hr]:border-gray-300 [&_ol]:list-decimal [&_ol]:pl-6 [&_pre]:overflow-x-auto [&_pre]:rounded [&_pre]:bg-gray-100 [&_pre]:p-3 [&_ul]:list-disc [&_ul]:pl-6 ${className}`}
      // HTML from renderMarkdown: escaped, no raw HTML, safe links only.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}

export function StatusBadge({ status, featured }: { status: ReflectionListItem["status"]; featured?: boolean }) {
  const t = useT();
  const tone =
    status === "approved" ? "bg-green-100 text-green-900" : status === "returned" ? "bg-amber-100 text-amber-900" : status === "submitted" ? "bg-blue-100 text-blue-900" : "bg-gray-100 text-gray-800";
  return (
    <span className="inline-flex flex-wrap gap-1">
      <span className={`rounded px-2 py-0.5 text-sm ${tone}`} data-testid="reflection-status">
        {t(`reflections.status.${status}`)}
      </span>
      {featured ? <span className="rounded bg-party-50 px-2 py-0.5 text-sm text-party-800">{t("reflections.featuredBadge")}</span> : null}
    </span>
  );
}

export function ReflectionList({ items, to, showStatus = false, showAuthor = true }: { items: ReflectionListItem[]; to: (id: number) => string; showStatus?: boolean; showAuthor?: boolean }) {
  const t = useT();
  return (
    <ul className="space-y-3">
      {items.map((r) => (
        <li key={r.id} className="card space-y-1">
          <div className="flex flex-wrap items-center gap-2">
            <Link to={to(r.id)} className="link text-lg font-semibold">
              {r.title}
            </Link>
            {showStatus ? <StatusBadge status={r.status} featured={r.featured} /> : r.featured ? <StatusBadge status="approved" featured /> : null}
          </div>
          {showAuthor ? <p className="text-sm text-gray-600">{t("reflections.by", { name: r.authorName, unit: r.unitName })}</p> : null}
          <p className="text-gray-800">{r.excerpt}</p>
          {r.status === "approved" ? (
            <p className="text-sm text-gray-600">
              {t("reflections.likes", { n: r.likes })} · {t("reflections.comments", { n: r.comments })}
            </p>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** For the front page: the committee's featured reflections (data from featuredReflections(viewer)). */
export function FeaturedReflections({ items }: { items: ReflectionListItem[] }) {
  const t = useT();
  if (items.length === 0) return null;
  return (
    <section className="card space-y-3" aria-labelledby="featured-reflections-heading">
      <div className="flex items-baseline justify-between gap-2">
        <h2 id="featured-reflections-heading" className="text-xl font-bold">
          {t("reflections.featuredHome")}
        </h2>
        <Link to="/reflections?tab=featured" className="link">
          {t("reflections.more")}
        </Link>
      </div>
      <ul className="space-y-2">
        {items.map((r) => (
          <li key={r.id}>
            <Link to={`/reflections/${r.id}`} className="link text-lg font-semibold">
              {r.title}
            </Link>
            <p className="text-sm text-gray-600">{t("reflections.by", { name: r.authorName, unit: r.unitName })}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Text with the passages it shares with another marked. */
export function Highlighted({ segments, label }: { segments: Segment[]; label: string }) {
  return (
    // A scrollable region must be reachable (and scrollable) from the keyboard.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
    <div className="max-h-[28rem] overflow-y-auto whitespace-pre-wrap break-words rounded-lg bg-gray-50 p-3 leading-relaxed" aria-label={label} role="region" tabIndex={0}>
      {segments.map((s, i) =>
        s.shared ? (
          <mark key={i} className="bg-yellow-200 text-gray-900">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </div>
  );
}
