// The app's side of bench/transcode.js: registers a video through the real upload path and runs its
// transcode job, timing each step. Run with `npx tsx bench/lib/transcode-entry.ts <source.mp4>` from
// the repository root, with DATA_DIR (e.g. memory://) or DATABASE_URL, and MEDIA_DIR set.
// Prints one line `TRANSCODE_ENTRY {json}`; exit code 1 if the job did not finish.
import fs from "node:fs";
import path from "node:path";

const source = process.argv[2];
if (!source || !fs.existsSync(source)) {
  console.error("usage: tsx bench/lib/transcode-entry.ts <source video>");
  process.exit(2);
}
process.env.JOBS_WORKER = "false";

const opened = performance.now();
const { db, getDatabase } = await import("~/db/client.server");
const { drainJobs } = await import("~/jobs/queue.server");
await import("~/media/transcode.server");
const { storeVideoUpload } = await import("~/media/upload.server");
const { mediaRoot } = await import("~/media/config.server");
const { jobs, videoAssets } = await import("~/db/schema");
const { eq } = await import("drizzle-orm");
const dbOpenMs = performance.now() - opened;

/** CPU seconds of this process and its reaped children (ffmpeg, ffprobe); null off Linux. */
function cpuSeconds(): number | null {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return null;
  }
}

const t0 = performance.now();
const stored = await storeVideoUpload({ name: path.basename(source), stream: fs.createReadStream(source) });
const t1 = performance.now();
const cpu1 = cpuSeconds();
const outcomes = await drainJobs({ kinds: ["transcode"] });
const t2 = performance.now();
const cpu2 = cpuSeconds();
const [row] = await db.select().from(videoAssets).where(eq(videoAssets.id, stored.id));

const result = {
  ok: row?.status === "ready",
  status: row?.status,
  error: row?.error ?? null,
  outcomes: outcomes.map((o) => o.outcome),
  dbOpenMs: Math.round(dbOpenMs),
  uploadSeconds: (t1 - t0) / 1000,
  jobSeconds: (t2 - t1) / 1000,
  jobCpuSeconds: cpu1 === null || cpu2 === null ? null : cpu2 - cpu1,
  durationSeconds: row?.durationSeconds ?? null,
  renditions: row?.renditions ?? [],
  master: row?.masterPath ? path.join(mediaRoot(), row.masterPath) : null,
};
console.log(`TRANSCODE_ENTRY ${JSON.stringify(result)}`);
// On a shared PostgreSQL (--pg), leave no trace: the media directory is deleted by the bench.
await db.delete(jobs).where(eq(jobs.id, stored.jobId));
await db.delete(videoAssets).where(eq(videoAssets.id, stored.id));
await (await getDatabase()).close();
process.exit(result.ok ? 0 : 1);
