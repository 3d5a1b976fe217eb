// The `transcode` job: an uploaded original → HLS (360p, 720p, and 1080p from a 1080p source),
// a poster and the duration; the video row says how it went.
//
// Output goes to `<id>/.tmp-hls-<token>/` and is renamed to `<id>/hls-<token>/` only when complete,
// so a crash leaves at most a temporary directory that the next run removes. Every finished path is
// new (the token), which is what lets /media serve them as immutable.
import { randomBytes } from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { catalogueChanged } from "~/courses/lesson-cache.server";
import { db } from "~/db/client.server";
import { courses, lessons, videoAssets } from "~/db/schema";
import { enqueueJob, PermanentJobError, registerJobHandler, type JobContext, type Tx } from "~/jobs/queue.server";
import { assetDir, mediaRoot } from "./config.server";
import { FFMPEG, FfmpegError, probeVideo, runTool } from "./ffmpeg.server";
import {
  buildHlsArgs,
  buildPosterArgs,
  chooseLadder,
  finalizeMasterPlaylist,
  parseMasterPlaylist,
  parseSegmentDurations,
  posterTime,
  ProbeError,
  transcodeTimeoutMs,
  type Probe,
  type Rendition,
} from "./ladder";
import { findOriginal, TRANSCODE_JOB, TRANSCODE_MAX_ATTEMPTS } from "./upload.server";

export type TranscodeOutput = {
  /** Directory name below the video's directory, e.g. `hls-m1x2y3abc`. */
  dirName: string;
  /** Seconds, as played (sum of the segments of the first rendition). */
  duration: number;
  probe: Probe;
  renditions: (Rendition & { bandwidth: number })[];
  seconds: { transcode: number; poster: number };
};

const STALL_MS = Number(process.env.TRANSCODE_STALL_SECONDS ?? 180) * 1000;

/** ffmpeg stderr that means the input itself is bad: another attempt would fail the same way. */
const BAD_INPUT = /Invalid data found|moov atom not found|partial file|Decoder \S+ not found|could not find codec|Error while decoding|corrupt|truncat/i;

/**
 * Transcodes `source` into `<dir>/hls-<token>/` (master.m3u8, <rung>p/index.m3u8 and segments,
 * poster.jpg). Throws ProbeError for an unreadable file, FfmpegError when ffmpeg fails, and
 * PermanentJobError when the output is much shorter than the source (a truncated file).
 */
