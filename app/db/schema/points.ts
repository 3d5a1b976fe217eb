import { date, index, integer, pgTable, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { users } from "./org";

/** A rule version: amount and daily cap from a stated day. Past ledger entries keep their version. */
export const pointRules = pgTable(
  "point_rules",
  {
    id: serial("id").primaryKey(),
    code: varchar("code", { length: 40 }).notNull(),
    version: integer("version").notNull(),
    amount: integer("amount").notNull(),
    dailyCap: integer("daily_cap"),
    effectiveFrom: date("effective_from").notNull(),
    note: text("note").notNull().default(""),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("point_rules_version_key").on(t.code, t.version)],
);

/** Append-only ledger. `sourceKey` names what earned the entry; replays hit the unique key. */
export const pointEntries = pgTable(
  "point_entries",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ruleId: integer("rule_id")
      .notNull()
      .references(() => pointRules.id, { onDelete: "restrict" }),
    ruleCode: varchar("rule_code", { length: 40 }).notNull(),
    amount: integer("amount").notNull(),
    sourceKey: varchar("source_key", { length: 120 }).notNull(),
    day: date("day").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("point_entries_source_key").on(t.userId, t.ruleCode, t.sourceKey),
    index("point_entries_user_day_idx").on(t.userId, t.day),
  ],
);
