import fs from "node:fs";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The driver under drizzle, for the bulk paths (COPY, unnest) and LISTEN/NOTIFY. */
export type Driver = { kind: "pglite"; client: PGlite } | { kind: "pg"; pool: pg.Pool };
export type Database = { db: Db; driver: Driver; close: () => Promise<void> };

const MIGRATION_LOCK = 727_272;

function migrationsFolder() {
  return path.resolve(process.env.MIGRATIONS_DIR ?? "drizzle");
}

/**
 * PGlite runs a statement synchronously, and the next waiting statement starts when the previous
 * one's promise resolves: in the same microtask checkpoint. A queue of statements (a crowd's page
 * loads) therefore ran back to back without the event loop getting a turn, and requests arriving
 * meanwhile, contest answers among them, were not even read: the server stalled for seconds. So
 * once statements have run for YIELD_AFTER_MS without the loop taking a turn, the next one first
 * gives it one (read requests, fire timers), as a network round trip to PostgreSQL would. Within
 * a transaction the turn waits longer (YIELD_IN_TRANSACTION_MS): the transaction holds the
 * database meanwhile, and a short one (a points award) is better finished first.
 */
const YIELD_AFTER_MS = 4;
const YIELD_IN_TRANSACTION_MS = 50;

function yieldBetweenStatements(client: PGlite) {
  const runExclusiveTransaction = client._runExclusiveTransaction.bind(client);
  const runExclusiveQuery = client._runExclusiveQuery.bind(client);
  let busySince = performance.now();
  let turnNoticed = true;
  let inTransaction = false;
  const turnAfter = async (ms: number) => {
    if (turnNoticed) {
      // The loop took a turn since (an idle gap): a new run of statements starts now.
      turnNoticed = false;
      busySince = performance.now();
      setImmediate(() => (turnNoticed = true));
    } else if (performance.now() - busySince > ms) {
      await nextTurn();
    }
  };
  // A statement, a transaction or a prepared query takes the transaction lock once, then runs each
  // of its statements under the query lock: only a transaction has more than one.
  client._runExclusiveTransaction = <T>(work: () => Promise<T>) =>
    runExclusiveTransaction(async () => {
      await turnAfter(YIELD_AFTER_MS);
      inTransaction = true;
      try {
        return await work();
      } finally {
        inTransaction = false;
      }
    });
  client._runExclusiveQuery = <T>(statement: () => Promise<T>) =>
    runExclusiveQuery(async () => {
      await turnAfter(inTransaction ? YIELD_IN_TRANSACTION_MS : YIELD_AFTER_MS);
      return statement();
    });
}

/**
 * DATABASE_URL set → PostgreSQL through a `pg` pool; unset → PGlite under DATA_DIR
 * (default `data/`, or `memory://` for an in-memory database). Migrations run on open.
 */
export async function openDatabase(env = process.env): Promise<Database> {
  if (env.DATABASE_URL) {
    const pool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      max: Number(env.DATABASE_POOL_SIZE ?? 16),
    });
    // An idle connection dropped by the server (restart, failover) must not crash the process.
    pool.on("error", (error) => console.error(`postgres: idle connection closed: ${error.message}`));
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    // Several instances may start at once: one migrates, the others wait on the lock.
    const lockClient = await pool.connect();
    try {
      await lockClient.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
      await migratePg(drizzlePg(pool, { schema }), { migrationsFolder: migrationsFolder() });
    } finally {
      await lockClient.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
      lockClient.release();
    }
    return { db, driver: { kind: "pg", pool }, close: () => pool.end() };
  }
  const dataDir = env.DATA_DIR ?? "data";
  const inMemory = dataDir.startsWith("memory://");
  if (!inMemory) fs.mkdirSync(dataDir, { recursive: true });
  const fresh = inMemory || !fs.existsSync(path.join(dataDir, "PG_VERSION"));
  const template = env.PGLITE_TEMPLATE ?? "build/pglite-template.tar.gz";
  // A new database starts from the pre-migrated template (scripts/pglite-template.js) when there
  // is one: loading it takes a fraction of initdb's time. Migrations below bring it up to date.
  const loadDataDir = fresh && fs.existsSync(template) ? new Blob([fs.readFileSync(template)]) : undefined;
  const client = await PGlite.create(inMemory ? dataDir : path.resolve(dataDir), { extensions: { pg_trgm }, loadDataDir });
  yieldBetweenStatements(client);
  // A new WAL segment is otherwise first filled with 16 MB of zeros, inside whichever statement
  // crosses into it: 10–90 ms with nothing else running. The engine is this process, so there is
  // no background writer to do it ahead; written sparse, the switch takes 2–4 ms.
  await client.exec("set wal_init_zero = off");
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: migrationsFolder() });
  return { db, driver: { kind: "pglite", client }, close: () => client.close() };
}

const globalForDb = globalThis as unknown as { __database?: Promise<Database> };

/** The process-wide database, opened once (and kept across dev-server reloads). */
export function getDatabase(): Promise<Database> {
  globalForDb.__database ??= openDatabase();
  return globalForDb.__database;
}

export const { db, driver } = await getDatabase();
