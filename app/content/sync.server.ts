// Registers the courses under content/courses/ in the database (see content/README.md).
//
// Each course folder is read, validated and compiled first; then its course row and lesson rows
// are written in one transaction. A lesson keeps its row (and with it every member's progress)
// across syncs by its identity: a reading by its file name, a video or quiz by its title — or, for
// a video or quiz renamed in place, by kind and position. What the other modules own is left
// alone: a video's asset and real duration, a quiz's rule once registered, the course's unit.
// A lesson no longer listed is deleted only when nothing refers to it; a lesson that members have
// studied (progress, quiz attempts, reflections) is kept after the listed lessons and reported.
// A reading that fails to compile or disagrees with course.json is reported with file, line and
// column, and its previously registered version stays as it was.
import fs from "node:fs";
import path from "node:path";
import { eq, inArray, sql } from "drizzle-orm";
import { catalogueChanged } from "~/courses/lesson-cache.server";
import { minimumReadingSeconds } from "~/courses/rules";
import { db } from "~/db/client.server";
import { courses, lessonProgress, lessons, quizAttempts, reflections, type QuizRule } from "~/db/schema";
import { COURSE_SLUG, courseManifestSchema, readingFrontmatterSchema, type CourseManifest, type LessonEntry } from "./course-manifest";
import { jsonSyntaxLocation, locateJsonPath } from "./json-locate";
import { compileReading, displayPath, MdxCompileError, type CompiledReading } from "./mdx.server";

export const DEFAULT_CONTENT_ROOT = "content/courses";

export type SyncError = { file: string; line: number | null; column: number | null; message: string };

export type LessonStatus =
  | "added"
  | "updated"
  | "unchanged"
  /** The file is broken or disagrees with course.json: the registered version was kept. */
  | "kept-previous"
  /** No longer listed in course.json but studied by members: kept, after the listed lessons. */
  | "retained";

export type SyncedLesson = {
  id: number;
  position: number;
  kind: "video" | "reading" | "quiz";
  title: string;
  status: LessonStatus;
  videoAssetId: number | null;
  contentPath: string | null;
  /** From course.json, for the seed that generates demo videos. */
  demoVideo?: { caption: string; seconds: number };
};

export type SyncedCourse = {
  slug: string;
  id: number | null;
  title: string;
  status: "added" | "updated" | "unchanged" | "failed";
  lessons: SyncedLesson[];
};

export type SyncReport = {
  courses: SyncedCourse[];
  lessons: { added: number; updated: number; unchanged: number; removed: number; retained: number; failed: number };
  retained: { course: string; lessonId: number; title: string; reason: string }[];
  errors: SyncError[];
};

type LessonRow = typeof lessons.$inferSelect;
type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

/** One entry of course.json, prepared outside the transaction. */
type Planned = {
  position: number;
  entry: LessonEntry;
  identity: string;
  /** The compiled reading, or null when it failed (then the registered version stays). */
  reading: { compiled: CompiledReading; title: string; contentPath: string } | null;
  failed: boolean;
};

/** Serialises concurrent syncs (several instances starting at once on one PostgreSQL). */
const SYNC_LOCK = 727_301;

/**
 * Scans `root` (default content/courses) and registers every course folder in it. One broken
 * course or file never stops the others; the report lists what changed and every error.
 */
export async function syncContent({ root = DEFAULT_CONTENT_ROOT }: { root?: string } = {}): Promise<SyncReport> {
  const report: SyncReport = {
    courses: [],
    lessons: { added: 0, updated: 0, unchanged: 0, removed: 0, retained: 0, failed: 0 },
    retained: [],
    errors: [],
  };
  const absoluteRoot = path.resolve(root);
  let folders: string[];
  try {
    folders = (await fs.promises.readdir(absoluteRoot, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && !d.name.startsWith(".") && !d.name.startsWith("_"))
      .map((d) => d.name)
      .sort();
  } catch (error) {
    report.errors.push({ file: displayPath(absoluteRoot), line: null, column: null, message: `cannot read the content folder: ${String(error)}` });
    return report;
  }
  for (const slug of folders) {
    const dir = path.join(absoluteRoot, slug);
    try {
      report.courses.push(await syncCourse(dir, slug, report));
    } catch (error) {
      report.errors.push({ file: displayPath(path.join(dir, "course.json")), line: null, column: null, message: `not registered: ${error instanceof Error ? error.message : String(error)}` });
      report.courses.push({ slug, id: null, title: slug, status: "failed", lessons: [] });
    }
  }
  await catalogueChanged();
  return report;
}

async function readManifest(dir: string, slug: string, errors: SyncError[]): Promise<CourseManifest | null> {
  const file = path.join(dir, "course.json");
  const shown = displayPath(file);
  if (!COURSE_SLUG.test(slug) || slug.length > 80) {
    errors.push({ file: displayPath(dir), line: null, column: null, message: "a course folder name is its slug: lowercase letters, digits and single hyphens, at most 80" });
    return null;
  }
  let text: string;
  try {
    text = await fs.promises.readFile(file, "utf8");
  } catch {
    errors.push({ file: shown, line: null, column: null, message: "course.json is missing" });
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const at = jsonSyntaxLocation(text, error);
    errors.push({ file: shown, line: at?.line ?? null, column: at?.column ?? null, message: `invalid JSON: ${(error as Error).message}` });
    return null;
  }
  const parsed = courseManifestSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const at = locateJsonPath(text, issue.path);
      errors.push({ file: shown, line: at.line, column: at.column, message: `${issue.path.join(".") || "(root)"}: ${issue.message}` });
    }
    return null;
  }
  return parsed.data;
}

