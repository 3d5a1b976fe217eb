// Lesson metadata (the lesson, its course, its video, its siblings) kept per process: every lesson
// page and progress report needs it, and it changes only when content is synced, a video is
// transcoded or the unit tree changes. Those writers call `catalogueChanged()` after their write
// commits: it clears this process's copy at once and, through the realtime bus, every other
// instance's (boot subscribes with `listenForCatalogueChanges`). Entries also expire as a backstop.
import { asc, eq } from "drizzle-orm";
import { db, type Db } from "~/db/client.server";
import { courses, lessons, units, videoAssets } from "~/db/schema";
import { bus } from "~/realtime/bus.server";

export type LessonEntry = {
  lesson: typeof lessons.$inferSelect;
  /** `unitId` null: the whole committee's course; else for the subtree of the unit with `unitCode`. */
  course: { id: number; title: string; published: boolean; unitId: number | null; unitCode: string | null };
  video: { status: (typeof videoAssets.$inferSelect)["status"]; masterPath: string | null; posterPath: string | null } | null;
  /** The course's lessons in order. */
  siblings: { id: number; position: number; title: string }[];
};

const TOPIC = "courses.catalogue-changed";
const TTL_MS = 5 * 60_000;
const entries = new Map<number, { entry: Promise<LessonEntry | null>; at: number }>();

function clear() {
  entries.clear();
}

/**
 * Call after a committed change to courses, lessons, video assets or unit codes; or inside the
 * writing transaction with its `tx`, and every instance (this one too) clears on commit.
 */
export async function catalogueChanged(tx?: Pick<Db, "execute">) {
  clear();
  await bus.publish(TOPIC, {}, tx);
}

/** Clears this process's copy when another instance changes the catalogue. */
export async function listenForCatalogueChanges() {
  await bus.subscribe(TOPIC, clear);
}

/** The lesson with its course, video and siblings, or null. Not scoped: check `visibleTo`. */
export function lessonEntry(lessonId: number): Promise<LessonEntry | null> {
  const hit = entries.get(lessonId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.entry;
  const entry = load(lessonId);
  entries.set(lessonId, { entry, at: Date.now() });
  // A lesson that does not exist yet may be created: only found lessons stay.
  const forget = () => {
    if (entries.get(lessonId)?.entry === entry) entries.delete(lessonId);
  };
  entry.then((found) => found ?? forget(), forget);
  return entry;
}

async function load(lessonId: number): Promise<LessonEntry | null> {
  const [row] = await db
    .select({
      lesson: lessons,
      course: { id: courses.id, title: courses.title, published: courses.published, unitId: courses.unitId, unitCode: units.code },
      video: { status: videoAssets.status, masterPath: videoAssets.masterPath, posterPath: videoAssets.posterPath },
    })
    .from(lessons)
    .innerJoin(courses, eq(courses.id, lessons.courseId))
    .leftJoin(units, eq(units.id, courses.unitId))
    .leftJoin(videoAssets, eq(videoAssets.id, lessons.videoAssetId))
    .where(eq(lessons.id, lessonId));
  if (!row) return null;
  const siblings = await db
    .select({ id: lessons.id, position: lessons.position, title: lessons.title })
    .from(lessons)
    .where(eq(lessons.courseId, row.lesson.courseId))
    .orderBy(asc(lessons.position));
  return { lesson: row.lesson, course: row.course, video: row.video?.status ? row.video : null, siblings };
}

/** Whether a member may see the course: published, and the committee's or a unit's on their path (as `visibleTo` in SQL). */
export function courseVisibleTo(course: LessonEntry["course"], viewer: { unitCode: string }) {
  if (!course.published) return false;
  return course.unitId === null || (course.unitCode !== null && viewer.unitCode.startsWith(course.unitCode));
}
