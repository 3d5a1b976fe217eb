// The plain text of reading lessons (MDX under content/), for comparing reflections with the
// lesson they are about: frontmatter, JSX tags and Markdown syntax dropped. Cached per file and
// modification time.
import fs from "node:fs";
import path from "node:path";
import { and, eq, isNotNull } from "drizzle-orm";
import { db } from "~/db/client.server";
import { lessons } from "~/db/schema";

const cache = new Map<string, { mtimeMs: number; text: string }>();
const MAX_CACHED = 500;

export function mdxToPlainText(source: string) {
  return source
    .replace(/^\uFEFF?---\r?\n[\s\S]*?\r?\n---\r?\n/, "")
    .replace(/^(import|export)\s.*$/gm, "")
    .replace(/<\/?[A-Za-z][^>]*>/g, " ")
    .replace(/\{[^{}]*\}/g, " ")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[#*_>`~|-]+/g, " ");
}

/** A reading's plain text, or null when the file cannot be read. */
export async function readingText(contentPath: string): Promise<string | null> {
  const file = path.resolve(contentPath);
  try {
    const stat = await fs.promises.stat(file);
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === stat.mtimeMs) return hit.text;
    const text = mdxToPlainText(await fs.promises.readFile(file, "utf8"));
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(file, { mtimeMs: stat.mtimeMs, text });
    return text;
  } catch {
    return null;
  }
}

/**
 * The readings a reflection is about: its lesson when that is a reading, or every reading of its
 * course when it names the course only.
 */
export async function readingsFor(target: { courseId: number | null; lessonId: number | null }) {
  const where = target.lessonId
    ? and(eq(lessons.id, target.lessonId), eq(lessons.kind, "reading"), isNotNull(lessons.contentPath))
    : target.courseId
      ? and(eq(lessons.courseId, target.courseId), eq(lessons.kind, "reading"), isNotNull(lessons.contentPath))
      : undefined;
  if (!where) return [];
  const rows = await db.select({ id: lessons.id, title: lessons.title, contentPath: lessons.contentPath }).from(lessons).where(where).limit(30);
  const out: { lessonId: number; title: string; text: string }[] = [];
  for (const row of rows) {
    const text = await readingText(row.contentPath!);
    if (text) out.push({ lessonId: row.id, title: row.title, text });
  }
  return out;
}
