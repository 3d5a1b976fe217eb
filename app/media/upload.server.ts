// Registering an uploaded video: type checked from the file's bytes, size limit, the original
// stored under MEDIA_DIR, a `video_assets` row and a `transcode` job — all or nothing.
//
// Crash safety: the bytes go to `.uploads/<random>.part` first. The row, the move of the file to
// `<id>/original.<ext>` and the job happen in one transaction; if it does not commit, the file is
// removed (or, after a crash, `sweepMedia` removes the row-less directory and stale parts later).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { inArray } from "drizzle-orm";
import { fileTypeFromBuffer } from "file-type";
import { db } from "~/db/client.server";
import { videoAssets } from "~/db/schema";
import { enqueueJob } from "~/jobs/queue.server";
import type { MediaErrorCode } from "./types";
import { assetDir, maxVideoBytes, mediaRoot, ORIGINAL_BASENAME, uploadsDir } from "./config.server";

/** What uploads may be, by the type detected from their first bytes. */
export const ACCEPTED_VIDEO_TYPES: Record<string, string> = {
  "video/mp4": "mp4",
  "video/x-m4v": "m4v",
  "video/quicktime": "mov",
  "video/webm": "webm",
};
/** Bytes looked at to detect the type (file-type reads at most 4,100 for these formats). */
const SNIFF_BYTES = 64 * 1024;
export const TRANSCODE_JOB = "transcode";
export const TRANSCODE_MAX_ATTEMPTS = 3;

export type { MediaErrorCode };

/** A refused upload; `message` is English for logs and tests, `code`/`detected` drive the UI text. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly detected?: string,
  ) {
    super(message);
    this.name = "MediaError";
  }
}

export type DetectedType = { ext: string; mime: string };

/** Detects the type from the bytes; refuses anything but MP4/MOV/WebM, naming what it found. */
export async function sniffVideoType(head: Uint8Array): Promise<DetectedType> {
  if (head.length === 0) throw new MediaError("empty", "The file is empty.");
  const found = await fileTypeFromBuffer(head.subarray(0, SNIFF_BYTES));
  const ext = found ? ACCEPTED_VIDEO_TYPES[found.mime] : undefined;
  if (found && ext) return { ext, mime: found.mime };
  const detected = found ? `${found.mime} (.${found.ext})` : looksLikeText(head) ? "text/plain" : "unknown binary data";
  throw new MediaError("type", `Not a supported video: the file's content is ${detected}. Accepted: MP4, MOV, WebM.`, detected);
}

function looksLikeText(bytes: Uint8Array) {
  const sample = bytes.subarray(0, 1024);
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample.length === 1024 ? sample.subarray(0, 1000) : sample);
  } catch {
    return false;
  }
  return !sample.some((b) => b === 0);
}

export type StoreVideoInput = {
  /** The file's name as uploaded (shown to admins; never used for the type or the path). */
  name: string;
  uploadedBy?: number | null;
  /** Either the whole file… */
  bytes?: Uint8Array;
  /** …or its contents as they arrive (a Node stream, a web ReadableStream, a multipart part). */
  stream?: AsyncIterable<Uint8Array>;
  /** Overrides VIDEO_MAX_MB. */
  maxBytes?: number;
};

export type StoredVideo = { id: number; jobId: number; ext: string; mime: string; size: number };

function tooLarge(limit: number) {
  return new MediaError("tooLarge", `The file is larger than the limit of ${Math.round((limit / 1024 / 1024) * 10) / 10} MB.`);
}

/**
 * Stores an upload and queues its transcoding. Refused uploads (MediaError) leave nothing behind.
 * With a stream, reading stops at the first refusal (type after the first 64 KB, size at the
 * limit); a caller that must consume the rest (a multipart body) does so itself.
 */