/** 1-based line and column of `key:` in the frontmatter block, or of its first line. */
function frontmatterLocation(source: string, key: string | null) {
  const lines = source.split(/\r?\n/);
  if (key) {
    for (let i = 1; i < lines.length && !/^(-{3}|\.{3})\s*$/.test(lines[i]); i += 1) {
      if (new RegExp(`^${key}\\s*:`).test(lines[i])) return { line: i + 1, column: 1 };
    }
  }
  return { line: 1, column: 1 };
}

/** What is wrong between a reading's frontmatter and its entry in course.json. */
function frontmatterProblems(
  frontmatter: Record<string, unknown>,
  expected: { slug: string; position: number; title?: string; tags: string[] },
): { key: string | null; message: string }[] {
  const parsed = readingFrontmatterSchema.safeParse(frontmatter);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({ key: issue.path[0] === undefined ? null : String(issue.path[0]), message: `frontmatter ${issue.path.join(".")}: ${issue.message}` }));
  }
  const fm = parsed.data;
  const problems: { key: string | null; message: string }[] = [];
  if (fm.course !== expected.slug) problems.push({ key: "course", message: `frontmatter course "${fm.course}" does not match the course folder "${expected.slug}"` });
  if (fm.order !== expected.position) problems.push({ key: "order", message: `frontmatter order ${fm.order} does not match its place in course.json (lesson ${expected.position})` });
  if (expected.title !== undefined && fm.title !== expected.title) problems.push({ key: "title", message: `frontmatter title "${fm.title}" differs from course.json "${expected.title}"` });
  const unknownTags = fm.tags.filter((t) => !expected.tags.includes(t));
  if (unknownTags.length > 0) problems.push({ key: "tags", message: `frontmatter tags ${unknownTags.join(", ")} are not among the course's tags (${expected.tags.join(", ") || "none"})` });
  return problems;
}

async function planReading(dir: string, slug: string, manifest: CourseManifest, entry: Extract<LessonEntry, { kind: "reading" }>, position: number, errors: SyncError[]) {
  const file = path.join(dir, entry.file);
  const shown = displayPath(file);
  let compiled: CompiledReading;
  try {
    compiled = await compileReading(file);
  } catch (error) {
    const e = error instanceof MdxCompileError ? error : new MdxCompileError(shown, null, null, String(error));
    errors.push({ file: e.file, line: e.line, column: e.column, message: e.reason });
    return null;
  }
  const problems = frontmatterProblems(compiled.frontmatter, { slug, position, title: entry.title, tags: manifest.tags });
  if (problems.length > 0) {
    const source = await fs.promises.readFile(file, "utf8").catch(() => "");
    for (const problem of problems) {
      const at = frontmatterLocation(source, problem.key);
      errors.push({ file: shown, line: at.line, column: at.column, message: problem.message });
    }
    return null;
  }
  return { compiled, title: String(compiled.frontmatter.title), contentPath: shown };
}

const identityOfEntry = (entry: LessonEntry) => (entry.kind === "reading" ? `reading:${entry.file}` : `${entry.kind}:${entry.title}`);
const identityOfRow = (row: LessonRow) =>
  row.kind === "reading" ? `reading:${row.contentPath ? path.posix.basename(row.contentPath) : `#${row.id}`}` : `${row.kind}:${row.title}`;

