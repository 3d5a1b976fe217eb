import { parse, protocol, type PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { driver } from "./client.server";

type Prepared = { text: string; paramTypes: number[] };
/** Statements prepared per PGlite instance (tests open several), by name. */
const preparedByClient = new WeakMap<PGlite, Map<string, Prepared>>();

// SQLSTATEs after which a prepared statement is prepared again: it no longer exists, or the
// schema under it changed its result type.
const STALE_STATEMENT = new Set(["26000", "0A000"]);

function concat(parts: Uint8Array[]) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

async function prepare(client: PGlite, statements: Map<string, Prepared>, name: string, text: string) {
  const { messages } = await client.execProtocol(
    concat([protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: "S", name }), protocol.serialize.sync()]),
    { syncToFs: false },
  );
  const description = messages.find((m) => m.name === "parameterDescription") as { dataTypeIDs: number[] } | undefined;
  const prepared = { text, paramTypes: description?.dataTypeIDs ?? [] };
  statements.set(name, prepared);
  return prepared;
}

/**
 * PGlite's `query` re-parses and re-plans its statement and enters the engine six times. Here a
 * named statement is parsed once and each call is one Bind/Describe/Execute/Sync message,
 * under the same two locks `query` takes (so it never runs inside another caller's transaction).
 */
async function pgliteHotQuery<T>(client: PGlite, name: string, text: string, params: unknown[]): Promise<T[]> {
  let statements = preparedByClient.get(client);
  if (!statements) preparedByClient.set(client, (statements = new Map()));
  const known = statements;
  const rows = await client._runExclusiveTransaction(() =>
    client._runExclusiveQuery(async () => {
      const run = async (retry: boolean): Promise<T[]> => {
        const prepared = known.get(name) ?? (await prepare(client, known, name, text));
        if (prepared.text !== text) throw new Error(`hot query "${name}" is used with two different statements`);
        const values = params.map((value, i) => {
          if (value === null || value === undefined) return null;
          const serialize = client.serializers[prepared.paramTypes[i]];
          return serialize ? (serialize(value) as string) : String(value);
        });
        try {
          const { messages } = await client.execProtocol(
            concat([
              protocol.serialize.bind({ statement: name, values }),
              protocol.serialize.describe({ type: "P" }),
              protocol.serialize.execute({}),
              protocol.serialize.sync(),
            ]),
            { syncToFs: false },
          );
          return parse.parseResults(messages, client.parsers)[0].rows as T[];
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (!retry || !code || !STALE_STATEMENT.has(code)) throw error;
          known.delete(name);
          await client.execProtocol(protocol.serialize.query(`deallocate "${name}"`), { syncToFs: false }).catch(() => {});
          return run(false);
        }
      };
      return run(true);
    }),
  );
  await client.syncToFs();
  return rows;
}

/**
 * A fixed statement straight through the driver, for hot paths: no query builder, and prepared
 * once by name (per PGlite instance, or per PostgreSQL connection), so it is planned once.
 * `name` must always go with the same `text`. Not for use inside a transaction.
 */
export async function hotQuery<T>(name: string, text: string, params: unknown[]): Promise<T[]> {
  if (driver.kind === "pglite") return pgliteHotQuery<T>(driver.client, name, text, params);
  return (await driver.pool.query<T & pg.QueryResultRow>({ name, text, values: params })).rows;
}
