// Live updates across app instances: publishers NOTIFY one PostgreSQL channel, every instance
// LISTENs on it and hands each message to its local subscribers of that topic. Process memory
// alone would miss instances behind a load balancer; NOTIFY reaches them all (and PGlite, one
// process, delivers its own NOTIFYs the same way).
import pg from "pg";
import { sql } from "drizzle-orm";
import { db as defaultDb, driver as defaultDriver, type Db, type Driver } from "~/db/client.server";

const CHANNEL = "realtime";
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
const MAX_PAYLOAD = 7_900;

type Listener = (data: unknown) => void;

export type Bus = {
  /** Sends `data` to every subscriber of `topic` in every instance. Inside a transaction, on commit. */
  publish: (topic: string, data: unknown, executor?: Pick<Db, "execute">) => Promise<void>;
  /** Calls `listener` for each message on `topic` until the returned function is called. */
  subscribe: (topic: string, listener: Listener) => Promise<() => void>;
  close: () => Promise<void>;
};

export function createBus(db: Db, driver: Driver): Bus {
  const listeners = new Map<string, Set<Listener>>();
  let listening: Promise<() => Promise<void>> | undefined;

  function dispatch(payload: string) {
    let message: { topic: string; data: unknown };
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    for (const listener of listeners.get(message.topic) ?? []) {
      try {
        listener(message.data);
      } catch (error) {
        console.error(`realtime: a listener of ${message.topic} failed`, error);
      }
    }
  }

  async function listen(): Promise<() => Promise<void>> {
    if (driver.kind === "pglite") {
      const unlisten = await driver.client.listen(CHANNEL, dispatch);
      return () => unlisten();
    }
    // A dedicated connection outside the pool: LISTEN holds its session.
    const options = driver.pool.options;
    let client: pg.Client | undefined;
    let stopped = false;
    const connect = async () => {
      client = new pg.Client({ connectionString: options.connectionString });
      client.on("notification", (message) => message.payload && dispatch(message.payload));
      client.on("error", (error) => {
        console.error(`realtime: listener connection lost: ${error.message}`);
        client?.end().catch(() => {});
        if (!stopped) setTimeout(() => connect().catch(() => {}), 1_000);
      });
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    };
    await connect();
    return async () => {
      stopped = true;
      await client?.end().catch(() => {});
    };
  }

  return {
    async publish(topic, data, executor = db) {
      const payload = JSON.stringify({ topic, data });
      if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new Error(`realtime: message on ${topic} is too large for NOTIFY`);
      await executor.execute(sql`select pg_notify(${CHANNEL}, ${payload})`);
    },
    async subscribe(topic, listener) {
      listening ??= listen();
      await listening;
      let set = listeners.get(topic);
      if (!set) listeners.set(topic, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(topic);
      };
    },
    async close() {
      if (listening) await (await listening)();
      listening = undefined;
      listeners.clear();
    },
  };
}

const globalForBus = globalThis as unknown as { __bus?: Bus };

/** The process-wide bus on the process-wide database. */
export const bus: Bus = (globalForBus.__bus ??= createBus(defaultDb, defaultDriver));