async function syncCourse(dir: string, slug: string, report: SyncReport): Promise<SyncedCourse> {
  const manifest = await readManifest(dir, slug, report.errors);
  if (!manifest) {
    return { slug, id: null, title: slug, status: "failed", lessons: [] };
  }
  // Compile outside the transaction: it takes time and needs no database.
  const planned: Planned[] = await Promise.all(
    manifest.lessons.map(async (entry, index): Promise<Planned> => {
      const position = index + 1;
      const reading = entry.kind === "reading" ? await planReading(dir, slug, manifest, entry, position, report.errors) : null;
      return { position, entry, identity: identityOfEntry(entry), reading, failed: entry.kind === "reading" && !reading };
    }),
  );
  return db.transaction((tx) => writeCourse(tx, slug, manifest, planned, report));
}

async function writeCourse(tx: Tx, slug: string, manifest: CourseManifest, planned: Planned[], report: SyncReport): Promise<SyncedCourse> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SYNC_LOCK})`);
  const [existing] = await tx.select().from(courses).where(eq(courses.slug, slug)).for("update");
  const fields = { title: manifest.title, summary: manifest.summary, tags: manifest.tags, published: manifest.published };
  let courseId: number;
  let courseStatus: SyncedCourse["status"];
  if (!existing) {
    const [row] = await tx.insert(courses).values({ slug, ...fields }).returning({ id: courses.id });
    courseId = row.id;
    courseStatus = "added";
  } else {
    courseId = existing.id;
    const same =
      existing.title === fields.title &&
      existing.summary === fields.summary &&
      existing.published === fields.published &&
      existing.tags.length === fields.tags.length &&
      existing.tags.every((t, i) => t === fields.tags[i]);
    if (!same) await tx.update(courses).set(fields).where(eq(courses.id, courseId));
    courseStatus = same ? "unchanged" : "updated";
  }

  const rows = existing ? await tx.select().from(lessons).where(eq(lessons.courseId, courseId)).orderBy(lessons.position) : [];

  // Match listed lessons to rows: by identity, then (video and quiz only) by kind and position.
  const matched = new Map<Planned, LessonRow>();
  const used = new Set<number>();
  const byIdentity = new Map<string, LessonRow>();
  for (const row of rows) if (!byIdentity.has(identityOfRow(row))) byIdentity.set(identityOfRow(row), row);
  for (const p of planned) {
    const row = byIdentity.get(p.identity);
    if (row && !used.has(row.id)) {
      matched.set(p, row);
      used.add(row.id);
    }
  }
  for (const p of planned) {
    if (matched.has(p) || p.entry.kind === "reading") continue;
    const row = rows.find((r) => !used.has(r.id) && r.kind === p.entry.kind && r.position === p.position);
    if (row) {
      matched.set(p, row);
      used.add(row.id);
    }
  }

  // Rows no longer listed: delete unless members studied them.
  const leftovers = rows.filter((r) => !used.has(r.id));
  const referenced = new Set<number>();
  const reasons = new Map<number, string[]>();
  if (leftovers.length > 0) {
    const ids = leftovers.map((r) => r.id);
    const checks = [
      { label: "progress", rows: await tx.selectDistinct({ id: lessonProgress.lessonId }).from(lessonProgress).where(inArray(lessonProgress.lessonId, ids)) },
      { label: "quiz attempts", rows: await tx.selectDistinct({ id: quizAttempts.lessonId }).from(quizAttempts).where(inArray(quizAttempts.lessonId, ids)) },
      { label: "reflections", rows: await tx.selectDistinct({ id: reflections.lessonId }).from(reflections).where(inArray(reflections.lessonId, ids)) },
    ];
    for (const check of checks) {
      for (const { id } of check.rows) {
        if (id === null) continue;
        referenced.add(id);
        reasons.set(id, [...(reasons.get(id) ?? []), check.label]);
      }
    }
    const removable = ids.filter((id) => !referenced.has(id));
    if (removable.length > 0) await tx.delete(lessons).where(inArray(lessons.id, removable));
    report.lessons.removed += removable.length;
  }
  const retainedRows = leftovers.filter((r) => referenced.has(r.id));

  // Final positions: the listed lessons in order, then retained rows in their old order.
  const finalPosition = new Map<number, number>();
  for (const [p, row] of matched) finalPosition.set(row.id, p.position);
  retainedRows.forEach((row, i) => finalPosition.set(row.id, planned.length + 1 + i));
  const moving = [...matched.values(), ...retainedRows].filter((row) => row.position !== finalPosition.get(row.id));
  if (moving.length > 0) {
    // Park the moving rows on unique negative positions first, so no move hits (course, position).
    await tx
      .update(lessons)
      .set({ position: sql`-${lessons.id}` })
      .where(inArray(lessons.id, moving.map((r) => r.id)));
  }

  const result: SyncedLesson[] = [];
  const demoVideoOf = (entry: LessonEntry) => (entry.kind === "video" ? entry.demoVideo : undefined);
  for (const p of planned) {
    const row = matched.get(p);
    if (!row) {
      if (p.failed) {
        report.lessons.failed += 1;
        continue;
      }
      const values = insertValues(courseId, p);
      const [inserted] = await tx.insert(lessons).values(values).returning();
      report.lessons.added += 1;
      result.push(describe(inserted, "added", demoVideoOf(p.entry)));
      continue;
    }
    const changes: Partial<typeof lessons.$inferInsert> = p.failed ? {} : contentChanges(row, p);
    const moved = row.position !== p.position;
    if (moved || Object.keys(changes).length > 0) {
      await tx
        .update(lessons)
        .set({ ...changes, position: p.position })
        .where(eq(lessons.id, row.id));
    }
    const status: LessonStatus = p.failed ? "kept-previous" : moved || Object.keys(changes).length > 0 ? "updated" : "unchanged";
    if (p.failed) report.lessons.failed += 1;
    else if (status === "updated") report.lessons.updated += 1;
    else report.lessons.unchanged += 1;
    result.push(describe({ ...row, ...changes, position: p.position } as LessonRow, status, demoVideoOf(p.entry)));
  }
  for (const row of retainedRows) {
    const position = finalPosition.get(row.id)!;
    if (row.position !== position) await tx.update(lessons).set({ position }).where(eq(lessons.id, row.id));
    report.lessons.retained += 1;
    report.retained.push({
      course: slug,
      lessonId: row.id,
      title: row.title,
      reason: `no longer in course.json but has ${reasons.get(row.id)!.join(", ")}: kept as lesson ${position}; remove it by hand once that is settled`,
    });
    result.push(describe({ ...row, position }, "retained"));
  }
  result.sort((a, b) => a.position - b.position);
  return { slug, id: courseId, title: manifest.title, status: courseStatus, lessons: result };
}

function describe(row: LessonRow, status: LessonStatus, demoVideo?: { caption: string; seconds: number }): SyncedLesson {
  return {
    id: row.id,
    position: row.position,
    kind: row.kind,
    title: row.title,
    status,
    videoAssetId: row.videoAssetId,
    contentPath: row.contentPath,
    ...(demoVideo ? { demoVideo } : {}),
  };
}

function insertValues(courseId: number, p: Planned): typeof lessons.$inferInsert {
  const base = { courseId, position: p.position, kind: p.entry.kind };
  switch (p.entry.kind) {
    case "reading": {
      const { compiled, title, contentPath } = p.reading!;
      return { ...base, title, contentPath, contentHash: compiled.key, readingChars: compiled.chars, durationSeconds: minimumReadingSeconds(compiled.chars) };
    }
    case "video":
      // The video itself (videoAssetId, real duration) is attached by the media module.
      return { ...base, title: p.entry.title, durationSeconds: p.entry.demoVideo?.seconds ?? 0 };
    case "quiz":
      return { ...base, title: p.entry.title, quizRule: p.entry.quizRule as QuizRule, durationSeconds: p.entry.quizRule.timeLimitSeconds ?? 0 };
  }
}

/** The fields of a matched row that course.json or the file changed (only those content owns). */
function contentChanges(row: LessonRow, p: Planned): Partial<typeof lessons.$inferInsert> {
  const wanted: Partial<typeof lessons.$inferInsert> = {};
  switch (p.entry.kind) {
    case "reading": {
      const { compiled, title, contentPath } = p.reading!;
      Object.assign(wanted, { title, contentPath, contentHash: compiled.key, readingChars: compiled.chars, durationSeconds: minimumReadingSeconds(compiled.chars) });
      break;
    }
    case "video":
      wanted.title = p.entry.title;
      // Until a video is attached, the planned length stands in for its duration.
      if (row.videoAssetId === null && p.entry.demoVideo) wanted.durationSeconds = p.entry.demoVideo.seconds;
      break;
    case "quiz":
      wanted.title = p.entry.title;
      // The rule is the quiz module's once registered; fill it only if it is missing.
      if (row.quizRule === null) wanted.quizRule = p.entry.quizRule as QuizRule;
      break;
  }
  const changes: Partial<typeof lessons.$inferInsert> = {};
  for (const [key, value] of Object.entries(wanted) as [keyof LessonRow, unknown][]) {
    if (row[key] !== value) (changes as Record<string, unknown>)[key] = value;
  }
  return changes;
}
