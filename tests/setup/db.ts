// Each test file gets its own empty, migrated database: an in-memory PGlite by default,
// or a fresh database on the PostgreSQL server named by DATABASE_URL.
import pg from "pg";
import { afterAll } from "vitest";

const serverUrl = process.env.TEST_PG_SERVER_URL ?? process.env.DATABASE_URL;
let dropDatabase: (() => Promise<void>) | undefined;

if (serverUrl) {
  process.env.TEST_PG_SERVER_URL = serverUrl;
  const name = `test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  dropDatabase = async () => {
    const cleanup = new pg.Client({ connectionString: serverUrl });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  };
} else {
  process.env.DATA_DIR = "memory://";
}

afterAll(async () => {
  const holder = globalThis as unknown as { __database?: Promise<{ close: () => Promise<void> }> };
  if (holder.__database) {
    await (await holder.__database).close();
    delete holder.__database;
  }
  await dropDatabase?.();
});
