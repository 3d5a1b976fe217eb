import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { units, users } from "./org";

export const lessonKind = pgEnum("lesson_kind", ["video", "reading", "quiz"]);
export const videoStatus = pgEnum("video_status", ["pending", "processing", "ready", "failed"]);

export const courses = pgTable(
  "courses",
  {
    id: serial("id").primaryKey(),
    slug: varchar("slug", { length: 80 }).notNull(),
    title: varchar("title", { length: 200 }).notNull(),
    summary: text("summary").notNull().default(""),
    tags: text("tags").array().notNull().default([]),
    /** Owning unit: the course is visible to that unit's subtree (the committee for everyone). */
    unitId: integer("unit_id").references(() => units.id, { onDelete: "restrict" }),
    published: boolean("published").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("courses_slug_key").on(t.slug)],
);

export const videoAssets = pgTable("video_assets", {
  id: serial("id").primaryKey(),
  originalName: varchar("original_name", { length: 255 }).notNull(),
  status: videoStatus("status").notNull().default("pending"),
  durationSeconds: real("duration_seconds"),
  /** Path below the media root of the master playlist, e.g. "42/master.m3u8". */
  masterPath: text("master_path"),
  posterPath: text("poster_path"),
  renditions: jsonb("renditions").$type<{ height: number; bandwidth: number }[]>(),
  error: text("error"),
  uploadedBy: integer("uploaded_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type QuizRule = {
  passMark: number;
  timeLimitSeconds?: number;
  maxAttempts?: number;
  draws?: { bankId: number; type?: string; tags?: string[]; count: number }[];
  fixedQuestionIds?: number[];
};

export const lessons = pgTable(
  "lessons",
  {
    id: serial("id").primaryKey(),
    courseId: integer("course_id")
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    kind: lessonKind("kind").notNull(),
    title: varchar("title", { length: 200 }).notNull(),
    /** Length used for the credit-hour rule: video duration, reading time, or quiz time. */
    durationSeconds: integer("duration_seconds").notNull().default(0),
    videoAssetId: integer("video_asset_id").references(() => videoAssets.id, { onDelete: "set null" }),
    /** Fraction of a video that must really be watched. */
    completionThreshold: real("completion_threshold").notNull().default(0.9),
    contentPath: text("content_path"),
    contentHash: varchar("content_hash", { length: 64 }),
    readingChars: integer("reading_chars"),
    quizRule: jsonb("quiz_rule").$type<QuizRule>(),
  },
  (t) => [uniqueIndex("lessons_course_position_key").on(t.courseId, t.position)],
);

/** What a member really studied in a lesson; one row per member and lesson. */
export const lessonProgress = pgTable(
  "lesson_progress",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    lessonId: integer("lesson_id")
      .notNull()
      .references(() => lessons.id, { onDelete: "cascade" }),
    /** Union of watched [start, end) second ranges, sorted and disjoint. */
    watchedRanges: jsonb("watched_ranges").$type<[number, number][]>().notNull().default([]),
    watchedSeconds: real("watched_seconds").notNull().default(0),
    positionSeconds: real("position_seconds").notNull().default(0),
    activeSeconds: integer("active_seconds").notNull().default(0),
    reachedEnd: boolean("reached_end").notNull().default(false),
    bestScore: real("best_score"),
    /** Client clock (ms) of the newest report applied: an older report never moves the position back. */
    lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
    lastReportAt: timestamp("last_report_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /** Bumped by every write: concurrent reports compare-and-set on it. */
    version: integer("version").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.lessonId] }), index("lesson_progress_lesson_idx").on(t.lessonId)],
);

/**
 * Study time per member and day (Asia/Shanghai): the new seconds progress reports added, as the
 * server accepted them (video seconds watched, active reading seconds); replays add nothing.
 */
export const studyDays = pgTable(
  "study_days",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: date("day").notNull(),
    seconds: doublePrecision("seconds").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

export const courseCompletions = pgTable(
  "course_completions",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    courseId: integer("course_id")
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    creditHours: numeric("credit_hours", { precision: 5, scale: 2 }).notNull(),
    completedAt: timestamp("completed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.courseId] }), index("course_completions_completed_idx").on(t.completedAt)],
);

/** Database-backed job queue (transcoding, reminders): survives restarts, retries with back-off. */
export const jobStatus = pgEnum("job_status", ["queued", "running", "done", "failed"]);
export const jobs = pgTable(
  "jobs",
  {
    id: serial("id").primaryKey(),
    kind: varchar("kind", { length: 40 }).notNull(),
    payload: jsonb("payload").notNull(),
    status: jobStatus("status").notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(3),
    runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("jobs_ready_idx").on(t.status, t.runAt)],
);