export async function storeVideoUpload(input: StoreVideoInput): Promise<StoredVideo> {
  const limit = input.maxBytes ?? maxVideoBytes();
  const source = input.bytes ? [input.bytes] : input.stream;
  if (!source) throw new Error("storeVideoUpload needs bytes or a stream");
  if (input.bytes && input.bytes.length > limit) throw tooLarge(limit);

  const iterator = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]?.() ?? (source as Iterable<Uint8Array>)[Symbol.iterator]();
  const next = async () => (await iterator.next()) as IteratorResult<Uint8Array>;

  // 1. The head, to detect the type before anything is written.
  const headChunks: Uint8Array[] = [];
  let headSize = 0;
  let done = false;
  while (headSize < SNIFF_BYTES) {
    const r = await next();
    if (r.done) {
      done = true;
      break;
    }
    const chunk = toBytes(r.value);
    headChunks.push(chunk);
    headSize += chunk.length;
    if (headSize > limit) throw tooLarge(limit);
  }
  const head = concat(headChunks, headSize);
  const type = await sniffVideoType(head);

  // 2. The whole file to a partial upload.
  await fsp.mkdir(uploadsDir(), { recursive: true });
  const partPath = path.join(uploadsDir(), `${randomUUID()}.part`);
  let size = 0;
  const file = await fsp.open(partPath, "wx");
  try {
    await file.write(head);
    size = head.length;
    while (!done) {
      const r = await next();
      if (r.done) break;
      const chunk = toBytes(r.value);
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      await file.write(chunk);
    }
    await file.sync();
  } catch (error) {
    await file.close().catch(() => {});
    await fsp.rm(partPath, { force: true });
    throw error;
  }
  await file.close();

  // 3. Row, file and job together.
  let createdDir: string | null = null;
  try {
    return await db.transaction(async (tx) => {
      const [asset] = await tx
        .insert(videoAssets)
        .values({ originalName: cleanName(input.name), status: "pending", uploadedBy: input.uploadedBy ?? null })
        .returning({ id: videoAssets.id });
      createdDir = assetDir(asset.id);
      await fsp.mkdir(createdDir, { recursive: true });
      await fsp.rename(partPath, path.join(createdDir, `${ORIGINAL_BASENAME}.${type.ext}`));
      const job = await enqueueJob(TRANSCODE_JOB, { assetId: asset.id }, { tx, maxAttempts: TRANSCODE_MAX_ATTEMPTS });
      return { id: asset.id, jobId: job.id, ext: type.ext, mime: type.mime, size };
    });
  } catch (error) {
    await fsp.rm(partPath, { force: true });
    if (createdDir) await fsp.rm(createdDir, { recursive: true, force: true });
    throw error;
  }
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === "string" ? Buffer.from(chunk) : chunk;
}

function concat(chunks: Uint8Array[], size: number) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** The uploaded name for display: no directories, no control characters, at most 255 characters. */
export function cleanName(name: string) {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return (base || "video").slice(0, 255);
}

/** The stored original of a video, or null. */
export async function findOriginal(assetId: number): Promise<string | null> {
  const dir = assetDir(assetId);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const name = names.find((n) => n.startsWith(`${ORIGINAL_BASENAME}.`));
  return name ? path.join(dir, name) : null;
}

/**
 * Removes what a crash can leave: partial uploads older than `partAgeMs`, and video directories
 * with no row that are older than `orphanAgeMs` (a transaction that never committed). Safe while
 * other instances upload: only old entries are touched.
 */
export async function sweepMedia({ partAgeMs = 24 * 3600_000, orphanAgeMs = 3600_000, now = Date.now() } = {}) {
  const removed: string[] = [];
  const parts = await fsp.readdir(uploadsDir()).catch(() => [] as string[]);
  for (const name of parts) {
    const full = path.join(uploadsDir(), name);
    const stat = await fsp.stat(full).catch(() => null);
    if (stat && now - stat.mtimeMs > partAgeMs) {
      await fsp.rm(full, { recursive: true, force: true });
      removed.push(full);
    }
  }
  const entries = await fsp.readdir(mediaRoot(), { withFileTypes: true }).catch(() => [] as fs.Dirent[]);
  const candidates: { id: number; full: string }[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !/^\d{1,9}$/.test(entry.name)) continue;
    const full = path.join(mediaRoot(), entry.name);
    const stat = await fsp.stat(full).catch(() => null);
    if (stat && now - stat.mtimeMs > orphanAgeMs) candidates.push({ id: Number(entry.name), full });
  }
  for (let i = 0; i < candidates.length; i += 500) {
    const batch = candidates.slice(i, i + 500);
    const known = await db.select({ id: videoAssets.id }).from(videoAssets).where(inArray(videoAssets.id, batch.map((c) => c.id)));
    const ids = new Set(known.map((k) => k.id));
    for (const c of batch) {
      if (ids.has(c.id)) continue;
      await fsp.rm(c.full, { recursive: true, force: true });
      removed.push(c.full);
    }
  }
  return removed;
}

