// Pages that are the same for every member allowed to see them (the lesson page: the lesson, its
// course and its neighbours, with the member's own progress fetched by the browser afterwards).
// Rendering one through Remix and React costs several milliseconds; a crowd opening the day's lesson
// would queue behind that. So the production server (scripts/server.js) keeps one rendered copy per
// key and version, and answers from it before Express. Who is asking is checked on every request by
// the route's `keyFor` (session, visibility, the parts of the page that differ: locale, admin link);
// when it has no answer (signed out, not allowed, session due to be extended, a query string),
// Remix answers as usual. A copy is made by rendering the page for the first member who asks, once
// however many ask at the same time.
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { headerOf, matchRoute } from "./direct.server";

export type SharedPageRequest = {
  params: Record<string, string>;
  /** A header's value, or null. */
  header: (name: string) => string | null;
};

/**
 * Which copy the asker may have: `key` names what the page shows them, `version` is what the
 * copy was made from (compared by identity; a new value makes a new copy). null: Remix answers.
 */
export type PageKey = { key: string; version: unknown };

export type SharedPageRoute = { path: string; keyFor: (request: SharedPageRequest) => Promise<PageKey | null> };

/** Renders a page through Remix (in scripts/server.js, the build's Fetch handler). */
export type RenderPage = (request: Request, req: IncomingMessage) => Promise<Response>;

type Page = { version: unknown; headers: Record<string, string>; html: Buffer; gzip: Buffer };

const gzip = promisify(zlib.gzip);
const RENDER_ORIGIN = "http://shared-page.invalid";
// Headers of the rendered reply that every copy keeps; anything member-bound (Set-Cookie) is never kept.
const KEPT_HEADERS = ["content-type", "x-content-type-options", "referrer-policy", "x-frame-options", "content-language"];

/** At most `maxPages` copies and `maxBytes` of them (plain and gzipped); the oldest go first. */
export function createSharedPages(routes: SharedPageRoute[], render: RenderPage, { maxPages = 2_000, maxBytes = 64 * 1024 * 1024 } = {}) {
  const pages = new Map<string, Page>();
  let bytes = 0;
  const drop = (key: string) => {
    const page = pages.get(key);
    if (!page) return;
    pages.delete(key);
    bytes -= page.html.length + page.gzip.length;
  };
  const keep = (key: string, page: Page) => {
    drop(key);
    pages.set(key, page);
    bytes += page.html.length + page.gzip.length;
    for (const oldest of pages.keys()) {
      if (pages.size <= maxPages && bytes <= maxBytes) break;
      drop(oldest);
    }
  };
  const rendering = new Map<string, { version: unknown; page: Promise<Page | null> }>();

  // The copy is rendered from the matched path on a fixed origin with nothing of the request but
  // its cookie (who may render it), so no header of the asker's (Host, User-Agent…) can shape what
  // everyone else is served.
  async function renderCopy(pathname: string, cookie: string | null, req: IncomingMessage, version: unknown): Promise<Page | null> {
    const headers = new Headers({ "User-Agent": "shared-page", Accept: "text/html" });
    if (cookie) headers.set("Cookie", cookie);
    const response = await render(new Request(new URL(pathname, RENDER_ORIGIN), { headers }), req);
    const html = Buffer.from(await response.arrayBuffer());
    // Only a plain page is shared: a redirect, an error or a reply that sets a cookie is the asker's own.
    if (response.status !== 200 || response.headers.has("set-cookie") || !response.headers.get("content-type")?.startsWith("text/html")) return null;
    const kept: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) kept[name] = value;
    }
    return { version, headers: kept, html, gzip: await gzip(html) };
  }

  function copyFor(pathname: string, cookie: string | null, req: IncomingMessage, { key, version }: PageKey): Promise<Page | null> {
    const stored = pages.get(key);
    if (stored && stored.version === version) return Promise.resolve(stored);
    const running = rendering.get(key);
    if (running && running.version === version) return running.page;
    const page = renderCopy(pathname, cookie, req, version).then((made) => {
      // Kept only while it is the newest version asked for: a render overtaken by a newer one is not.
      const newest = rendering.get(key)?.page === page;
      if (newest) rendering.delete(key);
      if (made && newest) keep(key, made);
      return made;
    });
    page.catch(() => {
      if (rendering.get(key)?.page === page) rendering.delete(key);
    });
    rendering.set(key, { version, page });
    return page;
  }

  function send(req: IncomingMessage, res: ServerResponse, page: Page) {
    if (res.headersSent) return;
    const zipped = acceptsGzip(req.headers["accept-encoding"]);
    const body = zipped ? page.gzip : page.html;
    try {
      res.writeHead(200, {
        ...page.headers,
        "Content-Length": body.length,
        ...(zipped ? { "Content-Encoding": "gzip" } : {}),
        Vary: "Accept-Encoding, Cookie",
        "Cache-Control": "private, no-cache",
      });
      res.end(body);
    } catch (error) {
      console.error(error);
      res.destroy();
    }
  }

  /**
   * Takes a GET of one of `routes` without a query string and returns true; it then answers from a
   * copy, or calls `next` for Remix to answer. Returns false, touching nothing, for anything else.
   */
  function serve(req: IncomingMessage, res: ServerResponse, next: () => void): boolean {
    const url = req.url ?? "/";
    if (req.method !== "GET" || !url.startsWith("/") || url.startsWith("//") || url.includes("?")) return false;
    const matched = matchRoute(routes, url);
    if (!matched) return false;
    const { route, params } = matched;
    const header = headerOf(req);
    route
      .keyFor({ params, header })
      .then((key) => (key ? copyFor(url, header("cookie"), req, key) : null))
      .then(
        (page) => (page ? send(req, res, page) : next()),
        (error: unknown) => {
          console.error(error);
          next();
        },
      )
      .catch((error: unknown) => console.error(error));
    return true;
  }

  return { serve, size: () => pages.size, bytes: () => bytes };
}

/** Whether an Accept-Encoding header takes gzip: named with q > 0, or `*` when gzip is not named. */
export function acceptsGzip(header: string | string[] | undefined) {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  const weights = new Map<string, number>();
  for (const part of value.split(",")) {
    const [coding, ...options] = part.trim().toLowerCase().split(";");
    const q = options.map((o) => o.trim()).find((o) => o.startsWith("q="));
    if (coding) weights.set(coding, q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  return (weights.get("gzip") ?? weights.get("*") ?? 0) > 0;
}
