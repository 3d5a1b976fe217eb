import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { acceptsGzip, createSharedPages, type PageKey, type RenderPage } from "./shared-pages.server";

// What the route's key function answers, per cookie; what the renderer sends back.
let keys: Record<string, PageKey | null | Error> = {};
let renders: string[] = [];
let rendered: Request[] = [];
let reply: (request: Request) => Response = () => new Response("", { status: 500 });
let renderDelayMs = 0;

const render: RenderPage = async (request) => {
  renders.push(request.headers.get("cookie") ?? "");
  rendered.push(request);
  await new Promise((resolve) => setTimeout(resolve, renderDelayMs));
  return reply(request);
};

const page = (html: string, headers: Record<string, string> = {}) =>
  new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8", "X-Frame-Options": "DENY", ...headers } });

const pages = createSharedPages(
  [
    {
      path: "/lessons/:lessonId",
      keyFor: async ({ params, header }) => {
        const key = keys[`${header("cookie")}`];
        if (key instanceof Error) throw key;
        return key ? { key: `${params.lessonId}:${key.key}`, version: key.version } : null;
      },
    },
  ],
  render,
  { maxPages: 3, maxBytes: 4_000 },
);

let base = "";
let server: http.Server;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (pages.serve(req, res, () => res.writeHead(299, { "Content-Type": "text/plain" }).end("remix"))) return;
    res.writeHead(298).end("not taken");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  keys = {};
  renders = [];
  rendered = [];
  renderDelayMs = 0;
  reply = (request) => page(`<p>page for ${new URL(request.url).pathname}, rendered with ${request.headers.get("cookie")}</p>`);
});

const get = (path: string, cookie: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers: { cookie, "accept-encoding": "identity", ...headers } });

