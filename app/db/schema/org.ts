import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";

export const unitKind = pgEnum("unit_kind", ["committee", "general_branch", "branch", "group"]);
export const memberStatus = pgEnum("member_status", ["full", "probationary", "activist", "staff"]);
export const roleName = pgEnum("role_name", ["organiser", "admin"]);

/**
 * A Party unit. `code` is the materialised path: 3 digits per level from the root
 * ("001" committee, "001002" its second child…), so "this unit and below" is
 * `code LIKE '001002%'` on a text_pattern_ops index.
 */
export const units = pgTable(
  "units",
  {
    id: serial("id").primaryKey(),
    parentId: integer("parent_id").references((): AnyPgColumn => units.id, { onDelete: "restrict" }),
    kind: unitKind("kind").notNull(),
    name: varchar("name", { length: 100 }).notNull(),
    code: varchar("code", { length: 60 }).notNull(),
    depth: integer("depth").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("units_code_key").on(t.code),
    index("units_code_prefix_idx").using("btree", t.code.op("text_pattern_ops")),
    index("units_parent_idx").on(t.parentId),
  ],
);

export const users = pgTable(
  "users",
  {
    id: serial("id").primaryKey(),
    employeeNo: varchar("employee_no", { length: 32 }).notNull(),
    phone: varchar("phone", { length: 20 }),
    name: varchar("name", { length: 50 }).notNull(),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "restrict" }),
    status: memberStatus("status").notNull().default("full"),
    position: varchar("position", { length: 50 }).notNull().default(""),
    /** Secretaries and unit committee members have a higher yearly credit-hour requirement. */
    isCadre: boolean("is_cadre").notNull().default(false),
    joinedPartyOn: date("joined_party_on"),
    passwordHash: text("password_hash").notNull(),
    mustChangePassword: boolean("must_change_password").notNull().default(false),
    disabled: boolean("disabled").notNull().default(false),
    hideFromWideRankings: boolean("hide_from_wide_rankings").notNull().default(false),
    locale: varchar("locale", { length: 8 }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_employee_no_key").on(t.employeeNo),
    uniqueIndex("users_phone_key").on(t.phone).where(sql`${t.phone} is not null`),
    index("users_unit_idx").on(t.unitId),
  ],
);

/** A role held at a unit, valid for that unit's whole subtree. */
export const roleGrants = pgTable(
  "role_grants",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "cascade" }),
    role: roleName("role").notNull(),
    grantedBy: integer("granted_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("role_grants_unique").on(t.userId, t.unitId, t.role), index("role_grants_unit_idx").on(t.unitId)],
);
