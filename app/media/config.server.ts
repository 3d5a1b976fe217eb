// Where media lives and how large an upload may be. Read on each call, so tests and scripts can
// set the environment before they use the pipeline.
import path from "node:path";

/** Root of stored media: MEDIA_DIR, default `data/media` (relative to the working directory). */
export function mediaRoot() {
  return path.resolve(process.env.MEDIA_DIR || "data/media");
}

/** Upload size limit in bytes: VIDEO_MAX_MB megabytes, default 1024. */
export function maxVideoBytes() {
  const mb = Number(process.env.VIDEO_MAX_MB ?? 1024);
  return Math.floor((Number.isFinite(mb) && mb > 0 ? mb : 1024) * 1024 * 1024);
}

export function maxVideoMb() {
  return Math.round((maxVideoBytes() / 1024 / 1024) * 10) / 10;
}

/** Partial uploads, before they are registered (dot directories are never served). */
export function uploadsDir() {
  return path.join(mediaRoot(), ".uploads");
}

/** A video's directory: `<root>/<id>/` holds `original.<ext>` and the HLS output `hls-<token>/`. */
export function assetDir(assetId: number) {
  return path.join(mediaRoot(), String(assetId));
}

export const ORIGINAL_BASENAME = "original";
