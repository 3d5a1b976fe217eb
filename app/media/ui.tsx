// Small UI helpers shared by the video admin pages (browser-safe).
import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";
import type { useT } from "~/i18n/i18n";
import type { UploadOutcome } from "./types";

export function formatDuration(seconds: number | null | undefined) {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

export function refusalText(
  t: ReturnType<typeof useT>,
  outcome: Extract<UploadOutcome, { status: "refused" }>) {
  switch (outcome.code) {
    case "type":
      return t("video.error.type", { detected: outcome.detected ?? "?" });
    case "tooLarge":
      return t("video.error.tooLarge", { mb: outcome.mb });
    case "empty":
      return t("video.error.empty");
    case "noFile":
      return t("video.error.noFile");
    default:
      return t("video.uploadFailed");
  }
}

export const statusStyle: Record<string, string> = {
  pending: "bg-gray-100 text-gray-900",
  processing: "bg-amber-100 text-amber-900",
  ready: "bg-green-100 text-green-900",
  failed: "bg-red-100 text-red-900",
};

/** Reloads the data every few seconds while something is still being transcoded. */
export function useRefreshWhile(active: boolean, ms = 4000) {
  const revalidator = useRevalidator();
  const latest = useRef(revalidator);
  latest.current = revalidator;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && latest.current.state === "idle") latest.current.revalidate();
    }, ms);
    return () => clearInterval(timer);
  }, [active, ms]);
}
