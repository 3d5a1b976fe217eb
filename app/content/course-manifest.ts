// The shape of content/courses/<slug>/course.json and of a reading's frontmatter (see content/README.md).
import { z } from "zod";

export const COURSE_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const title = z.string().trim().min(1).max(200);

const readingEntry = z
  .object({
    kind: z.literal("reading"),
    /** An .mdx file in the course folder; its frontmatter gives the title. */
    file: z.string().regex(/^[^/\\]+\.mdx$/, "must be the name of an .mdx file in the course folder"),
    /** Optional; when given it must equal the frontmatter title. */
    title: title.optional(),
  })
  .strict();

const videoEntry = z
  .object({
    kind: z.literal("video"),
    title,
    /** The video generated at setup (test pattern, this caption, a tone) until a real one is uploaded. */
    demoVideo: z
      .object({ caption: z.string().trim().min(1).max(200), seconds: z.number().int().min(1).max(3600) })
      .strict()
      .optional(),
  })
  .strict();

const quizEntry = z
  .object({
    kind: z.literal("quiz"),
    title,
    /** Written when the lesson is first registered; afterwards it belongs to the quiz module. */
    quizRule: z
      .object({
        passMark: z.number().min(0).max(100),
        timeLimitSeconds: z.number().int().positive().optional(),
        maxAttempts: z.number().int().positive().optional(),
      })
      .passthrough(),
  })
  .strict();

export const lessonEntrySchema = z.discriminatedUnion("kind", [readingEntry, videoEntry, quizEntry]);

export const courseManifestSchema = z
  .object({
    title,
    summary: z.string().max(2000).default(""),
    tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
    published: z.boolean().default(false),
    lessons: z.array(lessonEntrySchema).min(1).max(200),
  })
  .strict()
  .superRefine((course, ctx) => {
    const seen = new Map<string, number>();
    course.lessons.forEach((lesson, index) => {
      // The identity a lesson keeps across syncs: its file for a reading, its title otherwise.
      const identity = lesson.kind === "reading" ? `reading:${lesson.file}` : `${lesson.kind}:${lesson.title}`;
      if (seen.has(identity)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["lessons", index, lesson.kind === "reading" ? "file" : "title"],
          message: `duplicates lesson ${seen.get(identity)! + 1}`,
        });
      }
      seen.set(identity, index);
    });
  });

export type CourseManifest = z.infer<typeof courseManifestSchema>;
export type LessonEntry = z.infer<typeof lessonEntrySchema>;

export const readingFrontmatterSchema = z
  .object({
    title,
    /** The course's slug (its folder name). */
    course: z.string().min(1),
    /** The lesson's position in the course: 1 for the first entry of course.json's lessons. */
    order: z.number().int().positive(),
    /** Keywords; each must be one of the course's tags. */
    tags: z.array(z.string().trim().min(1)).default([]),
  })
  .passthrough();

export type ReadingFrontmatter = z.infer<typeof readingFrontmatterSchema>;
