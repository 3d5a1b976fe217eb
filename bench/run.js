// Runs every benchmark in bench/ (each `bench/*.js` except this file), one after another, each in
// its own process so that one benchmark's servers and heap never colour the next one's figures.
// Options are passed to every benchmark (see bench/lib/harness.js: --pg, --duration=S, --gzip, …);
// `--only=name[,name]` picks benchmarks by file name without .js.
//
//   npm run bench                    # all, on PGlite
//   DATABASE_URL=postgres://… npm run bench -- --pg
//
// Exits non-zero if any benchmark failed. Each benchmark prints its own `BENCH_RESULT {...}` line.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const onlyArg = args.find((a) => a.startsWith("--only="));
const only = onlyArg ? new Set(onlyArg.slice("--only=".length).split(",")) : null;
const passed = args.filter((a) => a !== onlyArg);

const benches = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".js") && f !== "run.js")
  .map((f) => f.slice(0, -3))
  .filter((name) => !only || only.has(name))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmarks to run${only ? ` (--only=${[...only].join(",")})` : ""}`);
  process.exit(2);
}

let current = null;
for (const signal of ["SIGINT", "SIGTERM"]) {
  // The benchmark cleans up after itself on the same signal; wait for it.
  process.on(signal, () => current?.kill(signal));
}

const outcomes = [];
for (const name of benches) {
  console.error(`\n=== bench/${name}.js ${passed.join(" ")}`);
  const started = performance.now();
  const code = await new Promise((resolve) => {
    current = spawn(process.execPath, [path.join(here, `${name}.js`), ...passed], { stdio: "inherit" });
    current.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
    current.on("error", () => resolve(1));
  });
  current = null;
  outcomes.push({ name, code, seconds: (performance.now() - started) / 1000 });
}

console.error("");
for (const o of outcomes) console.error(`${o.code === 0 ? "ok  " : "FAIL"} ${o.name} (${o.seconds.toFixed(1)} s)`);
process.exit(outcomes.every((o) => o.code === 0) ? 0 : 1);
