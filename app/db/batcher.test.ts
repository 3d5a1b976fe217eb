import { describe, expect, it } from "vitest";
import { createBatcher } from "./batcher.server";

describe("createBatcher", () => {
  it("writes calls made together as one group and answers each caller in order", async () => {
    const groups: number[][] = [];
    const batcher = createBatcher(async (items: number[]) => {
      groups.push(items);
      return items.map((n) => n * 10);
    });
    const answers = await Promise.all([1, 2, 3].map((n) => batcher.write(n)));
    expect(answers).toEqual([10, 20, 30]);
    expect(groups).toEqual([[1, 2, 3]]);
  });

  it("runs one group at a time; calls made meanwhile form the next group, at most maxGroup each", async () => {
    const groups: number[][] = [];
    let running = 0;
    let overlapped = false;
    const batcher = createBatcher(
      async (items: number[]) => {
        running += 1;
        overlapped ||= running > 1;
        groups.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return items;
      },
      { maxGroup: 2 },
    );
    const first = batcher.write(1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((n) => batcher.write(n));
    expect(await Promise.all([first, ...rest])).toEqual([1, 2, 3, 4]);
    expect(groups).toEqual([[1], [2, 3], [4]]);
    expect(overlapped).toBe(false);
  });

  it("writes a failed group again item by item, so only the bad item's caller gets the error", async () => {
    const groups: number[][] = [];
    const batcher = createBatcher(async (items: number[]) => {
      groups.push(items);
      if (items.includes(13)) throw new Error("bad item 13");
      return items;
    });
    const results = await Promise.allSettled([12, 13, 14].map((n) => batcher.write(n)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe("bad item 13");
    expect(groups).toEqual([[12, 13, 14], [12], [13], [14]]);
  });

  it("refuses an answer that does not cover the group", async () => {
    const batcher = createBatcher(async (items: number[]) => items.slice(1));
    await expect(batcher.write(1)).rejects.toThrow("batch answered 0 of 1 items");
  });
});

describe("createBatcher with concurrency", () => {
  it("runs up to that many groups at once", async () => {
    let running = 0;
    let most = 0;
    const batcher = createBatcher(
      async (items: number[]) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
        return items;
      },
      { maxGroup: 1, concurrency: 3 },
    );
    expect(await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.write(n)))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });
});
