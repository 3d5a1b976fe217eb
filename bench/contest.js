// Benchmark: one knowledge contest with 2,000 members × 20 questions against the built app over
// HTTP (DESIGN.md: ≥ 1,000 answers/s, p99 ≤ 50 ms, 0 acknowledged answers lost, also across
// kill -9). Prints:
//   - fair start: every member presses start at once (one request that enters them and serves
//     their first question), all must be admitted;
//   - answers/s sustained (between 10 % and 90 % of the answers), p50/p99 answer latency;
//   - answers lost: every acknowledged answer must be a row in contest_answers afterwards;
//   - leaderboard delay: an SSE client on /contests/:id/live, from each answer's acknowledgement
//     to the first board pushed after it;
//   - kill -9: a second contest is played, the server is killed with SIGKILL mid-run, restarted on
//     the same data, and the acknowledged answers missing are counted.
// Members are given sessions directly (contest-entry.ts setup): 2,000 argon2 logins would
// measure password hashing, not the contest. Each member thinks 1.0–2.6 s before each answer: an
// open load of about 1,110 answers/s offered by 2,000 members, a tenth above the 1,000/s the
// latency target is set at (--think=MIN-MAX changes it; 800-2400 offers 1,250/s, near what one
// PGlite process can take, where queues and the p99 grow).
// An answer refused as late (queued past its question's time) is followed by a timeout, as the
// page does, and counted apart.
//
//   node bench/contest.js [--pg] [--members=2000] [--questions=20] [--kill-members=500] [--think=1000-2600] [--build] [--cpu-prof]
//   (--pg: a throwaway database on the server at $DATABASE_URL)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createThrowawayDatabase } from "./lib/throwaway-db.js";
import { ensureBuild, loadGeneratorCpu, log, makeTempDir, onCleanup, parseArgs, report, round, ROOT, runIfMain, startApp, table } from "./lib/harness.js";

const TARGET_RATE = 1_000;
const TARGET_P99_MS = 50;

function ownArgs(argv) {
  const own = { members: 2_000, questions: 20, killMembers: 500, think: [1_000, 2_600] };
  const rest = [];
  for (const arg of argv) {
    const [key, value] = arg.split("=", 2);
    if (key === "--members") own.members = Math.max(10, Math.min(20_000, Number(value)));
    else if (key === "--questions") own.questions = Math.max(2, Math.min(50, Number(value)));
    else if (key === "--kill-members") own.killMembers = Math.max(10, Math.min(20_000, Number(value)));
    else if (key === "--think") {
      const [min, max] = value.split("-").map(Number);
      if (!(min >= 0 && max >= min)) throw new Error(`--think needs MIN-MAX milliseconds, got ${value}`);
      own.think = [min, max];
    }
    else rest.push(arg);
  }
  return { own, rest };
}

