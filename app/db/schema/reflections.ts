import {
  boolean,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  serial,
  text,
  timestamp,
  varchar,
} from "drizzle-orm/pg-core";
import { courses, lessons } from "./courses";
import { units, users } from "./org";

export const reflectionStatus = pgEnum("reflection_status", ["draft", "submitted", "returned", "approved"]);

export const reflections = pgTable(
  "reflections",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "restrict" }),
    courseId: integer("course_id").references(() => courses.id, { onDelete: "set null" }),
    lessonId: integer("lesson_id").references(() => lessons.id, { onDelete: "set null" }),
    title: varchar("title", { length: 200 }).notNull(),
    body: text("body").notNull(),
    status: reflectionStatus("status").notNull().default("draft"),
    featured: boolean("featured").notNull().default(false),
    reviewComment: text("review_comment"),
    reviewedBy: integer("reviewed_by").references(() => users.id, { onDelete: "set null" }),
    similarity: real("similarity"),
    similarToId: integer("similar_to_id"),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    approvedAt: timestamp("approved_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("reflections_unit_status_idx").on(t.unitId, t.status), index("reflections_user_idx").on(t.userId)],
);

export const reflectionLikes = pgTable(
  "reflection_likes",
  {
    reflectionId: integer("reflection_id")
      .notNull()
      .references(() => reflections.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.reflectionId, t.userId] })],
);

export const reflectionComments = pgTable(
  "reflection_comments",
  {
    id: serial("id").primaryKey(),
    reflectionId: integer("reflection_id")
      .notNull()
      .references(() => reflections.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("reflection_comments_reflection_idx").on(t.reflectionId)],
);
