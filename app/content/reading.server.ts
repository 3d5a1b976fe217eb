// What the lesson route calls to show a reading: compiled code from the cache (memory, then
// disk), compiled from the file only when neither has it (the first request after a deploy that
// did not run the content sync, or a cleaned cache).
import { eq } from "drizzle-orm";
import { minimumReadingSeconds } from "~/courses/rules";
import { db } from "~/db/client.server";
import { lessons } from "~/db/schema";
import { compileReading, getCompiledReading } from "./mdx.server";

export type Reading = {
  /** Compiled MDX for <ReadingView code={…} />. */
  code: string;
  frontmatter: Record<string, unknown>;
  /** CJK characters + Latin words. */
  chars: number;
  /** Minimum active seconds to complete (about 500 characters a minute). */
  minimumSeconds: number;
};

type ReadingLesson = { kind?: string; contentPath: string | null; contentHash: string | null };

/**
 * The reading of a lesson, by id or by a lesson row already loaded (saves a query); null when
 * it is not a reading lesson. The registered version (lessons.content_hash) is served from the
 * cache even if the file has since changed or broken; without a cached copy the file is compiled,
 * and a broken file throws MdxCompileError (file, line, column) — never a crash.
 */
export async function loadReading(lesson: number | ReadingLesson): Promise<Reading | null> {
  let row: ReadingLesson | undefined;
  if (typeof lesson === "number") {
    [row] = await db
      .select({ kind: lessons.kind, contentPath: lessons.contentPath, contentHash: lessons.contentHash })
      .from(lessons)
      .where(eq(lessons.id, lesson));
  } else {
    row = lesson;
  }
  if (!row || (row.kind !== undefined && row.kind !== "reading") || !row.contentPath) return null;
  const compiled = (row.contentHash ? await getCompiledReading(row.contentHash) : null) ?? (await compileReading(row.contentPath));
  return { code: compiled.code, frontmatter: compiled.frontmatter, chars: compiled.chars, minimumSeconds: minimumReadingSeconds(compiled.chars) };
}
