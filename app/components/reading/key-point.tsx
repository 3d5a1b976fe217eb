import { useId, type ReactNode } from "react";
import { useReadingT } from "./context";

/** A highlighted key point: <KeyPoint>…</KeyPoint>, or <KeyPoint title="三个要点">…</KeyPoint>. */
export function KeyPoint({ title, children }: { title?: string; children?: ReactNode }) {
  const t = useReadingT();
  const id = useId();
  return (
    <aside
      aria-labelledby={id}
      className="my-6 rounded-xl border-l-4 border-party-600 bg-party-50 px-4 py-3 [&>div>:first-child]:mt-0 [&>div>:last-child]:mb-0"
    >
      <p id={id} className="mb-1 font-bold text-party-700">
        {title ?? t("reading.keyPoint")}
      </p>
      <div>{children}</div>
    </aside>
  );
}
