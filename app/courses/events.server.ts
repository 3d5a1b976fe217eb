// Study events other domains react to (points, unit statistics) without the courses module
// knowing them. Listeners run inside the transaction that recorded the event, so what they
// write commits or rolls back with it; a listener must use the given `tx`, never `db`.
import type { db } from "~/db/client.server";

export type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

export type StudyEvents = {
  /** A member's first progress on a lesson (the row was created). */
  lessonStarted: { userId: number; lessonId: number; courseId: number; at: Date };
  lessonCompleted: { userId: number; lessonId: number; courseId: number; kind: "video" | "reading" | "quiz"; at: Date };
  courseCompleted: { userId: number; courseId: number; creditHours: number; at: Date };
  /**
   * A member's study time of the day (Asia/Shanghai, YYYY-MM-DD) grew from `secondsBefore` to
   * `secondsToday` (seconds the server accepted). Emitted when the total passes a whole minute,
   * so the progress hot path needs no transaction for the reports in between.
   */
  studyTime: { userId: number; day: string; secondsBefore: number; secondsToday: number; at: Date };
};

type Listener<K extends keyof StudyEvents> = (tx: Tx, event: StudyEvents[K]) => Promise<void>;
const listeners: { [K in keyof StudyEvents]: Listener<K>[] } = { lessonStarted: [], lessonCompleted: [], courseCompleted: [], studyTime: [] };

export function onStudyEvent<K extends keyof StudyEvents>(name: K, listener: Listener<K>) {
  listeners[name].push(listener);
}

export async function emitStudyEvent<K extends keyof StudyEvents>(tx: Tx, name: K, event: StudyEvents[K]) {
  for (const listener of listeners[name]) await listener(tx, event);
}
