// Browser side of progress reporting: every report is kept in localStorage until the server
// has acknowledged it, so nothing studied is lost when the network drops or the server restarts.
import type { ProgressReport } from "./progress.server";

const STORAGE_KEY = "dx-progress-queue-v1";
const ENDPOINT = "/api/progress";

type Entry = { key: string; report: ProgressReport };
export type ReportResult = {
  lessonId: number;
  studiedSeconds?: number;
  requiredSeconds?: number;
  completed?: boolean;
  justCompleted?: { lessonCompleted: boolean; courseCompleted: boolean; creditHours: number | null } | null;
  error?: string;
};

const listeners = new Set<(results: ReportResult[], pending: number) => void>();
let flushing: Promise<void> | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryDelay = 2_000;

function load(): Entry[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function save(entries: Entry[]) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(entries.slice(-200)));
  } catch {
    // Storage full or blocked: the report still goes out now, it just is not kept.
  }
}

export function onReportResults(listener: (results: ReportResult[], pending: number) => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function pendingReports() {
  return typeof localStorage === "undefined" ? 0 : load().length;
}

/**
 * Queues a report. `streamKey` names one page view of one lesson: its reports are cumulative,
 * so a newer one replaces the queued older one; reports of other page views are all kept.
 */
export function queueReport(streamKey: string, report: ProgressReport, { keepalive = false } = {}) {
  const entries = load().filter((e) => e.key !== streamKey);
  entries.push({ key: streamKey, report });
  save(entries);
  return flushReports({ keepalive });
}

export function flushReports({ keepalive = false } = {}): Promise<void> {
  if (flushing) return flushing.then(() => (load().length ? flushReports({ keepalive }) : undefined));
  flushing = send(keepalive).finally(() => {
    flushing = null;
  });
  return flushing;
}

async function send(keepalive: boolean) {
  const entries = load();
  if (entries.length === 0) return;
  const batch = entries.slice(0, 50);
  try {
    const response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reports: batch.map((e) => e.report) }),
      credentials: "same-origin",
      keepalive,
    });
    if (response.status === 400) {
      // The server can never accept these: drop them rather than resend forever.
      dropSent(batch);
      return;
    }
    if (!response.ok || !response.headers.get("content-type")?.includes("json")) throw new Error(String(response.status));
    const { results } = (await response.json()) as { results: ReportResult[] };
    dropSent(batch);
    retryDelay = 2_000;
    for (const listener of listeners) listener(results, load().length);
  } catch {
    for (const listener of listeners) listener([], load().length);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void flushReports(), retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60_000);
  }
}

// Remove exactly what was sent; a newer report queued meanwhile for the same stream stays.
function dropSent(batch: Entry[]) {
  const sent = new Set(batch.map((e) => `${e.key}@${e.report.seq}`));
  save(load().filter((e) => !sent.has(`${e.key}@${e.report.seq}`)));
}

if (typeof window !== "undefined") {
  window.addEventListener("online", () => void flushReports());
}
