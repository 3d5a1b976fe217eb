import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createAdmission, pageConcurrency } from "./admission.server";

let server: http.Server | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real server whose pages take `ms` each, admitted `concurrency` at a time. */
async function serve(concurrency: number, ms: number) {
  const admission = createAdmission(concurrency);
  let running = 0;
  let most = 0;
  server = http.createServer((req, res) =>
    admission.admit(req, res, () => {
      running += 1;
      most = Math.max(most, running);
      setTimeout(() => {
        running -= 1;
        res.end(req.url);
      }, ms);
    }),
  );
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, admission, most: () => most };
}

describe("createAdmission", () => {
  it("lets pages through a few at a time and answers every one of them", async () => {
    const { base, admission, most } = await serve(3, 20);
    const bodies = await Promise.all(Array.from({ length: 12 }, (_, i) => fetch(`${base}/p${i}`).then((r) => r.text())));
    expect(bodies).toEqual(Array.from({ length: 12 }, (_, i) => `/p${i}`));
    expect(most()).toBe(3);
    expect(admission.active + admission.waiting).toBe(0);
  });

  it("lets event streams through without a slot", async () => {
    const { base, most } = await serve(1, 30);
    await Promise.all(Array.from({ length: 4 }, () => fetch(`${base}/live`, { headers: { accept: "text/event-stream" } }).then((r) => r.text())));
    expect(most()).toBe(4);
  });
});

describe("pageConcurrency", () => {
  it("is configurable, and smaller on the embedded database", () => {
    expect(pageConcurrency({ PAGE_CONCURRENCY: "5" } as unknown as NodeJS.ProcessEnv)).toBe(5);
    expect(pageConcurrency({ PAGE_CONCURRENCY: "-1" } as unknown as NodeJS.ProcessEnv)).toBe(8);
    expect(pageConcurrency({ DATABASE_URL: "postgres://x" } as unknown as NodeJS.ProcessEnv)).toBe(32);
  });
});
