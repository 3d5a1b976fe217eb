// Benchmark: a unit's statistics dashboard read from the per-unit aggregates, next to the same
// figures computed naively (GROUP BY over the progress table) in the same run, on generated data:
// 100,000 members in 1,000 branches (10 general branches), two courses of 10 lessons, 20 lessons
// of progress per member (2M rows, loaded with COPY on PGlite / unnest on PostgreSQL). Also the
// cost of a progress report with the aggregates maintained (listeners on) and without (off).
// The work runs in a child process: `npx tsx bench/lib/dashboard-entry.ts` on an in-memory PGlite,
// or with --pg on a throwaway database created on $DATABASE_URL's server (dropped afterwards).
//
//   node bench/dashboard.js [--pg] [--members=100000] [--branches=1000] [--runs=50] [--naive-runs=10] [--reports=200]
//
// Prints a table, the ratios, and one line `BENCH_RESULT {...}`. Goals (DESIGN.md): dashboard
// p95 ≤ 50 ms and ≥ 10× faster than the naive query. Exits non-zero if the run failed or the
// dashboard's figures disagree with the naive count / a rebuild (a missed goal is reported, not an error).
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { log, onCleanup, parseArgs, report, ROOT, round, runIfMain, table } from "./lib/harness.js";

const GOALS = { p95Ms: 50, ratio: 10 };
const TIMEOUT_MS = 40 * 60_000;
const OWN = ["members", "branches", "runs", "naive-runs", "reports"];

