// A database of the benchmark's own on the PostgreSQL server at `serverUrl`, dropped afterwards.
import pg from "pg";

/** Creates `${prefix}_${pid}`; returns its URL and a function that drops it. */
export async function createThrowawayDatabase(serverUrl, prefix) {
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
  return { url: url.toString(), drop };
}