describe("shared pages", () => {
  it("renders a copy once for everyone with the same key, even when they ask at the same time", async () => {
    const version = {};
    keys = { a: { key: "zh", version }, b: { key: "zh", version }, c: { key: "zh", version } };
    renderDelayMs = 50;
    const replies = await Promise.all(["a", "b", "c", "a"].map((cookie) => get("/lessons/1", cookie)));
    const bodies = await Promise.all(replies.map((r) => r.text()));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(bodies).size).toBe(1);
    expect(renders).toHaveLength(1);
    expect(replies[0].headers.get("x-frame-options")).toBe("DENY");
    expect(replies[0].headers.get("vary")).toContain("Cookie");
    // Later requests are answered from the copy.
    expect(await (await get("/lessons/1", "b")).text()).toBe(bodies[0]);
    expect(renders).toHaveLength(1);
  });

  it("keeps a copy per key, and makes a new one when the version changes", async () => {
    const v1 = {};
    keys = { zh: { key: "zh", version: v1 }, en: { key: "en", version: v1 } };
    await get("/lessons/2", "zh");
    await get("/lessons/2", "en");
    await get("/lessons/3", "zh");
    expect(renders).toEqual(["zh", "en", "zh"]);
    keys.zh = { key: "zh", version: {} };
    expect(await (await get("/lessons/2", "zh")).text()).toContain("rendered with zh");
    expect(renders).toHaveLength(4);
    await get("/lessons/2", "zh");
    expect(renders).toHaveLength(4);
  });

  it("lets Remix answer whoever has no key, and anything but a plain GET of a route", async () => {
    keys = { member: { key: "zh", version: 1 }, stranger: null };
    expect((await get("/lessons/4", "stranger")).status).toBe(299);
    expect((await get("/lessons/4?index", "member")).status).toBe(298);
    expect((await get("/lessons/4/quiz", "member")).status).toBe(298);
    expect((await fetch(`${base}/lessons/4`, { method: "POST", headers: { cookie: "member" } })).status).toBe(298);
    expect(renders).toHaveLength(0);
  });

  it("does not keep a reply that is not a plain page: each asker goes to Remix", async () => {
    keys = { a: { key: "zh", version: 1 }, b: { key: "zh", version: 1 } };
    reply = () => page("<p>with a cookie</p>", { "Set-Cookie": "dx_session=renewed" });
    const replies = await Promise.all([get("/lessons/5", "a"), get("/lessons/5", "b")]);
    expect(replies.map((r) => r.status)).toEqual([299, 299]);
    expect(renders).toHaveLength(1);
    reply = () => new Response(null, { status: 302, headers: { Location: "/login" } });
    expect((await get("/lessons/6", "a")).status).toBe(299);
    reply = () => {
      throw new Error("render failed");
    };
    expect((await get("/lessons/7", "a")).status).toBe(299);
    // Nothing was kept: the next asker renders again.
    reply = () => page("<p>fine</p>");
    expect((await get("/lessons/5", "a")).status).toBe(200);
    expect(renders).toHaveLength(4);
  });

  it("goes to Remix when the key cannot be worked out", async () => {
    keys = { a: new Error("database down") };
    expect((await get("/lessons/8", "a")).status).toBe(299);
  });

  it("sends the copy gzipped to browsers that take it", async () => {
    keys = { a: { key: "zh", version: 1 } };
    const plain = await (await get("/lessons/9", "a")).text();
    const zipped = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
      http
        .get(`${base}/lessons/9`, { headers: { cookie: "a", "accept-encoding": "gzip, deflate, br" } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ encoding: res.headers["content-encoding"], body: Buffer.concat(chunks) }));
        })
        .on("error", reject);
    });
    expect(zipped.encoding).toBe("gzip");
    expect(zlib.gunzipSync(zipped.body).toString()).toBe(plain);
  });

  it("renders the matched path with the cookie alone, whatever else the asker sends", async () => {
    keys = { a: { key: "zh", version: 1 } };
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get(`${base}/lessons/20`, { headers: { cookie: "a", host: "evil.example/me/record?", "user-agent": "Googlebot", "x-forwarded-host": "evil.example" } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        })
        .on("error", reject);
    });
    expect(status).toBe(200);
    expect(rendered).toHaveLength(1);
    const url = new URL(rendered[0].url);
    expect(url.pathname).toBe("/lessons/20");
    expect(url.search).toBe("");
    expect(url.host).not.toContain("evil");
    expect([...rendered[0].headers.keys()].sort()).toEqual(["accept", "cookie", "user-agent"]);
    expect(rendered[0].headers.get("user-agent")).not.toBe("Googlebot");
  });

  it("keeps a render overtaken by a newer version out of the store", async () => {
    keys = { a: { key: "zh", version: "v1" } };
    renderDelayMs = 80;
    const old = get("/lessons/21", "a");
    await new Promise((resolve) => setTimeout(resolve, 20));
    renderDelayMs = 0;
    keys = { a: { key: "zh", version: "v2" } };
    await get("/lessons/21", "a");
    await old;
    renders = [];
    await get("/lessons/21", "a");
    expect(renders).toHaveLength(0);
  });

  it("keeps at most maxBytes of copies", async () => {
    keys = { a: { key: "zh", version: 1 } };
    reply = () => page(`<p>${"x".repeat(1_500)}</p>`);
    for (const id of [30, 31, 32]) await get(`/lessons/${id}`, "a");
    expect(pages.bytes()).toBeLessThanOrEqual(4_000);
    renders = [];
    await get("/lessons/30", "a");
    expect(renders).toHaveLength(1);
  });

  it("keeps at most maxPages copies", async () => {
    keys = { a: { key: "zh", version: 1 } };
    for (const id of [10, 11, 12, 13]) await get(`/lessons/${id}`, "a");
    expect(pages.size()).toBeLessThanOrEqual(3);
    renders = [];
    await get("/lessons/13", "a");
    expect(renders).toHaveLength(0);
  });
});

describe("acceptsGzip", () => {
  it("reads Accept-Encoding", () => {
    expect(acceptsGzip("gzip, deflate, br")).toBe(true);
    expect(acceptsGzip("br;q=1.0, gzip;q=0.8")).toBe(true);
    expect(acceptsGzip("*")).toBe(true);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("gzip;q=0, *")).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
