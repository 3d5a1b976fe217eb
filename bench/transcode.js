// Benchmark: HLS transcoding of a 60 s 720p source into the 720p + 360p ladder.
//   (a) baseline: bare ffmpeg, the same ladder and encoder settings, the simplest way (one process,
//       one -vf scale per output);
//   (b) the app: the video registered through storeVideoUpload and its `transcode` job run
//       (ffprobe, one ffmpeg with split + var_stream_map, poster, database updates), in a child
//       process (`npx tsx bench/lib/transcode-entry.ts`) on an in-memory PGlite (or $DATABASE_URL
//       with --pg) and a temporary MEDIA_DIR.
// The two alternate for --rounds=N (default 2); the best time of each is compared.
//
//   node bench/transcode.js [--rounds=2] [--source-seconds=60] [--pg]
//
// Prints speed as a multiple of real time for both, the ratio app/baseline, and one line
// `BENCH_RESULT {...}`. DESIGN.md goals: ≥ 2× real time on 2 cores; ≥ 90 % of bare ffmpeg.
// Exits non-zero if a transcode fails or its output is incomplete (missing a goal is reported,
// not an error). Everything runs under a temporary directory that is removed at the end.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { log, makeTempDir, onCleanup, parseArgs, report, ROOT, round, runIfMain, table } from "./lib/harness.js";

const GOALS = { speedX: 2, ratio: 0.9 };
// The app's encoder settings (app/media/ladder.ts), repeated here for the baseline. The baseline
// muxes the audio into each output, the simplest way; the app encodes it once (an HLS audio group).
const LADDER = [
  { name: "720p", height: 720, maxrate: "2996k", bufsize: "5600k" },
  { name: "360p", height: 360, maxrate: "856k", bufsize: "1600k" },
];
const TIMEOUT_MS = 10 * 60_000;

/**
 * CPU seconds used by this process's finished (reaped) children so far, from /proc/self/stat
 * (cutime + cstime); null off Linux. A child's descendants count once it has reaped them, so for
 * the app this includes its ffmpeg processes. Unlike wall time, it does not depend on what else
 * the machine is doing.
 */
function childrenCpuSeconds() {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function run(command, args, { env = process.env, timeoutMs = TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const cpuBefore = childrenCpuSeconds();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const stop = () => child.kill("SIGKILL");
    onCleanup(stop);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr = (stderr + c).slice(-8000)));
    const timer = setTimeout(stop, timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = childrenCpuSeconds();
      const cpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
      if (code === 0) resolve({ seconds, cpuSeconds, stdout, stderr });
      else reject(new Error(`${command} ${args.slice(0, 3).join(" ")}… failed (${code ?? signal}) after ${seconds.toFixed(1)} s:\n${stderr.slice(-2000)}`));
    });
  });
}

