// Shared plumbing for the benchmarks: child processes (the app, the hello ceiling), free ports,
// readiness, login, autocannon runs, a result table, and cleanup that also runs on failure.
// Everything listens on 127.0.0.1 only; every run has a fixed duration.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const HELLO_SERVER = fileURLToPath(new URL("./hello-server.js", import.meta.url));

const log = (...args) => console.error("[bench]", ...args);
export { log };

// ---------------------------------------------------------------------------------------------
// Options

const USAGE = `Options:
  --pg               run the app against PostgreSQL at $DATABASE_URL (migrated and seeded if empty)
  --duration=S       measured seconds per target (default 10)
  --warmup=S         warm-up seconds per target, not measured (default 3)
  --connections=N    concurrent connections (default 100)
  --gzip             send Accept-Encoding: gzip (the app compresses; hello does not)
  --build            run \`npm run build\` even if build/server/index.js exists
  --cpu-prof         profile the app server (node --cpu-prof); the .cpuprofile is kept and its path printed`;

export function parseArgs(argv) {
  const opts = { pg: false, duration: 10, warmup: 3, connections: 100, gzip: false, build: false, cpuProf: false };
  for (const arg of argv) {
    const [key, value] = arg.split("=", 2);
    const number = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${key} needs a number, got ${value}`);
      return n;
    };
    if (key === "--pg") opts.pg = true;
    else if (key === "--gzip") opts.gzip = true;
    else if (key === "--build") opts.build = true;
    else if (key === "--cpu-prof") opts.cpuProf = true;
    else if (key === "--duration") opts.duration = Math.min(number(), 120);
    else if (key === "--warmup") opts.warmup = Math.min(number(), 60);
    else if (key === "--connections") opts.connections = Math.max(1, Math.min(number(), 1000));
    else if (key === "--help" || key === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: async steps in reverse order of registration; a synchronous last resort on exit.

const cleanups = [];
const liveChildren = new Set();
const tempDirs = new Set();
let cleaning = null;

export function onCleanup(fn) {
  cleanups.unshift(fn);
}

export function cleanup() {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.shift();
      try {
        await fn();
      } catch (error) {
        log("cleanup step failed:", error?.message ?? error);
      }
    }
  })();
  return cleaning;
}

process.on("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    cleanup().finally(() => process.exit(130));
  });
}

export function makeTempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  onCleanup(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Child processes

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `node ...args`, keeps the last lines of its output for error reports, and stops it on cleanup. */
export function spawnNode(name, args, env) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const head = [];
  const tail = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      if (head.length < 100) head.push(line);
      tail.push(line);
      if (tail.length > 60) tail.shift();
    }
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  liveChildren.add(child);
  const exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    }),
  );
  const handle = {
    name,
    child,
    exited,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    output: () => tail.join("\n"),
    /** Whether one of the first 100 lines of output contains `text`. */
    printed: (text) => head.some((line) => line.includes(text)),
    stop: (graceMs = 10_000) => stopChild(handle, graceMs),
  };
  onCleanup(() => handle.stop());
  return handle;
}

async function stopChild(handle, graceMs) {
  if (!handle.running) return;
  handle.child.kill("SIGTERM");
  const timer = new Promise((resolve) => setTimeout(resolve, graceMs, "timeout"));
  if ((await Promise.race([handle.exited, timer])) === "timeout") {
    log(`${handle.name} did not stop within ${graceMs} ms, killing it`);
    handle.child.kill("SIGKILL");
    await handle.exited;
  }
}

/** Polls `url` until it answers with `status`; fails early if the child exits. Returns ms waited. */
export async function waitForHttp(handle, url, { status = 200, timeoutMs = 60_000 } = {}) {
  const started = performance.now();
  for (;;) {
    if (!handle.running) throw new Error(`${handle.name} exited before it was ready:\n${handle.output()}`);
    try {
      const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === status) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) {
      throw new Error(`${handle.name} not ready after ${timeoutMs} ms:\n${handle.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function ensureBuild(force) {
  const serverBuild = path.join(ROOT, "build/server/index.js");
  if (!force && fs.existsSync(serverBuild)) return;
  log(force ? "building (--build)…" : "build/server/index.js missing, building…");
  const started = performance.now();
  const result = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", process.stderr, process.stderr] });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
  log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------------------------------------
// The app

/**
 * Starts the production server (`scripts/server.js`) on a free loopback port. With `pg` the app
 * uses $DATABASE_URL; otherwise DATABASE_URL is removed from its environment and it gets PGlite in
 * a fresh temporary DATA_DIR (or the `dataDir` given, e.g. to restart on the same data). Returns the handle, its base URL, the cold-start time
 * (spawn → first 200 from GET /login) and whether the app found the database empty and seeded it.
 */
export async function startApp({ pg = false, cpuProfDir = null, dataDir = makeTempDir("party-bench-data-") } = {}) {
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_REQUESTS: "false",
    // The demo videos' ffmpeg jobs would compete with the requests being measured.
    JOBS_WORKER: "false",
  };
  if (!pg) delete env.DATABASE_URL;
  const nodeArgs = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [];
  const spawned = performance.now();
  const app = spawnNode("app server", [...nodeArgs, "scripts/server.js"], env);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(app, `${base}/login`);
  const coldStartMs = performance.now() - spawned;
  return {
    app,
    base,
    coldStartMs,
    dataDir,
    // Read late: the child's stdout may arrive after its first HTTP answer.
    get seeded() {
      return app.printed("Demo data created.");
    },
  };
}

export async function startHello() {
  const port = await freePort();
  const hello = spawnNode("hello server", [HELLO_SERVER], { PATH: process.env.PATH, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(hello, `${base}/`, { timeoutMs: 10_000 });
  return { hello, base };
}

/** Logs in through the real form action; returns the `dx_session=…` cookie pair. */
export async function login(base, identifier, password) {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ identifier, password }),
  });
  await res.arrayBuffer();
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c.startsWith("dx_session=") && c.length > "dx_session=".length);
  if (res.status !== 302 || !cookie) {
    throw new Error(`login as ${identifier} failed: HTTP ${res.status}, location ${res.headers.get("location")}, no session cookie`);
  }
  if (res.headers.get("location") !== "/") {
    throw new Error(`login as ${identifier} redirected to ${res.headers.get("location")}, expected /`);
  }
  return cookie;
}

