import { useId, useState, type ReactNode } from "react";
import { useReadingT } from "./context";

/**
 * A glossary term with its explanation: <Term explain="按课程时长折算的学习时间">学时</Term>.
 * The term is a <dfn> holding a button: a tap, a click, Enter or Space shows the explanation right
 * after it in the text (no floating tooltip to fall off a narrow screen), Escape or another tap
 * hides it. The explanation stays in the page for screen readers (aria-describedby).
 */
export function Term({ explain, children }: { explain: string; children?: ReactNode }) {
  const t = useReadingT();
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <>
      <dfn className="not-italic">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={id}
          aria-describedby={id}
          onClick={() => setOpen((o) => !o)}
          onKeyDown={(event) => {
            if (event.key === "Escape" && open) {
              event.preventDefault();
              setOpen(false);
            }
          }}
          className="cursor-help rounded-sm font-semibold text-party-700 underline decoration-dotted decoration-2 underline-offset-4 hover:bg-party-50"
        >
          {children}
        </button>
      </dfn>
      <span id={id} role="note" hidden={!open} className="mx-1 box-decoration-clone rounded-md bg-amber-50 px-2 py-0.5 text-gray-800 ring-1 ring-amber-300">
        <span className="sr-only">{t("reading.termExplanation")}</span>
        {explain}
      </span>
    </>
  );
}
