// JSON endpoints a member's browser calls many times a minute (progress reports, contest
// answers). Their work is one or two prepared statements; Remix's per-request route matching and
// Fetch objects cost several times that. So the production server (scripts/server.js) mounts
// `directRoutes` in Express ahead of Remix, and the Remix resource routes at the same paths call
// the same handlers through `respondDirect` (development, tests): one implementation, two doors.
import type { Params } from "@remix-run/react";

/** What a direct handler sees of a request. */
export type DirectRequest = {
  method: string;
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
      : await handle({ method: request.method, header: (name) => request.headers.get(name), body, params });
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
