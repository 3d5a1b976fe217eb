import type { ReactNode } from "react";
import { useReadingT } from "./context";

/** A citation: <Quote source="《中国共产党支部工作条例（试行）》">…</Quote>. */
export function Quote({ source, children }: { source: string; children?: ReactNode }) {
  const t = useReadingT();
  return (
    <figure className="my-6 rounded-r-lg border-l-4 border-gray-400 bg-white px-4 py-3 shadow-sm">
      <blockquote className="text-gray-800 [&>:first-child]:mt-0 [&>:last-child]:mb-0">{children}</blockquote>
      <figcaption className="mt-2 text-right text-base text-gray-700">
        <span aria-hidden="true">——</span>
        <span className="sr-only">{t("reading.source")}</span>
        <cite className="not-italic">{source}</cite>
      </figcaption>
    </figure>
  );
}
