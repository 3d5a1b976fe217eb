// The member's own progress on the lesson page. The page itself is the same for every member who
// may see it (so the server can keep one copy: app/courses/lesson-page.server.ts); the player and
// the reader ask for the member's progress when they mount, with `GET /api/progress?lessonId=`.
import { useEffect, useState } from "react";
import type { Range } from "./rules";

export type LessonProgressView = {
  /** Where the video stopped (s). */
  position: number;
  ranges: Range[];
  watchedSeconds: number;
  activeSeconds: number;
  reachedEnd: boolean;
  completed: boolean;
};

/** The progress with the server's clock (epoch ms) when it was read. */
export type LessonProgressReply = { progress: LessonProgressView; serverNow: number };

export const NO_PROGRESS: LessonProgressView = { position: 0, ranges: [], watchedSeconds: 0, activeSeconds: 0, reachedEnd: false, completed: false };

const RETRY_DELAYS_MS = [1_000, 3_000];

/**
 * The member's progress on `lessonId` and the server clock's offset from this browser's (ms), or
 * null until they arrive. When the server cannot be reached the lesson starts from nothing on the
 * browser's clock: reports are unions, so studying on loses nothing the server already has.
 */
export function useLessonProgress(lessonId: number) {
  const [state, setState] = useState<{ lessonId: number; progress: LessonProgressView; serverOffsetMs: number } | null>(null);
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (attempt: number) => {
      const sentAt = Date.now();
      try {
        // A stalled request must not keep the player from starting: give up and try again.
        const response = await fetch(`/api/progress?lessonId=${lessonId}`, { credentials: "same-origin", headers: { accept: "application/json" }, signal: AbortSignal.timeout(8_000) });
        if (response.status === 401) {
          window.location.reload();
          return;
        }
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const reply = (await response.json()) as LessonProgressReply;
        // The reply was made about halfway through the round trip.
        const offset = reply.serverNow - (sentAt + Date.now()) / 2;
        if (!cancelled) setState({ lessonId, progress: reply.progress, serverOffsetMs: offset });
      } catch {
        if (cancelled) return;
        if (attempt < RETRY_DELAYS_MS.length) timer = setTimeout(() => void load(attempt + 1), RETRY_DELAYS_MS[attempt]);
        else setState({ lessonId, progress: NO_PROGRESS, serverOffsetMs: 0 });
      }
    };
    void load(0);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [lessonId]);
  return state?.lessonId === lessonId ? state : null;
}