function ownArgs(argv) {
  const out = [];
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, "").split("=", 2);
    if (!OWN.includes(key)) continue;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${key} needs a positive number`);
    out.push(`--${key}=${Math.floor(n)}`);
  }
  return out;
}

function runEntry(args, env) {
  return new Promise((resolve, reject) => {
    const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
    const child = spawn(tsx, [path.join(ROOT, "bench", "lib", "dashboard-entry.ts"), ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const stop = () => child.kill("SIGKILL");
    onCleanup(stop);
    let stdout = "";
    let stderrTail = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => {
      process.stderr.write(c);
      stderrTail = (stderrTail + c).slice(-4000);
    });
    const timer = setTimeout(stop, TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith("DASHBOARD_ENTRY "));
      if (code === 0 && line) resolve(JSON.parse(line.slice("DASHBOARD_ENTRY ".length)));
      else reject(new Error(`dashboard entry failed (${code ?? signal}):\n${stderrTail}`));
    });
  });
}

export async function main(argv) {
  const entryArgs = ownArgs(argv);
  const opts = parseArgs(argv.filter((a) => !OWN.includes(a.replace(/^--/, "").split("=")[0])));
  if (opts.pg && !process.env.DATABASE_URL) throw new Error("--pg needs DATABASE_URL in the environment");
  const env = { ...process.env, JOBS_WORKER: "false", SEED_DEMO: "false" };
  if (opts.pg) delete env.DATA_DIR;
  else {
    delete env.DATABASE_URL;
    env.DATA_DIR = "memory://";
  }
  log(`dashboard benchmark on ${opts.pg ? "PostgreSQL" : "PGlite (in memory)"} ${entryArgs.join(" ")}`);
  const started = performance.now();
  const r = await runEntry(entryArgs, env);
  const seconds = (performance.now() - started) / 1000;

  const ratio = (naive, agg) => round(naive.p95 / agg.p95, 1);
  const ratio50 = (naive, agg) => round(naive.p50 / agg.p50, 1);
  const committeeRatio = ratio(r.committee.naive, r.committee.aggregates);
  const branchRatio = ratio(r.branch.naive, r.branch.aggregates);
  console.log(
    `\n${r.members.toLocaleString("en")} members, ${r.branches} branches (${r.units} units), ${r.progressRows.toLocaleString("en")} progress rows, ` +
      `${r.unitStatRows} unit figures; ${r.db}; load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`,
  );
  console.log(
    `generation ${Object.entries(r.timingsMs)
      .filter(([k]) => k.startsWith("generate"))
      .map(([k, v]) => `${k.replace("generate ", "")} ${(v / 1000).toFixed(1)} s`)
      .join(", ")}; assignment rows ${(r.timingsMs["assignment to the committee (per-member rows)"] / 1000).toFixed(1)} s; rebuild ${(r.rebuild.ms / 1000).toFixed(1)} s\n`,
  );
  console.log(
    table([
      ["dashboard", "runs", "p50 ms", "p95 ms", "max ms", "naive runs", "naive p50 ms", "naive p95 ms", "× faster (p50)", "× faster (p95)"],
      ["committee (all 1,011 units)", r.committee.aggregates.runs, r.committee.aggregates.p50, r.committee.aggregates.p95, r.committee.aggregates.max, r.committee.naive.runs, r.committee.naive.p50, r.committee.naive.p95, ratio50(r.committee.naive, r.committee.aggregates), committeeRatio],
      ["branch (100 members)", r.branch.aggregates.runs, r.branch.aggregates.p50, r.branch.aggregates.p95, r.branch.aggregates.max, r.branch.naive.runs, r.branch.naive.p50, r.branch.naive.p95, ratio50(r.branch.naive, r.branch.aggregates), branchRatio],
    ]),
  );
  const rep = r.reports;
  console.log(
    "\n" +
      table([
        ["progress report", "listeners off p50", "off p95", "on p50", "on p95", "on/off (mean)"],
        ["first report on a lesson (lessonStarted)", rep.firstReport.listenersOff.p50, rep.firstReport.listenersOff.p95, rep.firstReport.listenersOn.p50, rep.firstReport.listenersOn.p95, round(rep.firstReport.listenersOn.mean / rep.firstReport.listenersOff.mean, 2)],
        ["lesson completed (lessonCompleted, courseCompleted)", rep.completion.listenersOff.p50, rep.completion.listenersOff.p95, rep.completion.listenersOn.p50, rep.completion.listenersOn.p95, round(rep.completion.listenersOn.mean / rep.completion.listenersOff.mean, 2)],
      ]),
  );
  console.log("(a progress report that neither starts nor completes a lesson emits no event: the aggregates cost it nothing)");
  const committeeMet = r.committee.aggregates.p95 <= GOALS.p95Ms && committeeRatio >= GOALS.ratio;
  const branchMet = r.branch.aggregates.p95 <= GOALS.p95Ms && branchRatio >= GOALS.ratio;
  console.log(
    `\ncommittee dashboard: p95 ${r.committee.aggregates.p95} ms (goal ≤ ${GOALS.p95Ms}), ${committeeRatio}× the naive GROUP BY (goal ≥ ${GOALS.ratio}×): ${committeeMet ? "met" : "MISSED"}`,
  );
  console.log(
    `branch dashboard: p95 ${r.branch.aggregates.p95} ms (goal ≤ ${GOALS.p95Ms}), ${branchRatio}× the naive GROUP BY (goal ≥ ${GOALS.ratio}×): ${branchMet ? "met" : "MISSED"}` +
      (branchMet ? "" : " — a branch's naive query reads only its 100 members' rows through indexes"),
  );
  console.log(`figures: dashboard vs naive count ${r.totalsAgree ? "agree" : "DISAGREE"}; incremental vs rebuild after the reports ${r.incrementalAgrees ? "agree" : "DISAGREE"}`);

  const failures = [];
  if (!r.totalsAgree) failures.push("the dashboard's committee totals disagree with the naive count");
  if (!r.incrementalAgrees) failures.push("the incremental figures disagree with a rebuild from scratch after the progress reports");
  const result = {
    bench: "dashboard",
    ok: failures.length === 0,
    db: r.db,
    node: process.version,
    cpus: os.cpus().length,
    loadavg1: round(os.loadavg()[0]),
    seconds: round(seconds, 1),
    members: r.members,
    branches: r.branches,
    units: r.units,
    progressRows: r.progressRows,
    unitStatRows: r.unitStatRows,
    generationMs: r.timingsMs,
    rebuildMs: r.rebuild.ms,
    committee: { ...r.committee, ratioP50: ratio50(r.committee.naive, r.committee.aggregates), ratioP95: committeeRatio, goalMet: committeeMet },
    branch: { ...r.branch, ratioP50: ratio50(r.branch.naive, r.branch.aggregates), ratioP95: branchRatio, goalMet: branchMet },
    progressReports: rep,
    totalsAgree: r.totalsAgree,
    incrementalAgrees: r.incrementalAgrees,
    goals: GOALS,
    met: { committee: committeeMet, branch: branchMet },
    failures,
  };
  return report(result);
}

await runIfMain(import.meta.url, main);
