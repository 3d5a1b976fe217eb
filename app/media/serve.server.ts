// Serving transcoded media (playlists, segments, posters) from MEDIA_DIR: only finished HLS
// output, never originals or temporary files; traversal refused; Range requests; cache headers.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { mediaRoot } from "./config.server";

export const MEDIA_TYPES: Record<string, string> = {
  ".m3u8": "application/vnd.apple.mpegurl",
  ".ts": "video/mp2t",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
  ".jpg": "image/jpeg",
  ".vtt": "text/vtt; charset=utf-8",
};

/** Finished output lives in `<id>/hls-<token>/…`; everything else (originals, temp dirs) is not served. */
const SERVABLE = /^\d{1,9}\/hls-[a-z0-9]{1,40}\/(?:[A-Za-z0-9_-]{1,40}\/)?[A-Za-z0-9_-]{1,80}\.[a-z0-9]{2,5}$/;

/**
 * The file for a request path below /media/, or null when it is not one we serve. Refuses NUL,
 * backslashes, `..`, absolute paths, empty or dot segments, anything outside the servable layout,
 * and anything that resolves (also through symlinks) outside MEDIA_DIR.
 */
export function resolveMediaPath(relative: string, root = mediaRoot()): string | null {
  if (!relative || relative.length > 300) return null;
  if (/[\0\\]/.test(relative) || relative.startsWith("/") || path.isAbsolute(relative)) return null;
  const segments = relative.split("/");
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.startsWith("."))) return null;
  if (!SERVABLE.test(relative)) return null;
  if (!MEDIA_TYPES[path.extname(relative)]) return null;
  const full = path.resolve(root, relative);
  if (!full.startsWith(path.resolve(root) + path.sep)) return null;
  return full;
}

export type ByteRange = { start: number; end: number };

/**
 * Parses a Range header for a file of `size` bytes: a range, "unsatisfiable", or null (no usable
 * Range header: serve the whole file). Several ranges are answered with the whole file.
 */
export function parseRange(header: string | null, size: number): ByteRange | "unsatisfiable" | null {
  if (!header) return null;
  const match = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim());
  if (!match) return null;
  const [, a, b] = match;
  if (a === "" && b === "") return null;
  let start: number;
  let end: number;
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== "" && Number(b) < start) return null;
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start >= size || size === 0) return "unsatisfiable";
  return { start, end };
}

/** Playlists may be fetched again now and then; segments and posters never change at their path. */
export function cacheControlFor(file: string) {
  return path.extname(file) === ".m3u8" ? "private, max-age=3600, no-transform" : "private, max-age=31536000, immutable, no-transform";
}

/**
 * A response for a media file (the caller has checked the member is signed in). 404 for anything
 * not servable or missing; 304 on a matching If-None-Match; 206 for a satisfiable Range.
 */
export async function serveMediaFile(request: Request, relative: string, root = mediaRoot()): Promise<Response> {
  const notFound = () => new Response("Not found", { status: 404, headers: { "Cache-Control": "private, no-store" } });
  const resolved = resolveMediaPath(relative, root);
  if (!resolved) return notFound();
  let full: string;
  let stat: fs.Stats;
  try {
    // Symlinks must not lead out of the media root, nor to files that are not served.
    full = await fsp.realpath(resolved);
    const realRoot = await fsp.realpath(root);
    if (!full.startsWith(realRoot + path.sep) || !SERVABLE.test(path.relative(realRoot, full).split(path.sep).join("/"))) return notFound();
    stat = await fsp.stat(full);
  } catch {
    return notFound();
  }
  if (!stat.isFile()) return notFound();

  const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const headers = new Headers({
    "Content-Type": MEDIA_TYPES[path.extname(full)],
    "Cache-Control": cacheControlFor(full),
    "Accept-Ranges": "bytes",
    ETag: etag,
    "Last-Modified": stat.mtime.toUTCString(),
    "X-Content-Type-Options": "nosniff",
  });
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch && ifNoneMatch.split(",").some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
    return new Response(null, { status: 304, headers });
  }

  const ifRange = request.headers.get("if-range");
  const range = ifRange && ifRange !== etag ? null : parseRange(request.headers.get("range"), stat.size);
  if (range === "unsatisfiable") {
    headers.set("Content-Range", `bytes */${stat.size}`);
    return new Response(null, { status: 416, headers });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? stat.size - 1;
  headers.set("Content-Length", String(stat.size === 0 ? 0 : end - start + 1));
  if (range) headers.set("Content-Range", `bytes ${start}-${end}/${stat.size}`);
  if (request.method === "HEAD" || stat.size === 0) return new Response(null, { status: range ? 206 : 200, headers });
  const body = createReadableStreamFromReadable(fs.createReadStream(full, { start, end }));
  return new Response(body, { status: range ? 206 : 200, headers });
}