export async function transcodeFile({ source, dir, signal }: { source: string; dir: string; signal?: AbortSignal }): Promise<TranscodeOutput> {
  const probe = await probeVideo(source, { signal });
  const ladder = chooseLadder(probe);
  const token = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const tmp = path.join(dir, `.tmp-hls-${token}`);
  await fsp.mkdir(tmp, { recursive: true });
  try {
    const factor = Number(process.env.TRANSCODE_TIMEOUT_FACTOR ?? 8);
    const started = performance.now();
    const { stderrTail } = await runTool(FFMPEG, buildHlsArgs({ input: source, outDir: tmp, probe, ladder }), {
      timeoutMs: transcodeTimeoutMs(probe.duration, Number.isFinite(factor) && factor > 0 ? factor : 8),
      stallMs: STALL_MS,
      signal,
      onProgress: () => {},
    });
    const transcodeSeconds = (performance.now() - started) / 1000;

    const posterStarted = performance.now();
    const posterSize = ladder.find((r) => r.rung === 720) ?? ladder[0];
    const poster = path.join(tmp, "poster.jpg");
    for (const at of [posterTime(probe.duration), 0]) {
      await runTool(FFMPEG, buildPosterArgs({ input: source, output: poster, at, width: posterSize.width, height: posterSize.height }), { timeoutMs: 60_000, signal });
      if ((await fsp.stat(poster).catch(() => null))?.size) break;
    }
    if (!(await fsp.stat(poster).catch(() => null))?.size) throw new PermanentJobError("no frame could be read for the poster");
    const posterSeconds = (performance.now() - posterStarted) / 1000;

    // Check what ffmpeg wrote before it is published.
    const masterFile = path.join(tmp, "master.m3u8");
    const master = finalizeMasterPlaylist(await fsp.readFile(masterFile, "utf8"));
    await fsp.writeFile(masterFile, master);
    const variants = parseMasterPlaylist(master);
    if (variants.length !== ladder.length) throw new Error(`master playlist lists ${variants.length} renditions, expected ${ladder.length}`);
    const durations: number[] = [];
    for (const variant of variants) {
      const playlistPath = path.join(tmp, variant.uri);
      const segments = parseSegmentDurations(await fsp.readFile(playlistPath, "utf8"));
      if (segments.length === 0) throw new Error(`${variant.uri} has no segments`);
      durations.push(segments.reduce((a, b) => a + b, 0));
    }
    const duration = Math.round(durations[0] * 100) / 100;
    if (duration < probe.duration * 0.9 - 1) {
      throw new PermanentJobError(
        `only ${duration.toFixed(1)} s of ${probe.duration.toFixed(1)} s could be decoded: the file is truncated or damaged${stderrTail ? `\n${stderrTail}` : ""}`,
      );
    }

    const dirName = `hls-${token}`;
    await fsp.rename(tmp, path.join(dir, dirName));
    return {
      dirName,
      duration,
      probe,
      renditions: ladder.map((r, i) => ({ ...r, bandwidth: variants[i].bandwidth })),
      seconds: { transcode: transcodeSeconds, poster: posterSeconds },
    };
  } catch (error) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

function assetIdOf(payload: unknown): number {
  const id = (payload as { assetId?: unknown } | null)?.assetId;
  if (typeof id !== "number" || !Number.isInteger(id) || id <= 0) throw new PermanentJobError(`bad transcode payload: ${JSON.stringify(payload)}`);
  return id;
}

async function exists(file: string) {
  return Boolean(await fsp.stat(file).catch(() => null));
}

/** Removes leftovers in a video's directory: temporary outputs, and finished ones except `keep`. */
async function tidyOutputs(dir: string, keep?: string) {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(".tmp-hls-") || (keep && name.startsWith("hls-") && name !== keep)) {
      await fsp.rm(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

function explain(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

/** The job handler. Idempotent: a finished video is left alone, a half-done run starts again. */
export async function runTranscodeJob(payload: unknown, ctx: Pick<JobContext, "signal">) {
  const assetId = assetIdOf(payload);
  const [asset] = await db.select().from(videoAssets).where(eq(videoAssets.id, assetId));
  if (!asset) return; // deleted meanwhile
  if (asset.status === "ready" && asset.masterPath && (await exists(path.join(mediaRoot(), asset.masterPath)))) return;
  const dir = assetDir(assetId);
  const source = await findOriginal(assetId);
  if (!source) throw new PermanentJobError(`the uploaded original of video ${assetId} is missing from the media directory`);

  await db.update(videoAssets).set({ status: "processing", error: null }).where(eq(videoAssets.id, assetId));
  await catalogueChanged();
  await tidyOutputs(dir);
  let output: TranscodeOutput;
  try {
    output = await transcodeFile({ source, dir, signal: ctx.signal });
  } catch (error) {
    const permanent =
      error instanceof PermanentJobError ||
      error instanceof ProbeError ||
      (error instanceof FfmpegError && error.reason === "exit" && BAD_INPUT.test(error.stderrTail));
    if (!ctx.signal.aborted && !permanent) {
      // Another attempt follows: say why this one failed (the final failure is set by onFailed).
      await db.update(videoAssets).set({ status: "pending", error: explain(error) }).where(eq(videoAssets.id, assetId));
      await catalogueChanged();
    }
    throw permanent && !(error instanceof PermanentJobError) ? new PermanentJobError(explain(error)) : error;
  }

  const base = `${assetId}/${output.dirName}`;
  const seconds = Math.round(output.duration);
  await db.transaction(async (tx) => {
    await tx
      .update(videoAssets)
      .set({
        status: "ready",
        durationSeconds: output.duration,
        masterPath: `${base}/master.m3u8`,
        posterPath: `${base}/poster.jpg`,
        renditions: output.renditions.map((r) => ({ height: r.height, bandwidth: r.bandwidth })),
        error: null,
      })
      .where(eq(videoAssets.id, assetId));
    await tx.update(lessons).set({ durationSeconds: seconds }).where(eq(lessons.videoAssetId, assetId));
  });
  await catalogueChanged();
  await tidyOutputs(dir, output.dirName);
}

registerJobHandler(TRANSCODE_JOB, runTranscodeJob, {
  onFailed: async ({ tx, payload, error }) => {
    const id = (payload as { assetId?: unknown } | null)?.assetId;
    if (typeof id !== "number") return;
    await tx.update(videoAssets).set({ status: "failed", error }).where(eq(videoAssets.id, id));
    await catalogueChanged(tx);
  },
});

export type RetryResult = "queued" | "notFailed" | "missingOriginal";

/** Queues a failed video again (admin "retry"). */
export async function retryTranscode(assetId: number): Promise<RetryResult> {
  if (!(await findOriginal(assetId))) return "missingOriginal";
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(videoAssets)
      .set({ status: "pending", error: null })
      .where(and(eq(videoAssets.id, assetId), eq(videoAssets.status, "failed")))
      .returning({ id: videoAssets.id });
    if (!row) return "notFailed" as const;
    await catalogueChanged(tx);
    await enqueueJob(TRANSCODE_JOB, { assetId }, { tx, maxAttempts: TRANSCODE_MAX_ATTEMPTS });
    return "queued" as const;
  });
}

export type JobInfo = { status: string; attempts: number; maxAttempts: number; runAt: string; lastError: string | null };

/** The open transcode job of each given video (queued or running), by video id. */
async function openJobs(assetIds: number[]) {
  const map = new Map<number, JobInfo>();
  if (assetIds.length === 0) return map;
  const result = await db.execute(sql`
    select (payload->>'assetId')::int as asset_id, status, attempts, max_attempts, run_at, last_error
    from jobs
    where kind = ${TRANSCODE_JOB} and status in ('queued', 'running')
      and (payload->>'assetId')::int = any(${sql.param(assetIds)}::int[])
    order by id`);
  for (const r of (result as unknown as { rows: Record<string, unknown>[] }).rows) {
    map.set(Number(r.asset_id), {
      status: String(r.status),
      attempts: Number(r.attempts),
      maxAttempts: Number(r.max_attempts),
      runAt: new Date(r.run_at as string | Date).toISOString(),
      lastError: (r.last_error as string | null) ?? null,
    });
  }
  return map;
}

export type VideoSummary = typeof videoAssets.$inferSelect & { job: JobInfo | null };

/** The newest videos first, with their open job. */
export async function listVideos({ limit = 200 } = {}): Promise<VideoSummary[]> {
  const rows = await db.select().from(videoAssets).orderBy(desc(videoAssets.id)).limit(limit);
  const jobs = await openJobs(rows.filter((r) => r.status !== "ready").map((r) => r.id));
  return rows.map((r) => ({ ...r, job: jobs.get(r.id) ?? null }));
}

/** One video, its open job and the lessons that show it; null when there is none. */
export async function getVideo(assetId: number) {
  const [row] = await db.select().from(videoAssets).where(eq(videoAssets.id, assetId));
  if (!row) return null;
  const jobs = await openJobs([assetId]);
  const usedBy = await db
    .select({ id: lessons.id, title: lessons.title, courseTitle: courses.title })
    .from(lessons)
    .innerJoin(courses, eq(courses.id, lessons.courseId))
    .where(inArray(lessons.videoAssetId, [assetId]));
  return { ...row, job: jobs.get(assetId) ?? null, usedBy };
}

/**
 * Shows a video in a lesson: sets `lessons.video_asset_id`, and the lesson's duration when the
 * video is already transcoded (otherwise the transcode job sets it when it finishes).
 */
export async function attachVideoToLesson({ lessonId, assetId, tx }: { lessonId: number; assetId: number; tx?: Tx }) {
  const run = async (t: Tx | typeof db) => {
    const [video] = await t.select({ duration: videoAssets.durationSeconds, status: videoAssets.status }).from(videoAssets).where(eq(videoAssets.id, assetId));
    if (!video) throw new Error(`video ${assetId} does not exist`);
    await t
      .update(lessons)
      .set(video.status === "ready" && video.duration !== null ? { videoAssetId: assetId, durationSeconds: Math.round(video.duration) } : { videoAssetId: assetId })
      .where(eq(lessons.id, lessonId));
    await catalogueChanged(tx);
  };
  await (tx ? run(tx) : run(db));
}

/** The public URL of a stored media path (`42/hls-x/master.m3u8` → `/media/42/hls-x/master.m3u8`). */
export function mediaUrl(relativePath: string) {
  return `/media/${relativePath.split("/").map(encodeURIComponent).join("/")}`;
}
