// Points for study events: a reading or video lesson completed, a course completed, study time. Imported once
// by app/boot.server.ts (and by the tests); the listeners run inside the transaction that recorded
// the event and award with its `tx`, so the points commit or roll back with the progress.
import { onStudyEvent } from "~/courses/events.server";
import { awardPoints, awardStudyTime } from "./ledger.server";
import { STUDY_BLOCK_SECONDS } from "./rules";

let registered = false;

// Registered when this module is first evaluated. Should a dev-server reload evaluate it again
// while the events module keeps its listeners, the awards stay single: they are idempotent.
export function registerPointsListeners() {
  if (registered) return;
  registered = true;
  onStudyEvent("lessonCompleted", async (tx, event) => {
    if (event.kind === "quiz") return;
    await awardPoints({
      userId: event.userId,
      ruleCode: event.kind === "reading" ? "reading_lesson" : "video_lesson",
      sourceKey: `lesson:${event.lessonId}`,
      at: event.at,
      tx,
    });
  });
  onStudyEvent("courseCompleted", async (tx, event) => {
    await awardPoints({ userId: event.userId, ruleCode: "course_completed", sourceKey: `course:${event.courseId}`, at: event.at, tx });
  });
  // Only when a 4-minute block is completed; the award covers every block of the day so far,
  // so a block whose award was lost (a crash between the report and this) is caught up.
  onStudyEvent("studyTime", async (tx, event) => {
    if (Math.floor(event.secondsToday / STUDY_BLOCK_SECONDS) <= Math.floor(event.secondsBefore / STUDY_BLOCK_SECONDS)) return;
    await awardStudyTime({ userId: event.userId, activeSecondsToday: event.secondsToday, at: event.at, tx });
  });
}

registerPointsListeners();
