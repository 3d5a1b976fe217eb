// The video pipeline with the real ffmpeg: upload → transcode job → HLS that ffprobe can play;
// corrupt, truncated and non-video uploads; restart resume; the media route and the admin pages.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { fileTypeFromFile } from "file-type";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { courses, jobs, lessons, videoAssets } from "~/db/schema";
import { runJobsOnce } from "~/jobs/queue.server";
import { generateDemoVideo } from "~/media/demo-video.server";
import { FFMPEG, runTool } from "~/media/ffmpeg.server";
import { parseMasterPlaylist, parseSegmentDurations } from "~/media/ladder";
import { attachVideoToLesson, retryTranscode, runTranscodeJob } from "~/media/transcode.server";
import { MediaError, storeVideoUpload, sweepMedia } from "~/media/upload.server";
import { action as uploadXhrAction } from "~/routes/admin.videos.upload";
import { action as videosAction, loader as videosLoader } from "~/routes/admin.videos._index";
import { loader as videoLoader } from "~/routes/admin.videos.$videoId";
import { loader as mediaLoader } from "~/routes/media.$";
import { makeMember, makeUnitTree } from "~/seed/factories.server";
import { invoke, ORIGIN, sessionCookie } from "../support/routes";

const SOURCE_SECONDS = 11;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "transcode-test-"));
const mediaDir = path.join(work, "media");
process.env.MEDIA_DIR = mediaDir;
const source = path.join(work, "source.mp4");
/** A short 360p clip where only the pipeline's bookkeeping matters (fast to transcode). */
const small = path.join(work, "small.mp4");

let adminCookie: string;
let memberCookie: string;
let adminId: number;
let courseId: number;

const kinds = ["transcode"];
const asset = async (id: number) => (await db.select().from(videoAssets).where(eq(videoAssets.id, id)))[0];
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];

