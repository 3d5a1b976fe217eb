// Benchmark: the progress report endpoint (POST /api/progress, a logged-in member's watch report)
// at 100 concurrent connections, next to the raw single-row upsert rate of the same kind of
// database measured in the same run (DESIGN.md: ≥ 60 % of it).
//
//   node bench/progress.js [--pg] [--duration=10] [--warmup=3] [--connections=100] [--build]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { ensureBuild, findVideoLesson, loadGeneratorCpu, log, login, makeTempDir, parseArgs, report, round, ROOT, runIfMain, startApp, table } from "./lib/harness.js";

const MEMBERS = Array.from({ length: 12 }, (_, i) => `M${String(i + 1).padStart(4, "0")}`);
const TARGET_RATIO = 0.6;


function rawUpsertRate(seconds, pg) {
  const env = { ...process.env, LOG_REQUESTS: "false", SEED_DEMO: "false" };
  if (!pg) {
    delete env.DATABASE_URL;
    env.DATA_DIR = makeTempDir("party-bench-upsert-");
  }
  const run = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "bench/lib/upsert-entry.ts", String(seconds)], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    timeout: (seconds + 120) * 1000,
  });
  const line = run.stdout.split("\n").find((l) => l.startsWith("UPSERT_ENTRY "));
  if (!line) throw new Error(`upsert baseline failed:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line.slice("UPSERT_ENTRY ".length));
}

export async function main(argv) {
  const opts = parseArgs(argv);
  if (opts.pg && !process.env.DATABASE_URL) throw new Error("--pg needs DATABASE_URL in the environment");
  const db = opts.pg ? "postgresql" : "pglite";
  ensureBuild(opts.build);

  log(`raw single-row upserts for ${opts.duration} s (${db})…`);
  const raw = rawUpsertRate(opts.duration, opts.pg);

  log(`starting the app (${db})…`);
  // Not a cleanup temp dir: the profile must outlive the run.
  const cpuProfDir = opts.cpuProf ? fs.mkdtempSync(path.join(os.tmpdir(), "party-bench-prof-")) : null;
  const { app, base } = await startApp({ pg: opts.pg, cpuProfDir });
  const cookies = [];
  for (const member of MEMBERS) cookies.push(await login(base, member, "Demo@2026"));
  const lessonId = await findVideoLesson(base, cookies[0]);
  let counter = 0;
  const requests = [
    {
      method: "POST",
      path: "/api/progress",
      setupRequest: (req) => {
        counter += 1;
        const x = (counter % 500) + 1;
        return {
          ...req,
          headers: { "content-type": "application/json", origin: base, cookie: cookies[counter % cookies.length] },
          body: JSON.stringify({ reports: [{ lessonId, seq: Date.now(), ranges: [[0, x]], position: x }] }),
        };
      },
    },
  ];
  const run = (duration) => autocannon({ url: base, connections: opts.connections, duration, requests });
  if (opts.warmup > 0) await run(opts.warmup);
  log(`progress endpoint: ${opts.connections} connections for ${opts.duration} s`);
  const cpu = loadGeneratorCpu();
  const r = await run(opts.duration);
  const generatorCpu = cpu();
  if (!app.running) throw new Error(`the app server died during the run:\n${app.output()}`);

  // One report checked end to end: the server answers with the member's state.
  const check = await fetch(`${base}/api/progress`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, cookie: cookies[0] },
    body: JSON.stringify({ reports: [{ lessonId, seq: Date.now(), ranges: [[0, 1]] }] }),
  });
  const checked = (await check.json()).results?.[0];

  const endpoint = { loadGeneratorCpu: generatorCpu, reqPerSec: round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors };
  const ratio = endpoint.reqPerSec / raw.perSecond;
  const failures = [];
  if (endpoint.non2xx > 0) failures.push(`${endpoint.non2xx} non-2xx responses`);
  if (endpoint.errors > 0) failures.push(`${endpoint.errors} connection errors`);
  if (!checked || typeof checked.studiedSeconds !== "number") failures.push(`a report was not applied: ${JSON.stringify(checked)}`);

  console.log("");
  console.log(`progress benchmark · ${db} · lesson ${lessonId} · ${opts.connections} connections · ${opts.duration} s · node ${process.version} · ${os.cpus().length} CPUs`);
  console.log(
    table([
      ["what", "per s", "p50 ms", "p99 ms"],
      ["raw upsert (driver, sequential)", raw.perSecond.toFixed(0), round(raw.p50, 3), round(raw.p99, 3)],
      ["POST /api/progress (HTTP, auth, guard)", endpoint.reqPerSec.toFixed(0), endpoint.p50, endpoint.p99],
    ]),
  );
  console.log(`load generator (autocannon, this process): ${Math.round(generatorCpu * 100)} % of one core; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`endpoint / raw upsert: ${(ratio * 100).toFixed(1)} % (target ≥ ${TARGET_RATIO * 100} %: ${ratio >= TARGET_RATIO ? "met" : "MISSED"})`);
  // The profile is written when the server exits.
  if (cpuProfDir) {
    await app.stop();
    console.log(`app server CPU profile: ${fs.readdirSync(cpuProfDir).map((f) => path.join(cpuProfDir, f))[0] ?? "(none written)"}`);
  }
  const result = { bench: "progress", ok: failures.length === 0, db, raw, endpoint, ratio: round(ratio, 4), failures };
  return report(result);
}

await runIfMain(import.meta.url, main);
