import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { notFound, parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { ReadingView } from "~/components/reading/reading-view";
import { ReadingTracker } from "~/components/study/reading-tracker";
import { VideoPlaceholder, VideoPlayer } from "~/components/study/video-player";
import { loadReading } from "~/content/reading.server";
import { getLesson } from "~/courses/catalogue.server";
import { NO_PROGRESS, useLessonProgress } from "~/courses/lesson-progress";
import { onReportResults, type ReportResult } from "~/courses/progress-queue";
import { minimumReadingSeconds, READING_CHARS_PER_MINUTE } from "~/courses/rules";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.lesson.title ?? ""} · 网上党校` }];

// The page is the same for every member who may see the lesson, so the production server keeps one
// rendered copy (app/courses/lesson-page.server.ts): nothing of the member may go into it. Their
// progress comes from `useLessonProgress` once the page is in the browser.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const lessonId = parseId(params.lessonId);
  const found = await getLesson(viewer, lessonId);
  if (!found) notFound();
  const { lesson, video } = found;
  if (lesson.kind === "quiz") throw redirect(`/lessons/${lesson.id}/quiz`);
  const charsPerMinute = Number(process.env.READING_CHARS_PER_MINUTE) || READING_CHARS_PER_MINUTE;
  const reading = lesson.kind === "reading" ? await loadReading(lesson) : null;
  return {
    lesson: { id: lesson.id, kind: lesson.kind, title: lesson.title, courseId: lesson.courseId, durationSeconds: lesson.durationSeconds, threshold: lesson.completionThreshold },
    courseTitle: found.courseTitle,
    previous: found.previous,
    next: found.next,
    video:
      lesson.kind === "video" && video?.status
        ? { status: video.status, src: video.masterPath ? `/media/${video.masterPath}` : null, poster: video.posterPath ? `/media/${video.posterPath}` : undefined }
        : null,
    reading: reading && { code: reading.code, requiredSeconds: minimumReadingSeconds(reading.chars, charsPerMinute) },
  };
}

function useCompletion(lessonId: number) {
  const [state, setState] = useState({ completed: false, courseHours: null as number | null, offline: false });
  useEffect(
    () =>
      onReportResults((results: ReportResult[], pending) => {
        const mine = results.find((r) => r.lessonId === lessonId);
        setState((s) => ({
          completed: s.completed || Boolean(mine?.completed),
          courseHours: mine?.justCompleted?.courseCompleted ? (mine.justCompleted.creditHours ?? null) : s.courseHours,
          offline: pending > 0,
        }));
      }),
    [lessonId],
  );
  return state;
}

export default function LessonPage() {
  const data = useLoaderData<typeof loader>();
  // A fresh study state per lesson when "next" leads to another lesson on the same route.
  return <Lesson key={data.lesson.id} data={data} />;
}

function Lesson({ data }: { data: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const t = useT();
  const { lesson } = data;
  // null until the member's progress is in: the player and the reader start from it.
  const loaded = useLessonProgress(lesson.id);
  const progress = loaded?.progress ?? NO_PROGRESS;
  const reported = useCompletion(lesson.id);
  const completed = reported.completed || progress.completed;
  const [watchedNow, setWatchedNow] = useState<number | null>(null);
  const [readingNow, setReadingNow] = useState<number | null>(null);
  const watched = watchedNow ?? progress.watchedSeconds;
  const readSeconds = Math.max(readingNow ?? 0, progress.activeSeconds);
  const percent = lesson.durationSeconds ? Math.min(100, Math.floor((watched / lesson.durationSeconds) * 100)) : 0;
  const mmss = (s: number) => ({ minutes: Math.floor(s / 60), seconds: Math.floor(s % 60) });

  return (
    <article className="space-y-4">
      <nav className="text-base">
        <Link to={`/courses/${lesson.courseId}`} className="link">
          ← {data.courseTitle}
        </Link>
      </nav>
      <h1 className="text-2xl font-bold">{lesson.title}</h1>

      {lesson.kind === "video" ? (
        data.video?.status === "ready" && data.video.src ? (
          <>
            {loaded ? (
              <VideoPlayer lessonId={lesson.id} src={data.video.src} poster={data.video.poster} startAt={progress.completed ? 0 : progress.position} initialRanges={progress.ranges} onStudied={setWatchedNow} />
            ) : (
              <VideoPlaceholder poster={data.video.poster} />
            )}
            <p className="text-gray-700" data-testid="watched">
              {t("lesson.watched", { percent, required: Math.round(lesson.threshold * 100) })}
            </p>
          </>
        ) : (
          <p className="card">{data.video?.status === "failed" ? t("lesson.videoFailed") : t("lesson.videoProcessing")}</p>
        )
      ) : null}

      {lesson.kind === "reading" && data.reading ? (
        <>
          <ReadingView code={data.reading.code} />
          {loaded ? <ReadingTracker lessonId={lesson.id} serverOffsetMs={loaded.serverOffsetMs} onProgress={setReadingNow} /> : null}
          {!completed ? (
            <p className="sticky bottom-2 rounded-lg bg-white/95 p-3 text-base shadow ring-1 ring-gray-200" aria-live="polite">
              {t("lesson.readingProgress", {
                ...mmss(readSeconds),
                requiredMinutes: mmss(data.reading.requiredSeconds).minutes,
                requiredSeconds: mmss(data.reading.requiredSeconds).seconds,
              })}
            </p>
          ) : null}
        </>
      ) : null}

      <div aria-live="polite" className="space-y-2">
        {completed ? (
          <p className="rounded-lg bg-green-50 p-3 font-semibold text-green-900" data-testid="lesson-done">
            ✓ {t("lesson.done")}
          </p>
        ) : null}
        {reported.courseHours !== null ? (
          <p className="rounded-lg bg-party-50 p-3 font-semibold text-party-800">{t("lesson.courseCompletedNow", { hours: reported.courseHours })}</p>
        ) : null}
        {reported.offline ? <p className="rounded-lg bg-amber-50 p-3 text-amber-900">{t("lesson.offlineQueued")}</p> : null}
      </div>

      <nav className="flex justify-between gap-2">
        {data.previous ? (
          <Link to={`/lessons/${data.previous.id}`} className="btn-secondary">
            {t("lesson.previous")}
          </Link>
        ) : (
          <span />
        )}
        {data.next ? (
          <Link to={`/lessons/${data.next.id}`} className="btn">
            {t("lesson.next")}
          </Link>
        ) : null}
      </nav>
    </article>
  );
}
