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
  const handled: string[] = [];
  server = http.createServer((req, res) =>
    admission.admit(req, res, () => {
      handled.push(req.url!);
      running += 1;
      most = Math.max(most, running);
      setTimeout(() => {
        running -= 1;
        res.end(req.url);
      }, ms);
    }),
  );
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, admission, most: () => most, handled };
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
    const stream = (path: string) => fetch(`${base}${path}`, { headers: { accept: "text/event-stream" } }).then((r) => r.text());
    await Promise.all([stream("/contests/1/live"), stream("/contests/2/live"), stream("/battle/3/events"), stream("/battle/4/events")]);
    expect(most()).toBe(4);
  });

  it("keeps other pages asking for an event stream in the queue", async () => {
    const { base, most } = await serve(1, 20);
    await Promise.all(Array.from({ length: 3 }, () => fetch(`${base}/admin`, { headers: { accept: "text/event-stream" } }).then((r) => r.text())));
    expect(most()).toBe(1);
  });

  it("frees the slot when the response head is written, not when a long body ends", async () => {
    const admission = createAdmission(1);
    server = http.createServer((req, res) =>
      admission.admit(req, res, () => {
        if (req.url === "/slow-body") {
          res.writeHead(200);
          res.write("start");
          setTimeout(() => res.end("end"), 300);
        } else res.end("quick");
      }),
    );
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    const slow = await fetch(`${base}/slow-body`);
    const started = performance.now();
    expect(await (await fetch(`${base}/next`)).text()).toBe("quick");
    expect(performance.now() - started).toBeLessThan(250);
    expect(await slow.text()).toBe("startend");
  });

  it("frees the slot of a client that left while waiting, without doing its work", async () => {
    const { base, admission, handled } = await serve(1, 100);
    const first = fetch(`${base}/first`).then((r) => r.text());
    const leaving = new AbortController();
    const left = fetch(`${base}/left`, { signal: leaving.signal }).catch((error: Error) => error.name);
    await new Promise((resolve) => setTimeout(resolve, 20));
    leaving.abort();
    expect(await left).toBe("AbortError");
    expect(await first).toBe("/first");
    expect(await (await fetch(`${base}/after`)).text()).toBe("/after");
    expect(admission.active + admission.waiting).toBe(0);
    expect(handled).toEqual(["/first", "/after"]);
  });
});

describe("pageConcurrency", () => {
  it("is configurable, with 8 when unset or nonsense", () => {
    expect(pageConcurrency({ PAGE_CONCURRENCY: "5" } as unknown as NodeJS.ProcessEnv)).toBe(5);
    expect(pageConcurrency({ PAGE_CONCURRENCY: "-1" } as unknown as NodeJS.ProcessEnv)).toBe(8);
    expect(pageConcurrency({} as unknown as NodeJS.ProcessEnv)).toBe(8);
  });
});
