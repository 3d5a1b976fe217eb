import { useEffect, useRef, useState } from "react";
import { mergeRanges, coveredSeconds, type Range } from "~/courses/rules";
import { queueReport } from "~/courses/progress-queue";
import { useT } from "~/i18n/i18n";

const SPEEDS = [0.75, 1, 1.25, 1.5, 2];
const VIDEO_BOX = "aspect-video w-full rounded-lg bg-black";
const REPORT_EVERY_MS = 10_000;

/**
 * Plays an HLS lesson video (the browser's own HLS where it has one, else hls.js loaded on
 * demand) and reports the ranges really watched while the tab is in the foreground.
 */
export function VideoPlayer({
  lessonId,
  src,
  poster,
  startAt,
  initialRanges,
  onStudied,
}: {
  lessonId: number;
  src: string;
  poster?: string;
  startAt: number;
  initialRanges: Range[];
  onStudied?: (seconds: number) => void;
}) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [speed, setSpeed] = useState(1);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    let destroyed = false;
    let hls: { destroy: () => void } | undefined;
    if (el.canPlayType("application/vnd.apple.mpegurl")) {
      el.src = src;
    } else {
      void import("hls.js").then(({ default: Hls }) => {
        if (destroyed) return;
        if (!Hls.isSupported()) {
          el.src = src;
          return;
        }
        const instance = new Hls({ startPosition: startAt });
        instance.loadSource(src);
        instance.attachMedia(el);
        hls = instance;
      });
    }
    const resume = () => {
      if (startAt > 0 && el.currentTime < 1) el.currentTime = startAt;
    };
    el.addEventListener("loadedmetadata", resume, { once: true });
    return () => {
      destroyed = true;
      hls?.destroy();
    };
  }, [src, startAt]);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    // One stream of cumulative reports per page view.
    const streamKey = `${lessonId}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
    let ranges: Range[] = mergeRanges(initialRanges);
    let last: number | null = null;
    let dirty = false;

    const track = () => {
      const now = el.currentTime;
      const counting = !el.paused && !el.seeking && document.visibilityState === "visible";
      // timeupdate fires about 4 times a second; a bigger jump is a seek, not watching.
      if (counting && last !== null && now > last && now - last <= 1.5 * Math.max(1, el.playbackRate)) {
        ranges = mergeRanges([...ranges, [last, now]]);
        dirty = true;
        onStudied?.(coveredSeconds(ranges));
      }
      last = counting ? now : null;
    };
    const report = (keepalive = false) => {
      if (!dirty) return;
      dirty = false;
      void queueReport(streamKey, { lessonId, seq: Date.now(), ranges, position: el.currentTime, reachedEnd: el.ended }, { keepalive });
    };
    const resetAfterSeek = () => {
      last = null;
    };
    const onPause = () => report();
    const onHide = () => {
      last = null;
      if (document.visibilityState === "hidden") report(true);
    };
    const onPageHide = () => report(true);
    el.addEventListener("timeupdate", track);
    el.addEventListener("seeking", resetAfterSeek);
    el.addEventListener("pause", onPause);
    el.addEventListener("ended", onPause);
    document.addEventListener("visibilitychange", onHide);
    window.addEventListener("pagehide", onPageHide);
    const timer = setInterval(() => report(), REPORT_EVERY_MS);
    return () => {
      clearInterval(timer);
      report(true);
      el.removeEventListener("timeupdate", track);
      el.removeEventListener("seeking", resetAfterSeek);
      el.removeEventListener("pause", onPause);
      el.removeEventListener("ended", onPause);
      document.removeEventListener("visibilitychange", onHide);
      window.removeEventListener("pagehide", onPageHide);
    };
    // initialRanges only seed the first render; later changes come from this player itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lessonId]);

  useEffect(() => {
    if (video.current) video.current.playbackRate = speed;
  }, [speed]);

  return (
    <div className="space-y-2">
      {/* Captions are burned into the demo videos; uploaded lessons carry their own. */}
      {/* eslint-disable-next-line jsx-a11y/media-has-caption */}
      <video ref={video} controls playsInline preload="metadata" poster={poster} className={VIDEO_BOX} data-testid="lesson-video" />
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label={t("lesson.speed")}>
        <span className="text-gray-700">{t("lesson.speed")}</span>
        {SPEEDS.map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={speed === s}
            onClick={() => setSpeed(s)}
            className={`min-h-11 min-w-14 rounded-lg px-3 ${speed === s ? "bg-party-600 text-white" : "bg-white ring-1 ring-gray-300"}`}
          >
            {s}×
          </button>
        ))}
      </div>
    </div>
  );
}

/** The poster in the player's box, while the member's place in the video is on its way. */
export function VideoPlaceholder({ poster }: { poster?: string }) {
  return (
    <div className="space-y-2" aria-busy="true">
      {poster ? <img src={poster} alt="" className={`${VIDEO_BOX} object-contain`} /> : <div className={VIDEO_BOX} />}
      <div className="min-h-11" />
    </div>
  );
}
