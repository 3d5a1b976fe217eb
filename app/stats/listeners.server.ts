// Keeps the unit aggregates exactly in step with progress: the study events run these inside the
// transaction that recorded the progress. Imported once at boot (app/boot.server.ts).
import { onStudyEvent } from "~/courses/events.server";
import { refreshMember } from "./aggregate.server";
import { chinaYearOf } from "./metrics";

const state = globalThis as unknown as { __statsListeners?: { registered: boolean; enabled: boolean } };
const listeners = (state.__statsListeners ??= { registered: false, enabled: true });

/** For the benchmark (the cost of a progress report with and without the aggregates). */
export function setStatsListenersEnabled(enabled: boolean) {
  listeners.enabled = enabled;
}

if (!listeners.registered) {
  listeners.registered = true;
  onStudyEvent("lessonStarted", async (tx, e) => {
    if (listeners.enabled) await refreshMember(tx, e.userId, { courseId: e.courseId });
  });
  onStudyEvent("lessonCompleted", async (tx, e) => {
    if (listeners.enabled) await refreshMember(tx, e.userId, { courseId: e.courseId });
  });
  onStudyEvent("courseCompleted", async (tx, e) => {
    if (listeners.enabled) await refreshMember(tx, e.userId, { courseId: e.courseId, creditYear: chinaYearOf(e.at) });
  });
}