function ffprobeJson(file: string) {
  const out = execFileSync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height:format=duration", "-of", "json", file], {
    encoding: "utf8",
  });
  return JSON.parse(out) as { streams: { codec_type: string; codec_name: string; width?: number; height?: number }[]; format: { duration: string } };
}

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "视频测试党委", kind: "committee", children: [{ name: "视频测试支部", kind: "branch" }] });
  const admin = await makeMember({ unitId: tree.get("视频测试党委")!.id, grants: [{ unitId: tree.get("视频测试党委")!.id, role: "admin" }] });
  const member = await makeMember({ unitId: tree.get("视频测试支部")!.id });
  adminId = admin.id;
  adminCookie = await sessionCookie(admin.id);
  memberCookie = await sessionCookie(member.id);
  const [course] = await db.insert(courses).values({ slug: "video-test", title: "视频测试课程" }).returning();
  courseId = course.id;
  const started = performance.now();
  await generateDemoVideo({ outPath: source, caption: "网上党校 · 转码测试", seconds: SOURCE_SECONDS });
  await generateDemoVideo({ outPath: small, caption: "短片", seconds: 3, width: 640, height: 360, frequency: 660 });
  console.log(`source generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe("upload → transcode → HLS", () => {
  let id: number;

  it("stores the upload, a pending row and a queued job", async () => {
    const stored = await storeVideoUpload({ name: "第一课：平台使用.mp4", stream: fs.createReadStream(source), uploadedBy: adminId });
    id = stored.id;
    expect(stored).toMatchObject({ ext: "mp4", mime: "video/mp4", size: fs.statSync(source).size });
    expect(await asset(id)).toMatchObject({ status: "pending", originalName: "第一课：平台使用.mp4", uploadedBy: adminId });
    expect(fs.readFileSync(path.join(mediaDir, String(id), "original.mp4")).equals(fs.readFileSync(source))).toBe(true);
    const [job] = await db.select().from(jobs).where(eq(jobs.id, stored.jobId));
    expect(job).toMatchObject({ kind: "transcode", status: "queued", payload: { assetId: id } });
    expect(fs.readdirSync(path.join(mediaDir, ".uploads"))).toEqual([]);
  });

  it("transcodes into 360p + 720p HLS that ffprobe plays, with a poster and the duration", async () => {
    await db.insert(lessons).values({ courseId, position: 1, kind: "video", title: "平台使用", videoAssetId: id });
    const started = performance.now();
    const outcome = await runJobsOnce({ kinds });
    const seconds = (performance.now() - started) / 1000;
    console.log(`transcoded ${SOURCE_SECONDS} s of 720p in ${seconds.toFixed(1)} s (${(SOURCE_SECONDS / seconds).toFixed(1)}× real time)`);
    expect(outcome?.outcome).toBe("done");

    const row = await asset(id);
    expect(row.status).toBe("ready");
    expect(row.error).toBeNull();
    expect(row.masterPath).toMatch(new RegExp(`^${id}/hls-[a-z0-9]+/master\\.m3u8$`));
    expect(row.posterPath).toMatch(new RegExp(`^${id}/hls-[a-z0-9]+/poster\\.jpg$`));
    expect(Math.abs(row.durationSeconds! - SOURCE_SECONDS)).toBeLessThanOrEqual(0.5);
    expect(row.renditions!.map((r) => r.height)).toEqual([360, 720]);
    expect(row.renditions!.every((r) => r.bandwidth > 0)).toBe(true);

    const master = path.join(mediaDir, row.masterPath!);
    const variants = parseMasterPlaylist(fs.readFileSync(master, "utf8"));
    expect(variants.map((v) => v.resolution)).toEqual(["640x360", "1280x720"]);
    for (const v of variants) {
      expect(v.bandwidth).toBeGreaterThan(0);
      expect(v.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      const durations = parseSegmentDurations(fs.readFileSync(path.join(path.dirname(master), v.uri), "utf8"));
      expect(durations.length).toBeGreaterThanOrEqual(2);
      for (const d of durations.slice(0, -1)) {
        expect(d).toBeGreaterThanOrEqual(4);
        expect(d).toBeLessThanOrEqual(6);
      }
      expect(Math.abs(durations.reduce((a, b) => a + b, 0) - SOURCE_SECONDS)).toBeLessThanOrEqual(0.5);
    }

    // ffprobe opens the master playlist: every variant's video, and audio.
    const probe = ffprobeJson(master);
    const heights = probe.streams.filter((s) => s.codec_type === "video").map((s) => s.height);
    expect(new Set(heights)).toEqual(new Set([360, 720]));
    expect(probe.streams.filter((s) => s.codec_type === "video").every((s) => s.codec_name === "h264")).toBe(true);
    expect(probe.streams.some((s) => s.codec_type === "audio" && s.codec_name === "aac")).toBe(true);
    expect(Math.abs(Number(probe.format.duration) - SOURCE_SECONDS)).toBeLessThanOrEqual(0.5);

    expect(await fileTypeFromFile(path.join(mediaDir, row.posterPath!))).toMatchObject({ mime: "image/jpeg" });
    const [lesson] = await db.select().from(lessons).where(eq(lessons.videoAssetId, id));
    expect(lesson.durationSeconds).toBe(SOURCE_SECONDS);
    // Nothing temporary left; the original is kept (for a re-run).
    expect(fs.readdirSync(path.join(mediaDir, String(id))).filter((n) => n.startsWith(".tmp"))).toEqual([]);
  });

  it("a lesson that gets the video later takes its duration at once", async () => {
    const [lesson] = await db.insert(lessons).values({ courseId, position: 2, kind: "video", title: "复习" }).returning();
    await attachVideoToLesson({ lessonId: lesson.id, assetId: id });
    expect((await db.select().from(lessons).where(eq(lessons.id, lesson.id)))[0]).toMatchObject({ videoAssetId: id, durationSeconds: SOURCE_SECONDS });
  });

  it("a second run of a finished video changes nothing", async () => {
    const before = await asset(id);
    const started = performance.now();
    await runTranscodeJob({ assetId: id }, { signal: new AbortController().signal });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await asset(id)).toEqual(before);
  });

  describe("the media route", () => {
    const get = (p: string, headers: Record<string, string> = {}) =>
      mediaLoader({ request: new Request(`${ORIGIN}/media/${p}`, { headers }), params: { "*": p }, context: {} }) as Promise<Response>;

    it("serves the playlist, segments (with Range) and poster to a signed-in member", async () => {
      const row = await asset(id);
      const master = await get(row.masterPath!, { cookie: memberCookie });
      expect(master.status).toBe(200);
      expect(master.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
      expect(master.headers.get("cache-control")).toMatch(/^private/);
      const variant = parseMasterPlaylist(await master.text())[1];
      const base = path.posix.dirname(row.masterPath!);
      const playlist = await (await get(`${base}/${variant.uri}`, { cookie: memberCookie })).text();
      const segmentName = playlist.split("\n").find((l) => l.endsWith(".ts"))!;
      const segmentPath = `${base}/${path.posix.dirname(variant.uri)}/${segmentName}`;
      const segment = await get(segmentPath, { cookie: memberCookie, range: "bytes=0-187" });
      expect(segment.status).toBe(206);
      expect(segment.headers.get("content-type")).toBe("video/mp2t");
      expect(segment.headers.get("cache-control")).toBe("private, max-age=31536000, immutable, no-transform");
      const bytes = new Uint8Array(await segment.arrayBuffer());
      expect(bytes.length).toBe(188);
      expect(bytes[0]).toBe(0x47); // MPEG-TS sync byte
      const poster = await get(row.posterPath!, { cookie: memberCookie });
      expect(poster.headers.get("content-type")).toBe("image/jpeg");
      await poster.arrayBuffer();
    });

    it("refuses visitors who are not signed in, the original, and traversal", async () => {
      const row = await asset(id);
      expect((await get(row.masterPath!)).status).toBe(401);
      expect((await get(`${id}/original.mp4`, { cookie: memberCookie })).status).toBe(404);
      expect((await get(`${path.posix.dirname(row.masterPath!)}/../original.mp4`, { cookie: memberCookie })).status).toBe(404);
      expect((await get(`../../etc/passwd`, { cookie: memberCookie })).status).toBe(404);
    });
  });
});

describe("bad uploads", () => {
  it("refuses a PNG and a text file by their bytes, naming the type, and stores nothing", async () => {
    const rowsBefore = (await db.select().from(videoAssets)).length;
    const filesBefore = filesUnder(mediaDir).length;
    const png = path.join(work, "still.png");
    await runTool(FFMPEG, ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=red:size=32x32", "-frames:v", "1", png], { timeoutMs: 30_000 });

    const pngError = await storeVideoUpload({ name: "looks-like-a-video.mp4", bytes: fs.readFileSync(png) }).catch((e: unknown) => e);
    expect(pngError).toBeInstanceOf(MediaError);
    expect((pngError as MediaError).code).toBe("type");
    expect((pngError as MediaError).message).toMatch(/image\/png/);

    const textError = await storeVideoUpload({ name: "notes.mov", stream: (async function* () { yield Buffer.from("这不是视频，只是一段文字。\n".repeat(20)); })() }).catch((e: unknown) => e);
    expect(textError).toBeInstanceOf(MediaError);
    expect((textError as MediaError).message).toMatch(/text\/plain/);

    const empty = await storeVideoUpload({ name: "empty.mp4", bytes: new Uint8Array() }).catch((e: unknown) => e);
    expect((empty as MediaError).code).toBe("empty");

    expect((await db.select().from(videoAssets)).length).toBe(rowsBefore);
    expect(filesUnder(mediaDir).length).toBe(filesBefore);
  });

  it("refuses a file over the size limit, also mid-stream, leaving no partial file", async () => {
    const filesBefore = filesUnder(mediaDir).length;
    const err = await storeVideoUpload({ name: "big.mp4", stream: fs.createReadStream(source, { highWaterMark: 16 * 1024 }), maxBytes: 200_000 }).catch((e: unknown) => e);
    expect((err as MediaError).code).toBe("tooLarge");
    expect(filesUnder(mediaDir).length).toBe(filesBefore);
  });

  it("a corrupt MP4 (random bytes after an MP4 header) ends failed with ffprobe's message, quickly", async () => {
    const header = Buffer.from([0, 0, 0, 0x20, ...Buffer.from("ftypisom"), 0, 0, 2, 0, ...Buffer.from("isomiso2avc1mp41")]);
    const bytes = Buffer.concat([header, Buffer.from(Array.from({ length: 300_000 }, () => Math.floor(Math.random() * 256)))]);
    const stored = await storeVideoUpload({ name: "corrupt.mp4", bytes, uploadedBy: adminId });
    const started = performance.now();
    const outcome = await runJobsOnce({ kinds });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(outcome?.outcome).toBe("failed");
    const row = await asset(stored.id);
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/cannot be read as a video/);
    expect(row.error).toMatch(/moov atom not found|Invalid data/);
    expect(row.masterPath).toBeNull();
    const [job] = await db.select().from(jobs).where(eq(jobs.id, stored.jobId));
    expect(job).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("a truncated MP4 ends failed — index at the end (unreadable) or at the start (too short)", async () => {
    const moovLast = path.join(work, "moov-last.mp4");
    await runTool(FFMPEG, ["-hide_banner", "-loglevel", "error", "-y", "-i", small, "-c", "copy", moovLast], { timeoutMs: 30_000 });
    const cut = (file: string) => fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size * 0.3));

    const a = await storeVideoUpload({ name: "cut-a.mp4", bytes: cut(moovLast) });
    const b = await storeVideoUpload({ name: "cut-b.mp4", bytes: cut(small) }); // faststart: index first
    const started = performance.now();
    expect((await runJobsOnce({ kinds }))?.outcome).toBe("failed");
    expect((await runJobsOnce({ kinds }))?.outcome).toBe("failed");
    expect(performance.now() - started).toBeLessThan(30_000);

    const rowA = await asset(a.id);
    expect(rowA.status).toBe("failed");
    expect(rowA.error).toMatch(/moov atom not found/);
    const rowB = await asset(b.id);
    expect(rowB.status).toBe("failed");
    expect(rowB.error).toMatch(/truncated or damaged/);
    expect(rowB.error).toMatch(/partial file|Invalid|Error/); // ffmpeg's own stderr
    expect(fs.readdirSync(path.join(mediaDir, String(b.id)))).toEqual(["original.mp4"]);
  });

  it("retry queues a failed video again (and only a failed one)", async () => {
    const [failed] = await db.select().from(videoAssets).where(eq(videoAssets.originalName, "corrupt.mp4"));
    expect(await retryTranscode(failed.id)).toBe("queued");
    expect(await asset(failed.id)).toMatchObject({ status: "pending", error: null });
    expect(await retryTranscode(failed.id)).toBe("notFailed");
    expect((await runJobsOnce({ kinds }))?.outcome).toBe("failed");
    expect((await asset(failed.id)).status).toBe("failed");
  });
});

describe("restart", () => {
  it("a transcode whose worker died is taken again, cleans up the half-written output and completes", async () => {
    const stored = await storeVideoUpload({ name: "resume.mp4", stream: fs.createReadStream(small), uploadedBy: adminId });
    // As a killed worker leaves it: job running with an expired lease, row processing, partial output.
    await db.update(jobs).set({ status: "running", attempts: 1, lockedUntil: new Date(Date.now() - 10_000) }).where(eq(jobs.id, stored.jobId));
    await db.update(videoAssets).set({ status: "processing" }).where(eq(videoAssets.id, stored.id));
    const stale = path.join(mediaDir, String(stored.id), ".tmp-hls-crashed");
    fs.mkdirSync(path.join(stale, "720p"), { recursive: true });
    fs.writeFileSync(path.join(stale, "720p", "seg_000.ts"), "half");

    const outcome = await runJobsOnce({ kinds });
    expect(outcome?.outcome).toBe("done");
    expect(outcome?.job.attempts).toBe(2);
    const row = await asset(stored.id);
    expect(row.status).toBe("ready");
    expect(row.renditions!.map((r) => r.height)).toEqual([360]);
    expect(row.durationSeconds).toBeCloseTo(3, 0);
    expect(fs.existsSync(path.join(mediaDir, row.masterPath!))).toBe(true);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.readdirSync(path.join(mediaDir, String(stored.id))).sort()).toEqual([path.posix.dirname(row.masterPath!).split("/")[1], "original.mp4"].sort());
  });

  it("sweeps what a crash during an upload leaves: old partial files and directories without a row", async () => {
    const part = path.join(mediaDir, ".uploads", "crashed.part");
    fs.writeFileSync(part, "partial");
    const orphan = path.join(mediaDir, "999999");
    fs.mkdirSync(orphan);
    fs.writeFileSync(path.join(orphan, "original.mp4"), "x");
    const fresh = path.join(mediaDir, ".uploads", "in-progress.part");
    fs.writeFileSync(fresh, "partial");
    const old = new Date(Date.now() - 48 * 3600_000);
    fs.utimesSync(part, old, old);
    fs.utimesSync(orphan, old, old);
    const removed = await sweepMedia();
    expect(removed.sort()).toEqual([part, orphan].sort());
    expect(fs.existsSync(fresh)).toBe(true);
    fs.rmSync(fresh);
    // Videos with rows are kept.
    expect((await db.select().from(videoAssets)).every((v) => fs.existsSync(path.join(mediaDir, String(v.id))))).toBe(true);
  });
});

describe("admin pages", () => {
  const form = (file: Blob, name: string) => {
    const data = new FormData();
    data.append("video", file, name);
    return data;
  };

  it("an admin uploads through the page and is sent to the video's page", async () => {
    const blob = new Blob([fs.readFileSync(small)], { type: "video/mp4" });
    const res = await invoke(videosAction, { path: "/admin/videos?index", method: "POST", cookie: adminCookie, form: form(blob, "网页上传.mp4") });
    expect(res.status).toBe(302);
    const id = Number(res.location!.match(/^\/admin\/videos\/(\d+)\?uploaded=1$/)![1]);
    expect(await asset(id)).toMatchObject({ status: "pending", originalName: "网页上传.mp4", uploadedBy: adminId });
    const page = await invoke(videoLoader, { path: `/admin/videos/${id}`, cookie: adminCookie, params: { videoId: String(id) } });
    expect(page.status).toBe(200);
    expect((page.body as { video: { status: string } }).video.status).toBe("pending");
    await db.delete(jobs).where(eq(jobs.kind, "transcode")); // not transcoded in this test
  });

  it("a non-video upload is refused with the detected type; the XHR endpoint answers JSON", async () => {
    const text = new Blob(["plain text, not a video"], { type: "video/mp4" });
    const page = await invoke(videosAction, { path: "/admin/videos?index", method: "POST", cookie: adminCookie, form: form(text, "fake.mp4") });
    expect(page.body).toMatchObject({ intent: "upload", outcome: { status: "refused", code: "type", detected: "text/plain" } });
    const xhr = await invoke(uploadXhrAction, { path: "/admin/videos/upload", method: "POST", cookie: adminCookie, form: form(text, "fake.mp4") });
    expect(xhr.status).toBe(422);
    expect(xhr.body).toMatchObject({ status: "refused", code: "type" });
  });

  it("lists videos with status and error for admins only; retry from the list", async () => {
    const list = await invoke(videosLoader, { path: "/admin/videos", cookie: adminCookie });
    const videos = (list.body as { videos: { name: string; status: string; error: string | null; duration: number | null }[] }).videos;
    expect(videos.find((v) => v.name === "第一课：平台使用.mp4")).toMatchObject({ status: "ready", duration: expect.closeTo(SOURCE_SECONDS, 0) });
    expect(videos.find((v) => v.name === "corrupt.mp4")?.error).toMatch(/moov|Invalid/);
    const failed = (await db.select().from(videoAssets).where(eq(videoAssets.originalName, "cut-a.mp4")))[0];
    const retry = await invoke(videosAction, { path: "/admin/videos?index", method: "POST", cookie: adminCookie, form: { intent: "retry", videoId: String(failed.id) } });
    expect(retry.body).toEqual({ intent: "retry", result: "queued" });
    expect((await invoke(videosLoader, { path: "/admin/videos", cookie: memberCookie })).status).toBe(403);
    expect((await invoke(videosAction, { path: "/admin/videos?index", method: "POST", cookie: memberCookie, form: form(new Blob(["x"]), "x.mp4") })).status).toBe(403);
    expect((await invoke(uploadXhrAction, { path: "/admin/videos/upload", method: "POST", cookie: memberCookie, form: form(new Blob(["x"]), "x.mp4") })).status).toBe(403);
  });
});
