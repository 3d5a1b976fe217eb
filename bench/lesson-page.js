// Benchmark: a video lesson page. (1) The JavaScript the browser loads before hls.js, gzip-compressed
// (DESIGN.md: ≤ 150 KB); (2) server-rendered req/s and p99 at 100 concurrent connections, next to a
// bare node:http hello measured in the same run (DESIGN.md: ≥ 800 req/s, p99 ≤ 100 ms).
//
//   node bench/lesson-page.js [--pg] [--duration=10] [--warmup=3] [--connections=100] [--build]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { ensureBuild, findVideoLesson, log, login, measure, parseArgs, report, round, runIfMain, startApp, startHello, table } from "./lib/harness.js";

const JS_BUDGET_KB = 150;
const TARGET = { reqPerSec: 800, p99Ms: 100 };
// The demo's accounts (app/seed/demo.server.ts): organisers, an admin and members of several units.
const DEMO_ACCOUNTS = ["A0001", "B1001", "B2001", ...Array.from({ length: 12 }, (_, i) => `M${String(i + 1).padStart(4, "0")}`)];

/**
 * One signed-in browser per connection, spread over every demo account that may see the lesson: the
 * page is shared between members, so one member reloading one lesson would flatter it.
 */
async function memberSessions(base, url, count) {
  const cookies = [];
  const refused = new Set();
  for (let round = 0; cookies.length < count && round < count; round++) {
    for (const account of DEMO_ACCOUNTS) {
      if (cookies.length >= count || refused.has(account)) continue;
      const cookie = await login(base, account, "Demo@2026");
      const res = await fetch(url, { headers: { cookie }, redirect: "manual" });
      await res.arrayBuffer();
      if (res.status === 200) cookies.push(cookie);
      else refused.add(account);
    }
  }
  return { cookies, accounts: DEMO_ACCOUNTS.length - refused.size, refused: [...refused] };
}


/** Every script the HTML makes the browser fetch at load (module scripts and modulepreloads). */
async function initialScripts(base, html) {
  const urls = new Set();
  for (const [, src] of html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)) urls.add(src);
  for (const [, src] of html.matchAll(/<script[^>]+src="([^"]+)"/g)) urls.add(src);
  for (const [, src] of html.matchAll(/import\("([^"]+\.js)"\)/g)) urls.add(src);
  const files = [];
  for (const url of urls) {
    const body = Buffer.from(await (await fetch(new URL(url, base))).arrayBuffer());
    files.push({ url, bytes: body.length, gzipBytes: zlib.gzipSync(body, { level: 9 }).length, hls: /hls/i.test(url) || body.includes("hls.js") });
  }
  return files;
}

export async function main(argv) {
  const opts = parseArgs(argv);
  if (opts.pg && !process.env.DATABASE_URL) throw new Error("--pg needs DATABASE_URL in the environment");
  const db = opts.pg ? "postgresql" : "pglite";
  ensureBuild(opts.build);
  log(`starting the app (${db})…`);
  // Not a cleanup temp dir: the profile must outlive the run.
  const cpuProfDir = opts.cpuProf ? fs.mkdtempSync(path.join(os.tmpdir(), "party-bench-prof-")) : null;
  const { app, base } = await startApp({ pg: opts.pg, cpuProfDir });
  const { hello, base: helloBase } = await startHello();
  const cookie = await login(base, "M0001", "Demo@2026");
  const lessonId = await findVideoLesson(base, cookie);
  const url = `${base}/lessons/${lessonId}`;
  const first = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const html = await first.text();
  if (first.status !== 200) throw new Error(`GET ${url} gave HTTP ${first.status}`);

  const scripts = await initialScripts(base, html);
  const jsGzipKb = scripts.filter((s) => !s.hls).reduce((sum, s) => sum + s.gzipBytes, 0) / 1024;
  const hlsInitial = scripts.some((s) => s.hls);

  const load = { connections: opts.connections, duration: opts.duration, warmup: opts.warmup };
  const helloResult = await measure("hello", { url: `${helloBase}/`, ...load });
  log(`signing in ${opts.connections} browsers…`);
  const sessions = await memberSessions(base, url, opts.connections);
  // As a browser asks for it: compressed.
  const pageResult = await measure("lesson page", { url, headers: { "accept-encoding": "gzip, deflate, br" }, cookies: sessions.cookies, ...load });
  if (!app.running) throw new Error(`the app server died during the run:\n${app.output()}`);
  if (!hello.running) throw new Error("the hello server died during the run");

  const failures = [];
  for (const r of [helloResult, pageResult]) {
    if (r.non2xx > 0) failures.push(`${r.label}: ${r.non2xx} non-2xx responses ${JSON.stringify(r.statusCodes)}`);
    if (r.errors > 0) failures.push(`${r.label}: ${r.errors} connection errors (${r.timeouts} timeouts)`);
  }
  if (hlsInitial) failures.push("hls.js is loaded before the player asks for it");

  const row = (r) => [r.label, r.reqPerSec.toFixed(0), r.latencyMs.p50, r.latencyMs.p99, r.latencyMs.max, r.requests, r.non2xx, r.errors];
  console.log("");
  console.log(`lesson-page benchmark · ${db} · lesson ${lessonId} · ${opts.connections} connections · ${opts.duration} s · node ${process.version} · ${os.cpus().length} CPUs`);
  console.log(table([["target", "req/s", "p50 ms", "p99 ms", "max ms", "requests", "non-2xx", "errors"], row(helloResult), row(pageResult)]));
  console.log(`members: ${sessions.cookies.length} sessions of ${sessions.accounts} accounts, one per connection${sessions.refused.length ? ` (${sessions.refused.join(", ")} may not see the lesson)` : ""}`);
  console.log(`load generator (autocannon, this process): ${Math.round(pageResult.loadGeneratorCpu * 100)} % of one core during the page run; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`lesson page / hello req/s: ${((pageResult.reqPerSec / helloResult.reqPerSec) * 100).toFixed(1)} %`);
  console.log(
    `target ≥ ${TARGET.reqPerSec} req/s and p99 ≤ ${TARGET.p99Ms} ms: ` +
      `${pageResult.reqPerSec >= TARGET.reqPerSec && pageResult.latencyMs.p99 <= TARGET.p99Ms ? "met" : "MISSED"}`,
  );
  console.log(`initial JavaScript before hls.js: ${scripts.filter((s) => !s.hls).length} files, ${jsGzipKb.toFixed(1)} KB gzip (budget ${JS_BUDGET_KB} KB: ${jsGzipKb <= JS_BUDGET_KB ? "met" : "MISSED"})`);
  for (const s of scripts) console.log(`  ${(s.gzipBytes / 1024).toFixed(1).padStart(6)} KB gzip  ${s.url}`);

  // The profile is written when the server exits.
  if (cpuProfDir) {
    await app.stop();
    console.log(`app server CPU profile: ${fs.readdirSync(cpuProfDir).map((f) => path.join(cpuProfDir, f))[0] ?? "(none written)"}`);
  }
  const result = {
    bench: "lesson-page",
    ok: failures.length === 0,
    db,
    lessonId,
    members: { sessions: sessions.cookies.length, accounts: sessions.accounts },
    jsGzipKb: round(jsGzipKb, 1),
    jsBudgetKb: JS_BUDGET_KB,
    hello: helloResult,
    page: pageResult,
    ratio: round(pageResult.reqPerSec / helloResult.reqPerSec, 4),
    failures,
  };
  return report(result);
}

await runIfMain(import.meta.url, main);
