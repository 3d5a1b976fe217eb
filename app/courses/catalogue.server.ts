import { and, asc, desc, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Viewer } from "~/auth/policy.server";
import { db } from "~/db/client.server";
import { courseCompletions, courses, lessonProgress, lessons, units } from "~/db/schema";
import { qualified } from "~/db/sql.server";

import { courseVisibleTo, lessonEntry } from "./lesson-cache.server";
import type { LessonProgressView } from "./lesson-progress";
import { creditHoursFor, type Range } from "./rules";

const courseId = qualified(courses.id);

/** Published courses of the whole committee, or of a unit on the member's path to the root. */
function visibleTo(viewer: Pick<Viewer, "unitCode">): SQL {
  return and(
    eq(courses.published, true),
    sql`(${qualified(courses.unitId)} is null or exists (select 1 from ${units} u where u.id = ${qualified(courses.unitId)} and ${viewer.unitCode} like u.code || '%'))`,
  )!;
}

function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function listCourses(viewer: Viewer, { q, tag }: { q?: string; tag?: string } = {}) {
  const conditions: SQL[] = [visibleTo(viewer)];
  if (q) conditions.push(sql`${courses.title} ilike ${`%${escapeLike(q)}%`}`);
  if (tag) conditions.push(sql`${tag} = any(${courses.tags})`);
  const rows = await db
    .select({
      id: courses.id,
      slug: courses.slug,
      title: courses.title,
      summary: courses.summary,
      tags: courses.tags,
      lessonCount: sql<number>`(select count(*)::int from ${lessons} l where l.course_id = ${courseId})`,
      seconds: sql<number>`(select coalesce(sum(l.duration_seconds), 0)::int from ${lessons} l where l.course_id = ${courseId})`,
      hasQuiz: sql<boolean>`exists (select 1 from ${lessons} l where l.course_id = ${courseId} and l.kind = 'quiz')`,
      done: sql<number>`(select count(*)::int from ${lessonProgress} p join ${lessons} l on l.id = p.lesson_id where l.course_id = ${courseId} and p.user_id = ${viewer.id} and p.completed_at is not null)`,
    })
    .from(courses)
    .where(and(...conditions))
    .orderBy(asc(courses.id));
  return rows.map((c) => ({ ...c, creditHours: creditHoursFor(c.seconds, c.hasQuiz) }));
}

export async function allTags(viewer: Viewer) {
  const rows = await db
    .select({ tag: sql<string>`distinct unnest(${courses.tags})` })
    .from(courses)
    .where(visibleTo(viewer));
  return rows.map((r) => r.tag).sort((a, b) => a.localeCompare(b, "zh-CN"));
}

export async function getCourse(viewer: Viewer, courseId: number) {
  const [course] = await db.select().from(courses).where(and(eq(courses.id, courseId), visibleTo(viewer)));
  if (!course) return null;
  const [lessonRows, [completion]] = await Promise.all([
    db
      .select({
        id: lessons.id,
        position: lessons.position,
        kind: lessons.kind,
        title: lessons.title,
        durationSeconds: lessons.durationSeconds,
        completedAt: lessonProgress.completedAt,
        watchedSeconds: lessonProgress.watchedSeconds,
        activeSeconds: lessonProgress.activeSeconds,
        bestScore: lessonProgress.bestScore,
      })
      .from(lessons)
      .leftJoin(lessonProgress, and(eq(lessonProgress.lessonId, lessons.id), eq(lessonProgress.userId, viewer.id)))
      .where(eq(lessons.courseId, course.id))
      .orderBy(asc(lessons.position)),
    db
      .select({ creditHours: courseCompletions.creditHours, completedAt: courseCompletions.completedAt })
      .from(courseCompletions)
      .where(and(eq(courseCompletions.courseId, course.id), eq(courseCompletions.userId, viewer.id))),
  ]);
  const seconds = lessonRows.reduce((sum, l) => sum + l.durationSeconds, 0);
  const hasQuiz = lessonRows.some((l) => l.kind === "quiz");
  return {
    course: { id: course.id, title: course.title, summary: course.summary, tags: course.tags },
    lessons: lessonRows,
    seconds,
    creditHours: creditHoursFor(seconds, hasQuiz),
    completion: completion ? { creditHours: Number(completion.creditHours), completedAt: completion.completedAt } : null,
  };
}

/**
 * The lesson with its course, video and neighbours, or null when missing or not visible to the
 * member. The same for every member who may see it (the lesson page is shared: app/courses/lesson-page.server.ts);
 * the member's own progress is `lessonProgressOf`.
 */
export async function getLesson(viewer: Pick<Viewer, "unitCode">, lessonId: number) {
  const entry = await lessonEntry(lessonId);
  if (!entry || !courseVisibleTo(entry.course, viewer)) return null;
  const index = entry.siblings.findIndex((s) => s.id === lessonId);
  return {
    lesson: entry.lesson,
    courseTitle: entry.course.title,
    video: entry.video,
    previous: entry.siblings[index - 1] ?? null,
    next: entry.siblings[index + 1] ?? null,
  };
}

/** A member's progress on a lesson as the page shows it (zeros when not started). */
export async function lessonProgressOf(userId: number, lessonId: number): Promise<LessonProgressView> {
  const [progress] = await db
    .select({
      positionSeconds: lessonProgress.positionSeconds,
      watchedRanges: lessonProgress.watchedRanges,
      watchedSeconds: lessonProgress.watchedSeconds,
      activeSeconds: lessonProgress.activeSeconds,
      reachedEnd: lessonProgress.reachedEnd,
      completedAt: lessonProgress.completedAt,
    })
    .from(lessonProgress)
    .where(and(eq(lessonProgress.userId, userId), eq(lessonProgress.lessonId, lessonId)));
  return {
    position: progress?.positionSeconds ?? 0,
    ranges: (progress?.watchedRanges ?? []) as Range[],
    watchedSeconds: progress?.watchedSeconds ?? 0,
    activeSeconds: progress?.activeSeconds ?? 0,
    reachedEnd: progress?.reachedEnd ?? false,
    completed: Boolean(progress?.completedAt),
  };
}

/** Whether the member may study (and report progress on) a lesson. */
export async function canStudyLesson(viewer: Pick<Viewer, "unitCode">, lessonId: number) {
  const entry = await lessonEntry(lessonId);
  return Boolean(entry && courseVisibleTo(entry.course, viewer));
}

/** The lesson the member studied last and has not finished, with where they stopped. */
export async function continueStudying(viewer: Viewer) {
  const [row] = await db
    .select({
      lessonId: lessons.id,
      lessonTitle: lessons.title,
      kind: lessons.kind,
      courseTitle: courses.title,
      positionSeconds: lessonProgress.positionSeconds,
    })
    .from(lessonProgress)
    .innerJoin(lessons, eq(lessons.id, lessonProgress.lessonId))
    .innerJoin(courses, eq(courses.id, lessons.courseId))
    .where(and(eq(lessonProgress.userId, viewer.id), isNull(lessonProgress.completedAt), visibleTo(viewer)))
    .orderBy(desc(lessonProgress.updatedAt))
    .limit(1);
  return row ?? null;
}