function entry(args, env) {
  const run = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "bench/lib/contest-entry.ts", ...args], {
    cwd: ROOT,
    env: { ...env, LOG_REQUESTS: "false" },
    encoding: "utf8",
    timeout: 600_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`contest-entry ${args[0]} failed:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** The share of one core process `pid` used from now until the returned function is called. */
function processCpu(pid) {
  const ticks = () => {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
  };
  const start = ticks();
  const t0 = performance.now();
  return () => round(((ticks() - start) * 10) / (performance.now() - t0), 2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN);

/**
 * A minimal HTTP/1.1 client on keep-alive sockets: { status, text, ms }, or { error }. Each member
 * (each cookie) has their own connection, as each member has their own browser, and sends one
 * request at a time. Raw sockets, not node:http: 2,000 members' requests cost this process (on
 * the same 2 cores as the server) a fraction of the CPU, and its own pauses, which are part of
 * every latency measured, stay short. Only what the answer endpoint sends is understood: replies
 * with a Content-Length.
 */
function client(base) {
  const url = new URL(base);
  const connections = new Map();
  // An idle connection is replaced before the server's 5 s keep-alive timeout would close it under a request.
  const IDLE_MS = 4_000;

  function connectionOf(cookie) {
    const known = connections.get(cookie);
    if (known && !known.closed && performance.now() - known.idleSince < IDLE_MS) return known;
    known?.socket.destroy();
    const conn = { socket: net.connect({ host: url.hostname, port: Number(url.port) }), buffer: Buffer.alloc(0), pending: null, closed: false, idleSince: performance.now() };
    conn.socket.setNoDelay(true);
    const fail = (error) => {
      conn.closed = true;
      const pending = conn.pending;
      conn.pending = null;
      pending?.({ error });
    };
    conn.socket.on("error", fail);
    conn.socket.on("close", () => fail(Object.assign(new Error("socket closed"), { code: "ECONNRESET" })));
    conn.socket.on("data", (chunk) => {
      conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
      const headEnd = conn.buffer.indexOf("\r\n\r\n");
      if (headEnd < 0 || !conn.pending) return;
      const head = conn.buffer.subarray(0, headEnd).toString("latin1");
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      if (!Number.isFinite(length)) {
        conn.socket.destroy();
        return fail(new Error(`a reply without Content-Length: ${head.split("\r\n")[0]}`));
      }
      if (conn.buffer.length < headEnd + 4 + length) return;
      const text = conn.buffer.subarray(headEnd + 4, headEnd + 4 + length).toString("utf8");
      conn.buffer = conn.buffer.subarray(headEnd + 4 + length);
      const pending = conn.pending;
      conn.pending = null;
      conn.idleSince = performance.now();
      if (/\r\nconnection: *close/i.test(head)) {
        conn.closed = true;
        conn.socket.end();
      }
      pending({ status: Number(head.slice(9, 12)), text });
    });
    connections.set(cookie, conn);
    return conn;
  }

  return {
    destroy: () => {
      for (const conn of connections.values()) conn.socket.destroy();
    },
    request(method, pathname, { cookie, body = "", type = "application/json" } = {}) {
      const conn = connectionOf(cookie);
      if (conn.pending) throw new Error("one request at a time per member");
      const started = performance.now();
      const length = Buffer.byteLength(body);
      const head = `${method} ${pathname} HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${cookie}\r\nOrigin: ${base}\r\n${length ? `Content-Type: ${type}\r\n` : ""}Content-Length: ${length}\r\n\r\n`;
      return new Promise((resolve) => {
        conn.pending = (reply) => resolve(reply.error ? reply : { ...reply, ms: performance.now() - started });
        conn.socket.write(head + body);
      });
    },
  };
}

/** Listens to the contest's board; returns the receive times with each board's server time. */
function watchBoard(base, contestId, cookie) {
  const events = [];
  const url = new URL(`${base}/contests/${contestId}/live`);
  const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, headers: { cookie } }, (res) => {
    let buffer = "";
    res.setEncoding("utf8");
    res.on("data", (chunk) => {
      buffer += chunk;
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (block.startsWith("event: board") && data) events.push({ received: Date.now(), board: JSON.parse(data.slice(6)) });
      }
    });
  });
  req.on("error", () => {});
  return { events, stop: () => req.destroy() };
}

/**
 * Plays one contest: everyone presses start at once, then each member takes their questions with
 * think time. `until` (optional) stops sending when it returns true (the kill -9 run).
 */
async function play(api, contest, members, { think, until = () => false, onAck = () => {} }) {
  const enter = [];
  const acked = new Map();
  const latencies = [];
  const timeline = [];
  const ackTimes = [];
  const refusals = {};
  let failed = 0;
  let timedOut = 0;
  let resent = 0;
  await Promise.all(
    members.map(async (m) => {
      // Start, as the page sends it: one request that enters the member and serves their first
      // question. Everyone presses it at once; each goes on to answer as soon as theirs is served,
      // while the others' starts are still arriving.
      const started = await api.request("POST", `/contests/${contest.id}/answer`, { cookie: m.cookie, body: JSON.stringify({ intent: "start" }) });
      enter.push(started);
      if (started.status !== 200 || JSON.parse(started.text).question?.index !== 0) {
        failed += 1;
        return;
      }
      const responses = contest.responses[m.index];
      for (let i = 0; i < responses.length; i++) {
        await sleep(think[0] + Math.random() * (think[1] - think[0]));
        if (until()) return;
        const send = () => api.request("POST", `/contests/${contest.id}/answer`, { cookie: m.cookie, body: JSON.stringify({ intent: "answer", index: i, response: responses[i] }) });
        let r = await send();
        // A kept-alive socket closed as it was reused: send again, as a browser would; a second
        // copy of an answer that did arrive is refused (alreadyAnswered) and counted apart.
        for (let retry = 0; retry < 3 && r.error && ["ECONNRESET", "EPIPE"].includes(r.error.code) && !until(); retry++) r = await send();
        if (!r.error && r.status === 409 && JSON.parse(r.text).error === "alreadyAnswered") {
          resent += 1;
          continue;
        }
        if (r.error) {
          failed += 1;
          refusals[r.error.code ?? "error"] = (refusals[r.error.code ?? "error"] ?? 0) + 1;
          return;
        }
        const body = JSON.parse(r.text);
        if (r.status === 200 && body.ok) {
          acked.set(m.userId, (acked.get(m.userId) ?? 0) + 1);
          latencies.push(r.ms);
          timeline.push([Date.now(), r.ms]);
          ackTimes.push(Date.now());
          onAck();
        } else {
          refusals[body.error ?? r.status] = (refusals[body.error ?? r.status] ?? 0) + 1;
          if (body.error !== "late") return;
          // As the page does: the time was up, so ask for the next question and go on.
          let moved;
          do {
            moved = await api.request("POST", `/contests/${contest.id}/answer`, { cookie: m.cookie, body: JSON.stringify({ intent: "timeout", index: i }) });
            if (moved.error) return;
            if (moved.status !== 200) await sleep(300);
          } while (moved.status !== 200 && JSON.parse(moved.text).error === "early");
          if (moved.status !== 200) return;
          timedOut += 1;
        }
      }
    }),
  );
  const entered = enter.filter((r) => r.status === 200).length;
  const enterOutcomes = {};
  for (const r of enter) {
    const key = r.error ? (r.error.code ?? "error") : String(r.status);
    enterOutcomes[key] = (enterOutcomes[key] ?? 0) + 1;
  }
  const enterMs = enter.filter((r) => r.ms !== undefined).map((r) => r.ms).sort((a, b) => a - b);
  return { entered, enterOutcomes, enterMs, acked, latencies: latencies.sort((a, b) => a - b), timeline, ackTimes: ackTimes.sort((a, b) => a - b), refusals, failed, timedOut, resent };
}

/** Acknowledged answers that are not rows in the database. */
function missing(acked, rows) {
  let lost = 0;
  for (const [userId, n] of acked) lost += Math.max(0, n - (rows[userId] ?? 0));
  return lost;
}

export async function main(argv) {
  const { own, rest } = ownArgs(argv);
  const opts = parseArgs(rest);
  if (opts.pg && !process.env.DATABASE_URL) throw new Error("--pg needs DATABASE_URL in the environment");
  const db = opts.pg ? "postgresql" : "pglite";
  ensureBuild(opts.build);

  // The data: a PGlite directory of our own, or a throwaway PostgreSQL database.
  const env = { ...process.env, SEED_DEMO: "false" };
  let dataDir = null;
  if (opts.pg) {
    const database = await createThrowawayDatabase(process.env.DATABASE_URL, "bench_contest");
    process.env.DATABASE_URL = env.DATABASE_URL = database.url;
    onCleanup(database.drop);
  } else {
    delete env.DATABASE_URL;
    dataDir = makeTempDir("party-bench-contest-");
    env.DATA_DIR = dataDir;
  }
  const outFile = path.join(makeTempDir("party-bench-contest-out-"), "setup.json");
  log(`setting up ${own.members} members and two contests of ${own.questions} questions (${db})…`);
  entry(["setup", outFile, `--members=${Math.max(own.members, own.killMembers)}`, `--questions=${own.questions}`], env);
  const setup = JSON.parse(fs.readFileSync(outFile, "utf8"));
  const members = setup.members.map((m, index) => ({ ...m, index }));

  process.env.SEED_DEMO = "false";
  // --cpu-prof: the main run's server is profiled, then stopped cleanly (the profile is written on
  // exit) and a new one serves the kill -9 run.
  const cpuProfDir = opts.cpuProf ? fs.mkdtempSync(path.join(os.tmpdir(), "party-bench-prof-")) : null;
  let { app, base } = await startApp({ pg: opts.pg, dataDir: dataDir ?? undefined, cpuProfDir });
  let http1 = client(base);

  // ---- The main run, with a leaderboard watcher.
  const watcher = watchBoard(base, setup.main.id, members[0].cookie);
  await sleep(300);
  log(`main run: ${own.members} members × ${own.questions} questions`);
  const started = Date.now();
  const generatorCpu = loadGeneratorCpu();
  const serverCpu = processCpu(app.child.pid);
  const generatorLag = monitorEventLoopDelay({ resolution: 5 });
  generatorLag.enable();
  const mainRun = await play(http1, setup.main, members.slice(0, own.members), { think: own.think });
  generatorLag.disable();
  const cpu = { generator: generatorCpu(), server: serverCpu(), generatorLagP99: round(generatorLag.percentile(99) / 1e6, 1) };
  const wallS = (Date.now() - started) / 1000;
  await sleep(1_500);
  watcher.stop();
  if (!app.running) throw new Error(`the app server died during the run:\n${app.output()}`);

  const answers = mainRun.latencies.length;
  const t10 = mainRun.ackTimes[Math.floor(answers * 0.1)];
  const t90 = mainRun.ackTimes[Math.floor(answers * 0.9)];
  const sustained = (answers * 0.8) / ((t90 - t10) / 1000);
  const delays = [];
  const boards = watcher.events;
  let b = 0;
  for (const ack of mainRun.ackTimes) {
    while (b < boards.length && (boards[b].received < ack || boards[b].board.at < ack)) b++;
    if (b < boards.length) delays.push(boards[b].received - ack);
  }
  delays.sort((x, y) => x - y);

  if (cpuProfDir) {
    http1.destroy();
    await app.stop();
    log(`app server CPU profile of the main run: ${fs.readdirSync(cpuProfDir).map((f) => path.join(cpuProfDir, f))[0] ?? "(none written)"}`);
    ({ app, base } = await startApp({ pg: opts.pg, dataDir: dataDir ?? undefined }));
    http1 = client(base);
  }

  // ---- kill -9 in the middle of a second contest, restart on the same data.
  log(`kill -9 run: ${own.killMembers} members; the server is killed once about ${own.killMembers * 2} answers are acknowledged`);
  const killMembers = members.slice(0, own.killMembers);
  let killed = false;
  let ackedSoFar = 0;
  let reached;
  const enough = new Promise((resolve) => (reached = resolve));
  const killStarted = Date.now();
  const killRunPromise = play(http1, setup.kill, killMembers, { think: own.think, until: () => killed, onAck: () => ++ackedSoFar >= own.killMembers * 2 && reached() });
  await Promise.race([enough, sleep(60_000)]);
  killed = true;
  app.child.kill("SIGKILL");
  await app.exited;
  const killRun = await killRunPromise;
  http1.destroy();
  log(`killed after ${((Date.now() - killStarted) / 1000).toFixed(1)} s with ${[...killRun.acked.values()].reduce((a, n) => a + n, 0)} answers acknowledged; restarting`);
  const restarted = Date.now();
  ({ app, base } = await startApp({ pg: opts.pg, dataDir: dataDir ?? undefined }));
  const restartMs = Date.now() - restarted;
  await app.stop();

  const check = JSON.parse(
    entry(["check", String(setup.main.id), String(setup.kill.id)], env)
      .split("\n")
      .find((l) => l.startsWith("CONTEST_CHECK "))
      .slice("CONTEST_CHECK ".length),
  );
  const lost = missing(mainRun.acked, check[setup.main.id]);
  const killAcked = [...killRun.acked.values()].reduce((a, n) => a + n, 0);
  const killLost = missing(killRun.acked, check[setup.kill.id]);

  const figures = {
    members: own.members,
    questions: own.questions,
    entered: mainRun.entered,
    enterOutcomes: mainRun.enterOutcomes,
    enterP50: round(percentile(mainRun.enterMs, 0.5)),
    enterP99: round(percentile(mainRun.enterMs, 0.99)),
    answers,
    lateThenTimedOut: mainRun.timedOut,
    resentAfterReset: mainRun.resent,
    offeredPerSec: round(own.members / ((own.think[0] + own.think[1]) / 2000), 0),
    wallSeconds: round(wallS, 1),
    answersPerSecSustained: round(sustained, 0),
    p50: round(percentile(mainRun.latencies, 0.5)),
    p99: round(percentile(mainRun.latencies, 0.99)),
    max: round(mainRun.latencies.at(-1) ?? NaN),
    refusals: mainRun.refusals,
    failedRequests: mainRun.failed,
    lost,
    boardEvents: boards.length,
    boardDelayP50: percentile(delays, 0.5),
    boardDelayP99: percentile(delays, 0.99),
    boardDelayMax: delays.at(-1) ?? NaN,
    kill: { members: own.killMembers, acked: killAcked, lost: killLost, restartMs },
    cpu,
  };
  const failures = [];
  if (mainRun.entered !== own.members) failures.push(`${own.members - mainRun.entered} members were not admitted at the start`);
  if (answers + mainRun.timedOut + mainRun.resent !== own.members * own.questions) {
    failures.push(`${own.members * own.questions - answers - mainRun.timedOut - mainRun.resent} answers neither acknowledged nor timed out (${JSON.stringify(mainRun.refusals)}, ${mainRun.failed} failed requests)`);
  }
  if (lost > 0) failures.push(`${lost} acknowledged answers lost`);
  if (killLost > 0) failures.push(`${killLost} acknowledged answers lost across kill -9`);
  if (!(figures.boardDelayMax <= 2_000)) failures.push(`leaderboard updates took up to ${figures.boardDelayMax} ms (target 2,000)`);

  console.log("");
  console.log(`contest benchmark · ${db} · ${own.members} members × ${own.questions} questions · node ${process.version} · ${os.cpus().length} CPUs`);
  console.log(
    table([
      ["what", "figure"],
      ["members admitted at once (start: entry and first question)", `${mainRun.entered}/${own.members}, p50 ${figures.enterP50} ms, p99 ${figures.enterP99} ms`],
      ["answers offered (members ÷ mean think time)", `${figures.offeredPerSec}/s (think ${own.think[0]}–${own.think[1]} ms)`],
      ["answers acknowledged", `${answers} in ${figures.wallSeconds} s (${mainRun.timedOut} arrived late: refused, then timed out; ${mainRun.resent} resent after a reset and already stored)`],
      ["answers/s sustained (10–90 %)", `${figures.answersPerSecSustained} (target ≥ ${TARGET_RATE}: ${sustained >= TARGET_RATE ? "met" : "MISSED"})`],
      ["answer latency p50 / p99 / max", `${figures.p50} / ${figures.p99} / ${figures.max} ms (p99 target ≤ ${TARGET_P99_MS}: ${figures.p99 <= TARGET_P99_MS ? "met" : "MISSED"})`],
      ["acknowledged answers lost", String(lost)],
      ["leaderboard delay p50 / p99 / max", `${figures.boardDelayP50} / ${figures.boardDelayP99} / ${figures.boardDelayMax} ms (${boards.length} boards pushed)`],
      [
        "CPU during the main run (2 cores shared)",
        `app server ${Math.round(cpu.server * 100)} % of a core; load generator ${Math.round(cpu.generator * 100)} %, its event-loop delay p99 ${cpu.generatorLagP99} ms (part of every latency above)`,
      ],
      ["kill -9: acknowledged before the kill", String(killAcked)],
      ["kill -9: acknowledged answers missing", String(killLost)],
      ["kill -9: restart until ready", `${restartMs} ms`],
    ]),
  );
  // Where the slow answers were: per 10 s of the main run, by acknowledgement time.
  const start = mainRun.timeline.reduce((min, [at]) => Math.min(min, at), Infinity);
  const windows = [];
  for (const [at, ms] of mainRun.timeline) (windows[Math.floor((at - start) / 10_000)] ??= []).push(ms);
  console.log("answer latency by 10 s of the main run (acknowledged then): answers, p50 ms, p99 ms");
  console.log(
    windows
      .map((list, i) => {
        list.sort((a, b) => a - b);
        return `  ${String(i * 10).padStart(3)}–${i * 10 + 10} s  ${String(list.length).padStart(6)}  ${round(percentile(list, 0.5))}  ${round(percentile(list, 0.99))}`;
      })
      .join("\n"),
  );
  return report({ bench: "contest", ok: failures.length === 0, db, ...figures, failures });
}

await runIfMain(import.meta.url, main);
