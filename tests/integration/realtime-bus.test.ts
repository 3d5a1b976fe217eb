// The live-update bus: a message published on a topic reaches that topic's subscribers (and no
// others), through NOTIFY; a message sent inside a transaction arrives only if it commits.
import { describe, expect, it } from "vitest";
import { db, driver } from "~/db/client.server";
import { bus, createBus } from "~/realtime/bus.server";

function nextMessage(topic: string, timeoutMs = 3_000) {
  return new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message on ${topic}`)), timeoutMs);
    void bus.subscribe(topic, (data) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

describe("realtime bus", () => {
  it("delivers to the topic's subscribers only", async () => {
    const other: unknown[] = [];
    const stop = await bus.subscribe("contest:2", (data) => other.push(data));
    const received = nextMessage("contest:1");
    await new Promise((r) => setTimeout(r, 50));
    await bus.publish("contest:1", { entrants: 3 });
    expect(await received).toEqual({ entrants: 3 });
    expect(other).toEqual([]);
    stop();
  });

  it("sends a transaction's message on commit and drops it on rollback", async () => {
    const seen: unknown[] = [];
    const stop = await bus.subscribe("tx", (data) => seen.push(data));
    await db
      .transaction(async (tx) => {
        await bus.publish("tx", "rolled back", tx);
        throw new Error("abort");
      })
      .catch(() => {});
    await db.transaction(async (tx) => bus.publish("tx", "committed", tx));
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual(["committed"]);
    stop();
  });

  it("reaches a second bus on its own connection (a second app instance)", async () => {
    if (driver.kind !== "pg") return expect(driver.kind).toBe("pglite");
    const second = createBus(db, driver);
    const received = new Promise<unknown>((resolve) => void second.subscribe("shared", resolve));
    await new Promise((r) => setTimeout(r, 100));
    await bus.publish("shared", { n: 1 });
    expect(await received).toEqual({ n: 1 });
    await second.close();
  });

  it("refuses a payload NOTIFY cannot carry", async () => {
    await expect(bus.publish("big", "x".repeat(9_000))).rejects.toThrow(/too large/);
  });
});
