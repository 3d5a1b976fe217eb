import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "~/db/client.server";

describe("database client", () => {
  it("lets the event loop take a turn while a queue of statements runs", async () => {
    // A crowd's statements queued at once: requests arriving meanwhile must still be read, so the
    // event loop has to get a turn well before the last one finishes (PGlite runs each statement
    // synchronously; PostgreSQL answers over the network).
    const statements = 120;
    let finished = 0;
    const all = Promise.all(
      Array.from({ length: statements }, () => db.execute(sql`select sum(g) from generate_series(1, 20000) g`).then(() => (finished += 1))),
    );
    const finishedAtTurn = await new Promise<number>((resolve) => setTimeout(() => resolve(finished), 0));
    await all;
    expect(finished).toBe(statements);
    expect(finishedAtTurn).toBeLessThan(statements / 2);
  });
});
