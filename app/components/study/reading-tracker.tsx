import { useEffect, useRef } from "react";
import { mergeRanges, coveredSeconds, type Range } from "~/courses/rules";
import { queueReport } from "~/courses/progress-queue";

const IDLE_AFTER_MS = 120_000;
const REPORT_EVERY_MS = 10_000;

/**
 * Measures active reading: seconds while the page is visible and the member has scrolled,
 * touched or typed in the last two minutes, as wall-clock ranges on the server's clock;
 * and whether the end of the text was reached. Renders the end-of-text sentinel.
 */
export function ReadingTracker({
  lessonId,
  serverOffsetMs,
  onProgress,
}: {
  lessonId: number;
  /** server clock − browser clock at page load, so ranges are on the server's clock */
  serverOffsetMs: number;
  onProgress?: (activeSeconds: number, reachedEnd: boolean) => void;
}) {
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const streamKey = `${lessonId}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
    const serverNow = () => (Date.now() + serverOffsetMs) / 1000;
    let ranges: Range[] = [];
    let current: Range | null = null;
    let lastActivity = Date.now();
    let reachedEnd = false;
    let dirty = false;

    const activity = () => {
      lastActivity = Date.now();
    };
    const tick = () => {
      const active = document.visibilityState === "visible" && Date.now() - lastActivity < IDLE_AFTER_MS;
      const now = serverNow();
      if (active) {
        current = current ? [current[0], now] : [now, now];
        dirty = true;
      } else if (current) {
        ranges = mergeRanges([...ranges, current]);
        current = null;
      }
      onProgress?.(coveredSeconds(mergeRanges(current ? [...ranges, current] : ranges)), reachedEnd);
    };
    const report = (keepalive = false) => {
      if (!dirty) return;
      dirty = false;
      const all = mergeRanges(current ? [...ranges, current] : ranges);
      void queueReport(streamKey, { lessonId, seq: Date.now(), ranges: all, reachedEnd }, { keepalive });
    };
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !reachedEnd) {
        reachedEnd = true;
        activity();
        dirty = true;
        report();
      }
    });
    if (sentinel.current) observer.observe(sentinel.current);
    const events = ["scroll", "touchstart", "keydown", "pointermove", "wheel"] as const;
    for (const e of events) window.addEventListener(e, activity, { passive: true });
    const onHide = () => {
      if (document.visibilityState === "hidden") {
        tick();
        report(true);
      }
    };
    const onPageHide = () => report(true);
    document.addEventListener("visibilitychange", onHide);
    window.addEventListener("pagehide", onPageHide);
    const ticker = setInterval(tick, 1_000);
    const reporter = setInterval(() => report(), REPORT_EVERY_MS);
    return () => {
      clearInterval(ticker);
      clearInterval(reporter);
      report(true);
      observer.disconnect();
      for (const e of events) window.removeEventListener(e, activity);
      document.removeEventListener("visibilitychange", onHide);
      window.removeEventListener("pagehide", onPageHide);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lessonId, serverOffsetMs]);

  return <div ref={sentinel} data-testid="reading-end" aria-hidden="true" className="h-px" />;
}
