import {
  boolean,
  date,
  index,
  integer,
  jsonb,
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
import { lessons } from "./courses";
import { units, users } from "./org";

export const questionType = pgEnum("question_type", ["single", "multiple", "true_false", "fill_blank"]);

export const questionBanks = pgTable("question_banks", {
  id: serial("id").primaryKey(),
  unitId: integer("unit_id")
    .notNull()
    .references(() => units.id, { onDelete: "restrict" }),
  name: varchar("name", { length: 120 }).notNull(),
  description: text("description").notNull().default(""),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const questions = pgTable(
  "questions",
  {
    id: serial("id").primaryKey(),
    bankId: integer("bank_id")
      .notNull()
      .references(() => questionBanks.id, { onDelete: "cascade" }),
    currentVersion: integer("current_version").notNull().default(1),
    archived: boolean("archived").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("questions_bank_idx").on(t.bankId)],
);

export type QuestionOption = { id: string; text: string };
export type AnswerKey = { choices?: string[]; value?: boolean; blanks?: string[][] };
/** What a member answered: option ids, true/false, or one text per blank. */
export type QuizResponse = { choices?: string[]; value?: boolean; blanks?: string[] };

/** Immutable: an edit adds a version, so answers already given keep what they were asked. */
export const questionVersions = pgTable(
  "question_versions",
  {
    id: serial("id").primaryKey(),
    questionId: integer("question_id")
      .notNull()
      .references(() => questions.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    type: questionType("type").notNull(),
    stem: text("stem").notNull(),
    options: jsonb("options").$type<QuestionOption[]>().notNull().default([]),
    answer: jsonb("answer").$type<AnswerKey>().notNull(),
    explanation: text("explanation").notNull().default(""),
    difficulty: integer("difficulty").notNull().default(3),
    tags: text("tags").array().notNull().default([]),
    source: text("source").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("question_versions_key").on(t.questionId, t.version)],
);

export const quizAttempts = pgTable(
  "quiz_attempts",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    lessonId: integer("lesson_id")
      .notNull()
      .references(() => lessons.id, { onDelete: "cascade" }),
    /** Drawn question versions with their shuffled option order. */
    items: jsonb("items").$type<{ versionId: number; optionOrder: string[] }[]>().notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    deadline: timestamp("deadline", { withTimezone: true }),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    /** The answers submitted, one per item (null: left unanswered); null until submitted. */
    responses: jsonb("responses").$type<(QuizResponse | null)[]>(),
    score: real("score"),
    passed: boolean("passed"),
  },
  (t) => [index("quiz_attempts_user_lesson_idx").on(t.userId, t.lessonId)],
);

/** Every answer a member gave, in any mode, against the exact question version asked. */
export const answerRecords = pgTable(
  "answer_records",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    questionId: integer("question_id")
      .notNull()
      .references(() => questions.id, { onDelete: "cascade" }),
    versionId: integer("version_id")
      .notNull()
      .references(() => questionVersions.id, { onDelete: "cascade" }),
    mode: varchar("mode", { length: 16 }).notNull(),
    response: jsonb("response").notNull(),
    correct: boolean("correct").notNull(),
    answeredAt: timestamp("answered_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("answer_records_user_question_idx").on(t.userId, t.questionId)],
);

export const mistakeBook = pgTable(
  "mistake_book",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    questionId: integer("question_id")
      .notNull()
      .references(() => questions.id, { onDelete: "cascade" }),
    correctStreak: integer("correct_streak").notNull().default(0),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
    /** Practice takes the entry practised longest ago (never practised first). */
    lastPractisedAt: timestamp("last_practised_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.questionId] })],
);

export const dailyQuizzes = pgTable(
  "daily_quizzes",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: date("day").notNull(),
    versionIds: integer("version_ids").array().notNull(),
    answered: integer("answered").notNull().default(0),
    correct: integer("correct").notNull().default(0),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);
