// JSON endpoints a member's browser calls many times a minute (progress reports, contest
// answers). Their work is one prepared statement; Remix's per-request route matching and Fetch
// objects, and Express's middleware chain, cost several times that. So the production server
// (scripts/server.js) answers `directRoutes` with `serveDirect` before Express sees the request,
// and the Remix resource routes at the same paths call the same handlers through `respondDirect`
// (development, tests): one implementation, two doors.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Params } from "@remix-run/react";

/** What a direct handler sees of a request. */
export type DirectRequest = {
  method: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  /** A header's value, or null. */
  header: (name: string) => string | null;
  /** The raw body (at most MAX_DIRECT_BODY_BYTES; longer bodies are refused before the handler). */
  body: string;
  params: Record<string, string | undefined>;
};

export type DirectReply = { status: number; body: unknown };

export type DirectHandler = (request: DirectRequest) => Promise<DirectReply>;

export const MAX_DIRECT_BODY_BYTES = 64 * 1024;

export const DIRECT_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };

/** A Remix action answered by a direct handler. */
export async function respondDirect(request: Request, params: Params, handle: DirectHandler): Promise<Response> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  const body = declared > MAX_DIRECT_BODY_BYTES ? null : await request.text();
  const reply =
    body === null || body.length > MAX_DIRECT_BODY_BYTES
      ? { status: 413, body: { ok: false, error: "body too large" } }
      : await handle({ method: request.method, query: new URL(request.url).searchParams, header: (name) => request.headers.get(name), body, params });
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers: DIRECT_HEADERS });
}

/** Parses a JSON body, or null when it is not JSON. */
export function jsonBody(request: DirectRequest): unknown {
  try {
    return JSON.parse(request.body);
  } catch {
    return null;
  }
}

export type DirectRoute = { path: string; handle: DirectHandler };

/** The params of `pathname` under a route path such as "/contests/:contestId/answer", or null. */
export function matchDirectPath(path: string, pathname: string): Record<string, string> | null {
  const want = path.split("/");
  const got = pathname.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) {
      if (!got[i]) return null;
      params[want[i].slice(1)] = got[i];
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** The first of `routes` whose path matches `pathname`, with its params, or null. */
export function matchRoute<R extends { path: string }>(routes: R[], pathname: string): { route: R; params: Record<string, string> } | null {
  for (const route of routes) {
    const params = matchDirectPath(route.path, pathname);
    if (params) return { route, params };
  }
  return null;
}

/** A request header's value (repeated ones joined), or null. */
export function headerOf(req: IncomingMessage) {
  return (name: string) => {
    const value = req.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };
}

/**
 * Answers a request to one of `routes` on Node's own request and response, and returns true;
 * returns false, touching nothing, for any other path. A body over MAX_DIRECT_BODY_BYTES is
 * answered 413 and the connection closed, without reading the rest.
 */
export function serveDirect(routes: DirectRoute[], req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const pathname = query === -1 ? url : url.slice(0, query);
  const matched = matchRoute(routes, pathname);
  if (!matched) return false;
  const { route, params } = matched;
  const send = (status: number, body: unknown, close = false) => {
    if (res.headersSent) return;
    try {
      const json = JSON.stringify(body);
      // With a length, Node sends head and body in one write instead of chunked pieces.
      res.writeHead(status, { ...DIRECT_HEADERS, "Content-Length": Buffer.byteLength(json), ...(close ? { Connection: "close" } : {}) });
      res.end(json);
    } catch (error) {
      console.error(error);
      res.destroy();
    }
  };
  // A body over the limit is answered 413 at once; the rest is read and dropped (up to a point), so
  // the client gets the answer rather than a reset connection.
  let refused = false;
  const refuse = () => {
    refused = true;
    send(413, { ok: false, error: "body too large" }, true);
  };
  if (Number(req.headers["content-length"] ?? 0) > MAX_DIRECT_BODY_BYTES) refuse();
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (!refused && size > MAX_DIRECT_BODY_BYTES) refuse();
    if (refused) {
      if (size > 16 * MAX_DIRECT_BODY_BYTES) req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on("error", () => res.destroy());
  req.on("end", () => {
    if (refused) return;
    route
      .handle({ method: req.method ?? "GET", query: new URLSearchParams(query === -1 ? "" : url.slice(query + 1)), header: headerOf(req), body: Buffer.concat(chunks).toString("utf8"), params })
      .then((reply) => send(reply.status, reply.body))
      .catch((error: unknown) => {
        console.error(error);
        send(500, { ok: false, error: "server error" });
      });
  });
  return true;
}
