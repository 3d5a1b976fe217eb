import {
  boolean,
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
import { questionVersions } from "./quiz";
import { units, users } from "./org";

export const contestStatus = pgEnum("contest_status", ["draft", "published", "closed"]);

/** Per question type: how many questions, drawn from which banks, optionally only those with one of the tags. */
export type DrawRule = { type: string; bankIds: number[]; tags?: string[]; count: number }[];

export const contests = pgTable(
  "contests",
  {
    id: serial("id").primaryKey(),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "restrict" }),
    title: varchar("title", { length: 200 }).notNull(),
    description: text("description").notNull().default(""),
    opensAt: timestamp("opens_at", { withTimezone: true }).notNull(),
    closesAt: timestamp("closes_at", { withTimezone: true }).notNull(),
    drawRule: jsonb("draw_rule").$type<DrawRule>().notNull(),
    secondsPerQuestion: integer("seconds_per_question").notNull().default(20),
    pointsPerCorrect: integer("points_per_correct").notNull().default(100),
    speedBonus: boolean("speed_bonus").notNull().default(true),
    showResultsAtOnce: boolean("show_results_at_once").notNull().default(true),
    status: contestStatus("status").notNull().default("draft"),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("contests_unit_idx").on(t.unitId)],
);

/** Fixed at publication: the questions every entrant answers. */
export const contestQuestions = pgTable(
  "contest_questions",
  {
    contestId: integer("contest_id")
      .notNull()
      .references(() => contests.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    versionId: integer("version_id")
      .notNull()
      .references(() => questionVersions.id, { onDelete: "restrict" }),
  },
  (t) => [primaryKey({ columns: [t.contestId, t.position] })],
);

export const contestEntries = pgTable(
  "contest_entries",
  {
    id: serial("id").primaryKey(),
    contestId: integer("contest_id")
      .notNull()
      .references(() => contests.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The member's unit when they entered, for unit rankings. */
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "restrict" }),
    questionOrder: integer("question_order").array().notNull(),
    currentIndex: integer("current_index").notNull().default(0),
    currentServedAt: timestamp("current_served_at", { withTimezone: true }),
    score: real("score").notNull().default(0),
    totalMs: integer("total_ms").notNull().default(0),
    correctCount: integer("correct_count").notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("contest_entries_once").on(t.contestId, t.userId), index("contest_entries_rank_idx").on(t.contestId, t.score)],
);

export const contestAnswers = pgTable(
  "contest_answers",
  {
    entryId: integer("entry_id")
      .notNull()
      .references(() => contestEntries.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    response: jsonb("response"),
    correct: boolean("correct").notNull(),
    elapsedMs: integer("elapsed_ms").notNull(),
    score: real("score").notNull(),
    answeredAt: timestamp("answered_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.position] })],
);

export const battleStatus = pgEnum("battle_status", ["waiting", "running", "finished", "abandoned"]);

export const battleRatings = pgTable("battle_ratings", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  rating: integer("rating").notNull().default(1200),
  played: integer("played").notNull().default(0),
  won: integer("won").notNull().default(0),
});

export const battles = pgTable(
  "battles",
  {
    id: serial("id").primaryKey(),
    size: integer("size").notNull(),
    status: battleStatus("status").notNull().default("waiting"),
    versionIds: integer("version_ids").array().notNull().default([]),
    currentIndex: integer("current_index").notNull().default(0),
    /** When the current question is (or will be) shown: its deadline is this plus seconds_per_question. */
    currentServedAt: timestamp("current_served_at", { withTimezone: true }),
    secondsPerQuestion: integer("seconds_per_question").notNull().default(15),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("battles_running_idx").on(t.status)],
);

export const battlePlayers = pgTable(
  "battle_players",
  {
    battleId: integer("battle_id")
      .notNull()
      .references(() => battles.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    score: integer("score").notNull().default(0),
    /** Milliseconds taken over the right answers: the tie-break (faster places higher). */
    correctMs: integer("correct_ms").notNull().default(0),
    forfeited: boolean("forfeited").notNull().default(false),
    /** When the player's live connection dropped; cleared when it comes back. */
    leftAt: timestamp("left_at", { withTimezone: true }),
    place: integer("place"),
    ratingBefore: integer("rating_before").notNull(),
    ratingAfter: integer("rating_after"),
  },
  (t) => [primaryKey({ columns: [t.battleId, t.userId] }), index("battle_players_user_idx").on(t.userId)],
);

/** One answer of one player to one question of a battle; the key refuses a second answer. */
export const battleAnswers = pgTable(
  "battle_answers",
  {
    battleId: integer("battle_id")
      .notNull()
      .references(() => battles.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    response: jsonb("response"),
    correct: boolean("correct").notNull(),
    points: integer("points").notNull(),
    elapsedMs: integer("elapsed_ms").notNull(),
    answeredAt: timestamp("answered_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.battleId, t.position, t.userId] })],
);

/** Members waiting to be matched; the row goes when a battle is formed, or when its wait runs out. */
export const battleQueue = pgTable(
  "battle_queue",
  {
    userId: integer("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    size: integer("size").notNull(),
    rating: integer("rating").notNull(),
    enqueuedAt: timestamp("enqueued_at", { withTimezone: true }).notNull().defaultNow(),
    /** Last poll of the waiting page: a member who closed it is not matched. */
    seenAt: timestamp("seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("battle_queue_size_idx").on(t.size, t.enqueuedAt)],
);
