import type pg from "pg";
import { driver } from "./client.server";

/**
 * A fixed statement straight through the driver, for hot paths: no query builder, and on
 * PostgreSQL prepared once per connection (by name), so it is planned once.
 */
export async function hotQuery<T>(name: string, text: string, params: unknown[]): Promise<T[]> {
  if (driver.kind === "pglite") return (await driver.client.query<T>(text, params)).rows;
  return (await driver.pool.query<T & pg.QueryResultRow>({ name, text, values: params })).rows;
}
