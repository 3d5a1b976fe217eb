import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { matchDirectPath, MAX_DIRECT_BODY_BYTES, respondDirect, serveDirect, type DirectRequest } from "./direct.server";

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request("http://localhost:3000/api/x/7", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("respondDirect", () => {
  it("hands the handler the method, headers, body and params, and sends its reply as JSON", async () => {
    let seen: DirectRequest | null = null;
    const response = await respondDirect(post('{"a":1}', { cookie: "dx_session=s" }), { id: "7" }, async (request) => {
      seen = request;
      return { status: 409, body: { ok: false, error: "late" } };
    });
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ ok: false, error: "late" });
    expect(seen!.method).toBe("POST");
    expect(seen!.header("cookie")).toBe("dx_session=s");
    expect(seen!.header("x-missing")).toBeNull();
    expect(seen!.body).toBe('{"a":1}');
    expect(seen!.params).toEqual({ id: "7" });
  });

  it("refuses a body over the limit without calling the handler", async () => {
    const handler = vi.fn();
    const response = await respondDirect(post("x".repeat(MAX_DIRECT_BODY_BYTES + 1)), {}, handler);
    expect(response.status).toBe(413);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("matchDirectPath", () => {
  it("matches literal segments and names the params", () => {
    expect(matchDirectPath("/api/progress", "/api/progress")).toEqual({});
    expect(matchDirectPath("/contests/:contestId/answer", "/contests/12/answer")).toEqual({ contestId: "12" });
  });

  it("refuses other paths, extra or missing segments and empty params", () => {
    expect(matchDirectPath("/api/progress", "/api/progress/")).toBeNull();
    expect(matchDirectPath("/api/progress", "/api/progresss")).toBeNull();
    expect(matchDirectPath("/contests/:contestId/answer", "/contests//answer")).toBeNull();
    expect(matchDirectPath("/contests/:contestId/answer", "/contests/1/answer/x")).toBeNull();
  });
});

describe("serveDirect on a real HTTP server", () => {
  const seen: DirectRequest[] = [];
  let base = "";
  let server: http.Server;
  const routes = [
    {
      path: "/echo/:id",
      handle: async (request: DirectRequest) => {
        seen.push(request);
        return { status: 201, body: { id: request.params.id, body: request.body, cookie: request.header("Cookie") } };
      },
    },
    { path: "/broken", handle: async () => Promise.reject(new Error("boom")) },
  ];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (serveDirect(routes, req, res)) return;
      res.writeHead(404).end("fell through");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers a matching path with the handler's JSON reply, query string ignored", async () => {
    const response = await fetch(`${base}/echo/42?x=1`, { method: "POST", headers: { cookie: "a=b" }, body: '{"n":"党"}' });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ id: "42", body: '{"n":"党"}', cookie: "a=b" });
    expect(seen.at(-1)!.method).toBe("POST");
  });

  it("leaves any other path to the next handler", async () => {
    const response = await fetch(`${base}/echo`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("fell through");
  });

  it("refuses a body over the limit, declared or streamed, without calling the handler", async () => {
    const before = seen.length;
    const declared = await fetch(`${base}/echo/1`, { method: "POST", body: "x".repeat(MAX_DIRECT_BODY_BYTES + 1) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ ok: false, error: "body too large" });
    const chunk = new TextEncoder().encode("y".repeat(16 * 1024));
    const streamed = await fetch(`${base}/echo/1`, {
      method: "POST",
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 5; i++) controller.enqueue(chunk);
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(seen.length).toBe(before);
  });

  it("answers 500 in JSON when the handler fails", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await fetch(`${base}/broken`, { method: "POST", body: "{}" });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ ok: false, error: "server error" });
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });
});
