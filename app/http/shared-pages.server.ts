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
import { matchDirectPath } from "./direct.server";

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
// Headers of the rendered reply that every copy keeps; anything member-bound (Set-Cookie) is never kept.
const KEPT_HEADERS = ["content-type", "x-content-type-options", "referrer-policy", "x-frame-options", "content-language"];

export function createSharedPages(routes: SharedPageRoute[], render: RenderPage, { maxPages = 2_000 } = {}) {
  const pages = new Map<string, Page>();
  const rendering = new Map<string, { version: unknown; page: Promise<Page | null> }>();

  async function renderCopy(req: IncomingMessage, version: unknown): Promise<Page | null> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const response = await render(new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, { headers }), req);
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

  function copyFor(req: IncomingMessage, { key, version }: PageKey): Promise<Page | null> {
    const stored = pages.get(key);
    if (stored && stored.version === version) return Promise.resolve(stored);
    const running = rendering.get(key);
    if (running && running.version === version) return running.page;
    const page = renderCopy(req, version).then((made) => {
      if (rendering.get(key)?.page === page) rendering.delete(key);
      // A copy of an older version than one asked for since is not kept.
      if (made && !rendering.has(key)) {
        pages.delete(key);
        if (pages.size >= maxPages) pages.delete(pages.keys().next().value!);
        pages.set(key, made);
      }
      return made;
    });
    page.catch(() => {
      if (rendering.get(key)?.page === page) rendering.delete(key);
    });
    rendering.set(key, { version, page });
    return page;
  }

  function send(req: IncomingMessage, res: ServerResponse, page: Page) {
    const zipped = acceptsGzip(req.headers["accept-encoding"]);
    const body = zipped ? page.gzip : page.html;
    res.writeHead(200, {
      ...page.headers,
      "Content-Length": body.length,
      ...(zipped ? { "Content-Encoding": "gzip" } : {}),
      Vary: "Accept-Encoding, Cookie",
      "Cache-Control": "private, no-cache",
    });
    res.end(body);
  }

  /**
   * Takes a GET of one of `routes` without a query string and returns true; it then answers from a
   * copy, or calls `next` for Remix to answer. Returns false, touching nothing, for anything else.
   */
  function serve(req: IncomingMessage, res: ServerResponse, next: () => void): boolean {
    const url = req.url ?? "/";
    if (req.method !== "GET" || url.includes("?")) return false;
    let route: SharedPageRoute | undefined;
    let params: Record<string, string> | null = null;
    for (const candidate of routes) {
      params = matchDirectPath(candidate.path, url);
      if (params) {
        route = candidate;
        break;
      }
    }
    if (!route || !params) return false;
    const header = (name: string) => {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    };
    route
      .keyFor({ params, header })
      .then((key) => (key ? copyFor(req, key) : null))
      .then(
        (page) => (page ? send(req, res, page) : next()),
        (error: unknown) => {
          console.error(error);
          next();
        },
      );
    return true;
  }

  return { serve, size: () => pages.size };
}

/** Whether an Accept-Encoding header takes gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | string[] | undefined) {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  return value.split(",").some((part) => {
    const [coding, ...options] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") return false;
    const q = options.map((o) => o.trim()).find((o) => o.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
