import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { courses } from "./courses";
import { memberStatus, units, users } from "./org";

export const assignments = pgTable(
  "assignments",
  {
    id: serial("id").primaryKey(),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "restrict" }),
    title: varchar("title", { length: 200 }).notNull(),
    startsOn: date("starts_on").notNull(),
    dueOn: date("due_on").notNull(),
    /** Empty means every member category. */
    statuses: memberStatus("statuses").array().notNull().default([]),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    note: text("note").notNull().default(""),
  },
  (t) => [index("assignments_unit_idx").on(t.unitId)],
);

export const assignmentMemberStatus = pgEnum("assignment_member_status", ["not_started", "in_progress", "completed"]);

/**
 * One row per member an assignment applies to (active member below the assignment's unit, of a
 * chosen category): what is counted for them. `unitId` is the member's home unit as counted in
 * `unit_stats`; a move rewrites it and moves the figures with it. Kept by app/stats.
 */
export const assignmentMembers = pgTable(
  "assignment_members",
  {
    assignmentId: integer("assignment_id")
      .notNull()
      .references(() => assignments.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "cascade" }),
    status: assignmentMemberStatus("status").notNull().default("not_started"),
    lessonsDone: integer("lessons_done").notNull().default(0),
    coursesDone: integer("courses_done").notNull().default(0),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.assignmentId, t.userId] }),
    index("assignment_members_user_idx").on(t.userId),
    index("assignment_members_unit_idx").on(t.assignmentId, t.unitId, t.status),
  ],
);

/**
 * How each member is counted in the unit aggregates (home unit, category, cadre): compared with
 * `users` to find members whose figures must move (a move, a new member, a disabled account).
 */
export const statMembers = pgTable(
  "stat_members",
  {
    userId: integer("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "cascade" }),
    status: memberStatus("status").notNull(),
    isCadre: boolean("is_cadre").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("stat_members_unit_idx").on(t.unitId)],
);

/** A member's credit hours of one year (China time) as counted in `unit_stats` ("credit:YEAR"). */
export const memberCredits = pgTable(
  "member_credits",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    year: integer("year").notNull(),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "cascade" }),
    /** Hundredths of a credit hour. */
    hours: integer("hours").notNull().default(0),
    /** Hundredths per month, January first. */
    months: integer("months").array().notNull(),
    requirement: integer("requirement").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.year] }), index("member_credits_year_unit_idx").on(t.year, t.unitId)],
);

export const assignmentCourses = pgTable(
  "assignment_courses",
  {
    assignmentId: integer("assignment_id")
      .notNull()
      .references(() => assignments.id, { onDelete: "cascade" }),
    courseId: integer("course_id")
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.assignmentId, t.courseId] })],
);

/**
 * Per-unit aggregates (own members only, not the subtree) kept up to date as progress
 * arrives; a dashboard sums them over `units.code LIKE prefix%`, so its cost follows units.
 */
export const unitStats = pgTable(
  "unit_stats",
  {
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "cascade" }),
    /** e.g. "assignment:12" or "credit:2026". */
    metric: varchar("metric", { length: 40 }).notNull(),
    counts: jsonb("counts").$type<Record<string, number>>().notNull().default({}),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.metric] }), index("unit_stats_metric_idx").on(t.metric, t.unitId)],
);

export const notifications = pgTable(
  "notifications",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: varchar("kind", { length: 40 }).notNull(),
    title: varchar("title", { length: 200 }).notNull(),
    body: text("body").notNull().default(""),
    link: text("link"),
    /** Makes a reminder idempotent: the same key is never delivered twice. */
    dedupeKey: varchar("dedupe_key", { length: 120 }),
    data: jsonb("data"),
    readAt: timestamp("read_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("notifications_dedupe_key").on(t.userId, t.dedupeKey), index("notifications_user_idx").on(t.userId, t.createdAt)],
);

/**
 * Members whose home unit, category, cadre flag or account state changed (filled by a trigger on
 * users, whatever code made the change): app/stats moves their figures and removes the row.
 */
export const statDirty = pgTable("stat_dirty", {
  userId: integer("user_id").primaryKey(),
  markedAt: timestamp("marked_at", { withTimezone: true }).notNull().defaultNow(),
});
