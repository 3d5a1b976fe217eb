// The HTTP server: Express in front of the Remix request handler (Vite middleware in development).
// Importing the server build opens and migrates the database and seeds the demo on first start.
import http from "node:http";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import { createRequestHandler as createFetchHandler } from "@remix-run/node";
import compression from "compression";
import express from "express";
import morgan from "morgan";

const development = process.env.NODE_ENV !== "production";
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";

const viteDevServer = development
  ? await import("vite").then((vite) => vite.createServer({ server: { middlewareMode: true } }))
  : undefined;

const build = viteDevServer
  ? () => viteDevServer.ssrLoadModule("virtual:remix/server-build")
  : await import(path.resolve("build/server/index.js"));
// In development, load the app once now so migrations and the demo seed run before the first request.
if (viteDevServer) await build();

const app = express();
app.disable("x-powered-by");
// Behind a load balancer, TRUST_PROXY=true makes X-Forwarded-For the client IP (per-IP login limits).
app.set("trust proxy", process.env.TRUST_PROXY === "true");
// Server-sent events must reach the browser as they are written, not when a gzip block fills.
app.use(compression({ filter: (req, res) => !String(res.getHeader("Content-Type") ?? "").startsWith("text/event-stream") && compression.filter(req, res) }));
// Refuse writes sent by pages of another origin with a clean 403 (the app checks again per action).
app.use((req, res, next) => {
  if (req.method === "GET" || req.method === "HEAD") return next();
  const source = req.get("origin") ?? req.get("referer");
  if (!source) return next();
  let sourceHost = "";
  try {
    sourceHost = new URL(source).host;
  } catch {}
  if (sourceHost !== (req.get("x-forwarded-host") ?? req.get("host"))) return res.status(403).send("Cross-origin request refused");
  next();
});
if (viteDevServer) {
  app.use(viteDevServer.middlewares);
} else {
  app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
  // Reading images too large to inline, emitted by the MDX compiler under content-hash names.
  app.use("/content-assets", express.static(process.env.CONTENT_ASSETS_DIR ?? "public/content-assets", { immutable: true, maxAge: "1y" }));
  app.use(express.static("build/client", { maxAge: "1h" }));
}
if (process.env.LOG_REQUESTS !== "false") app.use(morgan("tiny"));

const remix = createRequestHandler({
  build,
  mode: development ? "development" : "production",
  getLoadContext: (req) => ({ clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown" }),
});
// In production, pages are let through a few at a time (app/http/admission.server.ts).
const admission = viteDevServer ? null : build.entry.module.createAdmission(build.entry.module.pageConcurrency());
app.all("*", admission ? (req, res, next) => admission.admit(req, res, () => remix(req, res, next)) : remix);

// The direct JSON endpoints (app/http/direct.server.ts) are answered before Express: the same
// handlers as their Remix resource routes, without the middleware chain and Remix's route matching.
const { directRoutes, serveDirect } = viteDevServer ? {} : build.entry.module;
// Pages the same for every member who may see them are answered from one rendered copy
// (app/http/shared-pages.server.ts); who asks is still checked on every request. A copy is
// rendered in a page turn like any other page.
const renderPage = viteDevServer ? null : createFetchHandler(build, "production");
const sharedPages = viteDevServer
  ? null
  : build.entry.module.createSharedPages(build.entry.module.sharedPageRoutes, (request, req) =>
      admission.run(() => renderPage(request, { clientIp: req.socket.remoteAddress ?? "unknown" })),
    );
const server = http.createServer((req, res) => {
  if (directRoutes && serveDirect(directRoutes, req, res)) return;
  if (sharedPages?.serve(req, res, () => app(req, res))) return;
  app(req, res);
});
// A crowd connecting at once (a contest's start) should wait in the accept queue, not be refused.
server.listen({ port, host, backlog: 4096 }, () => {
  console.log(`网上党校 ready at http://localhost:${port}`);
});
// Video uploads of up to VIDEO_MAX_MB over a slow line outlast Node's 5-minute default.
server.requestTimeout = 2 * 3600_000;

async function shutdown() {
  server.close();
  await viteDevServer?.close();
  // Close the database cleanly so PGlite flushes its files.
  const database = globalThis.__database;
  if (database) await (await database).close().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
