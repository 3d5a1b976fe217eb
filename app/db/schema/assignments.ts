import {
  date,
  index,
  integer,
  jsonb,
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
  },
  (t) => [index("assignments_unit_idx").on(t.unitId)],
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
  (t) => [primaryKey({ columns: [t.unitId, t.metric] })],
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
