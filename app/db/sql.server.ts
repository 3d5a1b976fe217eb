import { getTableName, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/**
 * A column as "table"."column". drizzle leaves columns unqualified in single-table queries,
 * so inside a correlated subquery `${courses.id}` would silently bind to the inner table.
 */
export function qualified(column: AnyPgColumn) {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
}