// ---------------------------------------------------------------------------------------------
// Load

/** Warm-up (discarded), then the measured run; returns the figures the reports print. */
export async function measure(label, { url, headers = {}, cookies = null, connections, duration, warmup }) {
  // With `cookies`, each connection is a different member's browser: connection i sends cookies[i % n].
  let next = 0;
  const setupClient = cookies ? (client) => client.setHeaders({ ...headers, cookie: cookies[next++ % cookies.length] }) : undefined;
  if (warmup > 0) {
    log(`${label}: warm-up ${warmup} s`);
    await autocannon({ url, headers, connections, duration: warmup, setupClient });
  }
  log(`${label}: ${connections} connections for ${duration} s`);
  const cpu = loadGeneratorCpu();
  const r = await autocannon({ url, headers, connections, duration, setupClient });
  return {
    label,
    url,
    reqPerSec: round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: round(r.latency.average) },
    requests: r.requests.total,
    ok2xx: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
    throughputMBs: round(r.throughput.average / 1e6),
    loadGeneratorCpu: cpu(),
  };
}

/**
 * autocannon runs in this process, the servers in child processes: the share of one core this
 * process used from now until the returned function is called, to show the load generator was
 * not what limited the server (2 cores shared).
 */
export function loadGeneratorCpu() {
  const start = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const used = process.cpuUsage(start);
    return round((used.user + used.system) / 1000 / (performance.now() - t0), 2);
  };
}

export function round(n, digits = 2) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  return rows
    .map((row, r) => {
      const line = row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  ");
      return r === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
    })
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// Reporting and running

/** Prints the machine-readable result line and the failures; returns the exit code. */
export function report(result) {
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  for (const f of result.failures) console.error(`FAIL ${f}`);
  return result.failures.length === 0 ? 0 : 1;
}

/** Runs a benchmark's `main` when its file is the script node was started with; always cleans up. */
export async function runIfMain(moduleUrl, main) {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  let code = 1;
  try {
    code = await main(process.argv.slice(2));
  } catch (error) {
    console.error(`FAIL ${error?.stack ?? error}`);
  } finally {
    await cleanup();
  }
  process.exit(code);
}

/** The first video lesson reachable from the catalogue of the member whose cookie is given. */
export async function findVideoLesson(base, cookie) {
  const catalogue = await (await fetch(`${base}/courses`, { headers: { cookie } })).text();
  for (const [, courseId] of catalogue.matchAll(/href="\/courses\/(\d+)"/g)) {
    const page = await (await fetch(`${base}/courses/${courseId}`, { headers: { cookie } })).text();
    // Lesson rows render their kind label right after the link; look only up to the next lesson link
    // (the "start" button links the first open lesson, whatever its kind).
    const parts = page.split(/(?=href="\/lessons\/\d+")/);
    for (const part of parts) {
      const found = /^href="\/lessons\/(\d+)"[^]*?(?:视频|Video)/.exec(part);
      if (found) return Number(found[1]);
    }
  }
  throw new Error("no video lesson found in the catalogue");
}
