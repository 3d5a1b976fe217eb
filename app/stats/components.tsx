// Pieces of the statistics pages: a sortable figures table (sorting by links: keyboard and
// screen-reader friendly, works without JavaScript) and a small SVG chart with its data table.
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import type { SortKey } from "./metrics";
import { formatRate } from "~/stats/metrics";
import { useT } from "~/i18n/i18n";
import { type MessageKey } from "~/i18n/messages";

export type FigureRow = { assigned: number; completed: number; inProgress: number; notStarted: number; overdue: number; rate: number | null };

const COLUMNS: { key: SortKey; label: MessageKey; creditLabel?: MessageKey }[] = [
  { key: "assigned", label: "stats.col.assigned", creditLabel: "stats.col.members" },
  { key: "completed", label: "stats.col.completed", creditLabel: "stats.col.creditCompleted" },
  { key: "inProgress", label: "stats.col.inProgress" },
  { key: "notStarted", label: "stats.col.notStarted" },
  { key: "overdue", label: "stats.col.overdue", creditLabel: "stats.col.creditOverdue" },
  { key: "rate", label: "stats.col.rate" },
];

/**
 * A table of figures. With `sortHref`, the column headers are links that sort (aria-sort tells
 * the current order).
 */
export function FiguresTable<T extends FigureRow & { key: string | number }>({
  rows,
  caption,
  name,
  credit = false,
  sort,
  sortHref,
  extraHeader,
  extraCell,
  testId,
}: {
  rows: T[];
  caption: string;
  name: (row: T) => ReactNode;
  credit?: boolean;
  sort?: { key: SortKey; dir: "asc" | "desc" };
  sortHref?: (key: SortKey, dir: "asc" | "desc") => string;
  extraHeader?: ReactNode;
  extraCell?: (row: T) => ReactNode;
  testId?: string;
}) {
  const t = useT();
  const header = (key: SortKey, label: string) => {
    if (!sortHref || !sort) return label;
    const active = sort.key === key;
    const next = active && sort.dir === "asc" ? "desc" : "asc";
    return (
      <Link to={sortHref(key, next)} className="inline-flex min-h-10 items-center gap-1 underline-offset-2 hover:underline" aria-label={t("stats.sortBy", { column: label })} preventScrollReset>
        {label}
        <span aria-hidden="true">{active ? (sort.dir === "asc" ? "▲" : "▼") : "↕"}</span>
      </Link>
    );
  };
  const ariaSort = (key: SortKey) => (sort && sortHref ? (sort.key === key ? (sort.dir === "asc" ? "ascending" : "descending") : "none") : undefined);
  return (
    // A region that scrolls sideways on a phone: focusable, so that it scrolls from the keyboard.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrollable region must be keyboard-reachable
    <div className="-mx-4 overflow-x-auto px-4" role="region" aria-label={caption} tabIndex={0}>
      <table className="w-full min-w-[32rem] border-collapse text-right" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b-2 border-gray-300 text-sm text-gray-700">
            <th scope="col" className="sticky left-0 bg-white py-2 pr-2 text-left" aria-sort={ariaSort("name")}>
              {header("name", t("stats.col.name"))}
            </th>
            {COLUMNS.map((c) => (
              <th key={c.key} scope="col" className="px-1 py-2" aria-sort={ariaSort(c.key)}>
                {header(c.key, t(credit && c.creditLabel ? c.creditLabel : c.label))}
              </th>
            ))}
            {extraHeader}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className="border-b border-gray-200">
              <th scope="row" className="sticky left-0 bg-white py-2 pr-2 text-left font-normal">
                {name(r)}
              </th>
              <td className="px-1">{r.assigned}</td>
              <td className="px-1">{r.completed}</td>
              <td className="px-1">{r.inProgress}</td>
              <td className="px-1">{r.notStarted}</td>
              <td className={`px-1 ${r.overdue > 0 ? "font-semibold text-red-800" : ""}`}>{r.overdue}</td>
              <td className="px-1 font-semibold">{formatRate(r.rate)}</td>
              {extraCell?.(r)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Daily completions (bars) and the running total (line), or hours per month (bars). */
export function BarChart({
  title,
  points,
  barLabel,
  lineLabel,
  labelHeader,
}: {
  title: string;
  points: { label: string; value: number; line?: number }[];
  barLabel: string;
  lineLabel?: string;
  labelHeader: string;
}) {
  const t = useT();
  const width = 320;
  const height = 140;
  const pad = 4;
  const maxBar = Math.max(1, ...points.map((p) => p.value));
  const maxLine = Math.max(1, ...points.map((p) => p.line ?? 0));
  const step = (width - pad * 2) / Math.max(1, points.length);
  const y = (v: number, max: number) => height - pad - (v / max) * (height - pad * 2);
  const line = lineLabel
    ? points.map((p, i) => `${i === 0 ? "M" : "L"}${(pad + step * (i + 0.5)).toFixed(1)},${y(p.line ?? 0, maxLine).toFixed(1)}`).join(" ")
    : "";
  const last = points[points.length - 1];
  const summary = lineLabel && last ? `${title}: ${lineLabel} ${last.line ?? 0}` : title;
  return (
    <figure className="space-y-2">
      <figcaption className="font-semibold">{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="h-40 w-full" role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} stroke="#9ca3af" strokeWidth="1" />
        {points.map((p, i) => (
          <rect
            key={p.label}
            x={pad + step * i + step * 0.15}
            width={Math.max(1, step * 0.7)}
            y={y(p.value, maxBar)}
            height={height - pad - y(p.value, maxBar)}
            fill="#fca5a5"
          />
        ))}
        {line ? <path d={line} fill="none" stroke="#a50f15" strokeWidth="2" vectorEffect="non-scaling-stroke" /> : null}
      </svg>
      <p className="flex gap-4 text-sm text-gray-700">
        <span>
          <span aria-hidden="true" className="mr-1 inline-block h-3 w-3 bg-red-300" />
          {barLabel}
        </span>
        {lineLabel ? (
          <span>
            <span aria-hidden="true" className="mr-1 inline-block h-0.5 w-4 bg-party-700 align-middle" />
            {lineLabel}
          </span>
        ) : null}
      </p>
      <details>
        <summary className="link cursor-pointer">{t("stats.chart.table")}</summary>
        <div className="max-h-64 overflow-y-auto">
          <table className="w-full text-right text-sm">
            <thead>
              <tr>
                <th scope="col" className="text-left">
                  {labelHeader}
                </th>
                <th scope="col">{barLabel}</th>
                {lineLabel ? <th scope="col">{lineLabel}</th> : null}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.label}>
                  <th scope="row" className="text-left font-normal">
                    {p.label}
                  </th>
                  <td>{p.value}</td>
                  {lineLabel ? <td>{p.line ?? 0}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