function ownArg(argv, name, fallback) {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  const value = hit ? Number(hit.split("=")[1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

function baselineArgs(source, outDir) {
  const args = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", source];
  for (const r of LADDER) {
    args.push(
      "-map", "0:v:0", "-map", "0:a:0",
      "-vf", `scale=-2:${r.height}`,
      "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-crf", "23",
      "-maxrate", r.maxrate, "-bufsize", r.bufsize,
      "-g", "125", "-keyint_min", "125", "-sc_threshold", "0", "-force_key_frames", "expr:gte(t,n_forced*5)",
      "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000",
      "-f", "hls", "-hls_time", "5", "-hls_playlist_type", "vod",
      "-hls_segment_filename", path.join(outDir, r.name, "seg_%03d.ts"),
      path.join(outDir, r.name, "index.m3u8"),
    );
  }
  return args;
}

function playlistSeconds(file) {
  return [...fs.readFileSync(file, "utf8").matchAll(/^#EXTINF:([\d.]+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

export async function main(argv) {
  const rounds = Math.min(5, Math.floor(ownArg(argv, "rounds", 2)));
  const sourceSeconds = Math.min(600, ownArg(argv, "source-seconds", 60));
  const opts = parseArgs(argv.filter((a) => !a.startsWith("--rounds=") && !a.startsWith("--source-seconds=")));
  if (opts.pg && !process.env.DATABASE_URL) throw new Error("--pg needs DATABASE_URL in the environment");
  const failures = [];
  const work = makeTempDir("party-bench-transcode-");
  const source = path.join(work, "source.mp4");

  log(`generating a ${sourceSeconds} s 1280×720 25 fps source with a tone…`);
  const generated = await run("ffmpeg", [
    "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
    "-f", "lavfi", "-i", `testsrc2=size=1280x720:rate=25:duration=${sourceSeconds}`,
    "-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${sourceSeconds}`,
    "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-g", "50", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-b:a", "128k", "-shortest", "-movflags", "+faststart", source,
  ]);
  log(`source: ${(fs.statSync(source).size / 1e6).toFixed(1)} MB in ${generated.seconds.toFixed(1)} s`);

  const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
  const entry = path.join(ROOT, "bench", "lib", "transcode-entry.ts");
  const baseline = [];
  const baselineCpu = [];
  const app = [];
  for (let round_ = 1; round_ <= rounds; round_++) {
    const outDir = path.join(work, `baseline-${round_}`);
    for (const r of LADDER) fs.mkdirSync(path.join(outDir, r.name), { recursive: true });
    log(`round ${round_}/${rounds}: bare ffmpeg…`);
    const b = await run("ffmpeg", baselineArgs(source, outDir));
    for (const r of LADDER) {
      const seconds = playlistSeconds(path.join(outDir, r.name, "index.m3u8"));
      if (Math.abs(seconds - sourceSeconds) > 1) failures.push(`baseline ${r.name} playlist has ${seconds} s, expected ${sourceSeconds}`);
    }
    baseline.push(b.seconds);
    baselineCpu.push(b.cpuSeconds);
    fs.rmSync(outDir, { recursive: true, force: true });

    log(`round ${round_}/${rounds}: the app's upload + transcode job…`);
    const mediaDir = path.join(work, `media-${round_}`);
    const env = { ...process.env, MEDIA_DIR: mediaDir, JOBS_WORKER: "false", SEED_DEMO: "false" };
    if (opts.pg) delete env.DATA_DIR;
    else {
      delete env.DATABASE_URL;
      env.DATA_DIR = "memory://";
    }
    const a = await run(tsx, [entry, source], { env });
    const line = a.stdout.split("\n").find((l) => l.startsWith("TRANSCODE_ENTRY "));
    const r = line ? JSON.parse(line.slice("TRANSCODE_ENTRY ".length)) : null;
    if (!r?.ok) {
      failures.push(`app transcode did not finish: ${r ? `${r.status} ${r.error}` : a.stdout.slice(-500)}`);
      break;
    }
    if (Math.abs(r.durationSeconds - sourceSeconds) > 0.5) failures.push(`app output lasts ${r.durationSeconds} s, expected ${sourceSeconds}`);
    if (r.renditions.map((x) => x.height).join(",") !== "360,720") failures.push(`app renditions ${JSON.stringify(r.renditions)}`);
    app.push({ jobSeconds: r.jobSeconds, jobCpuSeconds: r.jobCpuSeconds, uploadSeconds: r.uploadSeconds, processSeconds: a.seconds });
    fs.rmSync(mediaDir, { recursive: true, force: true });
  }

  const best = (xs) => Math.min(...xs);
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
  const baselineBest = best(baseline);
  const appJobs = app.map((x) => x.jobSeconds);
  const appBest = app.length ? best(appJobs) : NaN;
  const speed = (s) => sourceSeconds / s;
  const ratio = baselineBest / appBest; // app speed as a share of bare ffmpeg's
  const cpus = os.cpus().length;
  const load = os.loadavg()[0];
  if (load > cpus * 1.5) log(`the machine is busy (load ${load.toFixed(1)} on ${cpus} CPUs): wall-clock figures are pessimistic; see the CPU-time line`);

  console.log(
    table([
      ["", "runs (s)", "best (s)", "median (s)", "× real time (best)"],
      ["bare ffmpeg 720p+360p", baseline.map((s) => s.toFixed(1)).join(" "), baselineBest.toFixed(2), median(baseline).toFixed(2), speed(baselineBest).toFixed(2)],
      ["app upload → transcode job", appJobs.map((s) => s.toFixed(1)).join(" "), appBest.toFixed(2), app.length ? median(appJobs).toFixed(2) : "—", speed(appBest).toFixed(2)],
    ]),
  );
  const cpuBaseline = baselineCpu.every((x) => x !== null) ? best(baselineCpu) : null;
  const cpuApp = app.length && app.every((x) => x.jobCpuSeconds !== null) ? best(app.map((x) => x.jobCpuSeconds)) : null;
  const cpuRatio = cpuBaseline && cpuApp ? cpuBaseline / cpuApp : null;
  if (cpuRatio !== null) {
    console.log(
      `CPU seconds (best): bare ffmpeg ${cpuBaseline.toFixed(1)}, app job ${cpuApp.toFixed(1)} → app/bare by CPU ${(cpuRatio * 100).toFixed(1)} %; ` +
        `on ${cpus} idle cores that is at most ${((sourceSeconds / cpuApp) * cpus).toFixed(2)}× real time for the app`,
    );
  }
  console.log(`app upload (store + row + job): ${app.map((x) => (x.uploadSeconds * 1000).toFixed(0)).join(", ")} ms, not counted above`);
  console.log(`app / bare ffmpeg speed: ${(ratio * 100).toFixed(1)} % (goal ≥ ${GOALS.ratio * 100} %: ${ratio >= GOALS.ratio ? "met" : "MISSED"})`);
  console.log(
    `app speed: ${speed(appBest).toFixed(2)}× real time on ${cpus} CPU(s), load ${os.loadavg()[0].toFixed(1)} (goal ≥ ${GOALS.speedX}× on 2 cores: ${speed(appBest) >= GOALS.speedX ? "met" : "MISSED"})`,
  );

  const result = {
    bench: "transcode",
    ok: failures.length === 0,
    db: opts.pg ? "postgresql" : "pglite",
    node: process.version,
    cpus,
    loadavg1: round(os.loadavg()[0]),
    sourceSeconds,
    rounds,
    baseline: { cpuS: baselineCpu.map((x) => (x === null ? null : round(x, 2))), runsS: baseline.map((s) => round(s, 3)), bestS: round(baselineBest, 3), speedX: round(speed(baselineBest), 3) },
    app: {
      runsS: appJobs.map((s) => round(s, 3)),
      bestS: round(appBest, 3),
      speedX: round(speed(appBest), 3),
      uploadMs: app.map((x) => Math.round(x.uploadSeconds * 1000)),
      cpuS: app.map((x) => (x.jobCpuSeconds === null ? null : round(x.jobCpuSeconds, 2))),
    },
    ratio: round(ratio, 4),
    cpu: cpuRatio === null ? null : { baselineS: round(cpuBaseline, 2), appS: round(cpuApp, 2), ratio: round(cpuRatio, 4) },
    goals: GOALS,
    met: { speed: speed(appBest) >= GOALS.speedX, ratio: ratio >= GOALS.ratio },
    failures,
  };
  return report(result);
}

await runIfMain(import.meta.url, main);
