// A job queue in the database (table `jobs`): it survives restarts, retries with back-off, and
// several app instances on one PostgreSQL never run the same job twice.
//
// Life of a job: queued → (claimed) running → done | queued again (retry, later run_at) | failed.
// A claim takes one due job with `FOR UPDATE SKIP LOCKED` and gives it a lease (`locked_until`);
// the worker renews the lease while the handler runs. A job whose worker died (lease expired) is
// due again, so a restart resumes it. `attempts` is raised on every claim and doubles as a fencing
// token: a worker that lost its lease can no longer renew, complete or fail the job.
import { sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { jobs } from "~/db/schema";

export type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];
type Executor = typeof db | Tx;
export type Job = typeof jobs.$inferSelect;
export type JobContext = {
  jobId: number;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the lease is lost (another worker took the job) or the worker stops. */
  signal: AbortSignal;
};
export type JobHandler<P = unknown> = (payload: P, ctx: JobContext) => Promise<void>;
export type JobHandlerOptions<P = unknown> = {
  /** Seconds to wait before the next attempt after attempt `attempt` failed. */
  backoffSeconds?: (attempt: number) => number;
  /**
   * Runs in the same transaction that marks the job failed for good (after its last attempt, or
   * at once for a PermanentJobError), so the domain row and the job never disagree.
   */
  onFailed?: (args: { tx: Tx; payload: P; error: string; job: Job }) => Promise<void>;
};

/** Thrown by a handler for a failure that another attempt cannot fix (e.g. an unreadable file). */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

type Registered = { handler: JobHandler; options: JobHandlerOptions };
type QueueState = {
  handlers: Map<string, Registered>;
  worker?: { stop: () => Promise<void>; wake: () => void };
};
// On globalThis: the dev server re-evaluates modules on change, the worker loop stays.
const globalForJobs = globalThis as unknown as { __jobQueue?: QueueState };
const state: QueueState = (globalForJobs.__jobQueue ??= { handlers: new Map() });

export const DEFAULT_MAX_ATTEMPTS = 3;
const MAX_ERROR_CHARS = 4000;

/** 30 s, 2 min, 8 min, … capped at one hour. */
export function defaultBackoffSeconds(attempt: number) {
  return Math.min(3600, 30 * 4 ** Math.max(0, attempt - 1));
}

function leaseSeconds() {
  const value = Number(process.env.JOBS_LEASE_SECONDS ?? 60);
  return Number.isFinite(value) && value > 0 ? value : 60;
}

export function registerJobHandler<P>(kind: string, handler: JobHandler<P>, options: JobHandlerOptions<P> = {}) {
  if (kind.length > 40) throw new Error(`job kind too long: ${kind}`);
  state.handlers.set(kind, { handler: handler as JobHandler, options: options as JobHandlerOptions });
}

/** Kinds this process can run. */
export function registeredJobKinds() {
  return [...state.handlers.keys()];
}

/**
 * Adds a job. Pass `tx` to enqueue in the same transaction as the rows it works on, so that
 * either both exist or neither does. `runAt` delays it.
 */
export async function enqueueJob(
  kind: string,
  payload: unknown,
  { runAt, maxAttempts = DEFAULT_MAX_ATTEMPTS, tx }: { runAt?: Date; maxAttempts?: number; tx?: Tx } = {},
): Promise<Job> {
  const executor: Executor = tx ?? db;
  const [job] = await executor
    .insert(jobs)
    .values({ kind, payload: payload ?? {}, maxAttempts: Math.max(1, Math.floor(maxAttempts)), ...(runAt ? { runAt } : {}) })
    .returning();
  state.worker?.wake();
  return job;
}

type JobRow = {
  id: number;
  kind: string;
  payload: unknown;
  status: Job["status"];
  attempts: number;
  max_attempts: number;
  run_at: Date | string;
  locked_until: Date | string | null;
  last_error: string | null;
  created_at: Date | string;
  finished_at: Date | string | null;
};

const toDate = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v : new Date(v));
function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: toDate(r.run_at)!,
    lockedUntil: toDate(r.locked_until),
    lastError: r.last_error,
    createdAt: toDate(r.created_at)!,
    finishedAt: toDate(r.finished_at),
  };
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/**
 * Takes one due job of the given kinds atomically: queued and due, or running with an expired
 * lease (its worker died). Concurrent claims, in this process or another instance, get different
 * jobs or none.
 */
export async function claimJob(kinds = registeredJobKinds(), { lease = leaseSeconds() } = {}): Promise<Job | null> {
  if (kinds.length === 0) return null;
  const result = await db.execute(sql`
    update jobs set
      status = 'running',
      attempts = attempts + 1,
      locked_until = now() + make_interval(secs => ${lease}::double precision)
    where id = (
      select id from jobs
      where kind = any(${sql.param(kinds)}::text[])
        and ((status = 'queued' and run_at <= now()) or (status = 'running' and locked_until < now()))
      order by run_at, id
      limit 1
      for update skip locked
    )
    returning *`);
  const [row] = rowsOf<JobRow>(result);
  return row ? toJob(row) : null;
}

/** Extends the lease of a job this worker holds; false when it was lost. */
async function renewLease(job: Job, lease: number) {
  const result = await db.execute(sql`
    update jobs set locked_until = now() + make_interval(secs => ${lease}::double precision)
    where id = ${job.id} and status = 'running' and attempts = ${job.attempts}
    returning id`);
  return rowsOf(result).length > 0;
}

function errorText(error: unknown) {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_CHARS ? `…${text.slice(-MAX_ERROR_CHARS)}` : text;
}

async function markDone(job: Job) {
  const result = await db.execute(sql`
    update jobs set status = 'done', finished_at = now(), locked_until = null
    where id = ${job.id} and status = 'running' and attempts = ${job.attempts}
    returning id`);
  return rowsOf(result).length > 0;
}

async function markFailedForGood(job: Job, message: string, registered: Registered | undefined) {
  return db.transaction(async (tx) => {
    const result = await tx.execute(sql`
      update jobs set status = 'failed', finished_at = now(), locked_until = null, last_error = ${message}
      where id = ${job.id} and status = 'running' and attempts = ${job.attempts}
      returning id`);
    if (rowsOf(result).length === 0) return false;
    await registered?.options.onFailed?.({ tx, payload: job.payload, error: message, job: { ...job, status: "failed", lastError: message } });
    return true;
  });
}

async function markRetry(job: Job, message: string, delaySeconds: number) {
  const result = await db.execute(sql`
    update jobs set status = 'queued', locked_until = null, last_error = ${message},
      run_at = now() + make_interval(secs => ${Math.max(0, delaySeconds)}::double precision)
    where id = ${job.id} and status = 'running' and attempts = ${job.attempts}
    returning id`);
  return rowsOf(result).length > 0;
}

async function release(job: Job) {
  await db.execute(sql`
    update jobs set status = 'queued', locked_until = null, attempts = attempts - 1, run_at = now()
    where id = ${job.id} and status = 'running' and attempts = ${job.attempts}`);
}

export type RunOutcome = {
  job: Job;
  /**
   * done; retry (queued again for later); failed (for good); lost (the lease went to another
   * worker); released (the worker was stopped: queued again, the attempt not counted).
   */
  outcome: "done" | "retry" | "failed" | "lost" | "released";
  error?: string;
};

class WorkerStopping extends Error {}
const active = new Set<AbortController>();

/**
 * Claims and runs one due job. Returns null when no job was due. Safe to call concurrently:
 * each call gets a different job.
 */
export async function runJobsOnce({ kinds, lease = leaseSeconds() }: { kinds?: string[]; lease?: number } = {}): Promise<RunOutcome | null> {
  const job = await claimJob(kinds ?? registeredJobKinds(), { lease });
  if (!job) return null;
  const registered = state.handlers.get(job.kind);

  // Its worker died during the last allowed attempt: do not start it again.
  if (job.attempts > job.maxAttempts) {
    const message = job.lastError
      ? `${job.lastError}\n(worker stopped during the last attempt)`
      : `worker stopped during the last attempt (${job.maxAttempts} attempts)`;
    const ok = await markFailedForGood(job, message, registered);
    return { job, outcome: ok ? "failed" : "lost", error: message };
  }
  if (!registered) {
    const message = `no handler for job kind ${job.kind}`;
    await markFailedForGood(job, message, undefined);
    return { job, outcome: "failed", error: message };
  }

  const controller = new AbortController();
  active.add(controller);
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const renewEvery = Math.max(200, (lease * 1000) / 3);
  const timer = setInterval(() => {
    renewing = renewLease(job, lease).then(
      (ok) => {
        if (!ok && !lost) {
          lost = true;
          controller.abort(new Error(`job ${job.id}: lease lost to another worker`));
        }
      },
      (error) => console.error(`job ${job.id}: lease renewal failed:`, error),
    );
  }, renewEvery);
  timer.unref?.();

  let failure: unknown = null;
  try {
    await registered.handler(job.payload, { jobId: job.id, attempt: job.attempts, maxAttempts: job.maxAttempts, signal: controller.signal });
  } catch (error) {
    failure = error ?? new Error("job failed");
  } finally {
    clearInterval(timer);
    await renewing;
    active.delete(controller);
  }

  if (lost) return { job, outcome: "lost", error: failure ? errorText(failure) : undefined };
  if (failure !== null && controller.signal.reason instanceof WorkerStopping) {
    await release(job);
    return { job, outcome: "released" };
  }
  if (failure === null) {
    return { job, outcome: (await markDone(job)) ? "done" : "lost" };
  }
  const message = errorText(failure);
  if (failure instanceof PermanentJobError || job.attempts >= job.maxAttempts) {
    const ok = await markFailedForGood(job, message, registered);
    return { job, outcome: ok ? "failed" : "lost", error: message };
  }
  const backoff = registered.options.backoffSeconds ?? defaultBackoffSeconds;
  const ok = await markRetry(job, message, backoff(job.attempts));
  return { job, outcome: ok ? "retry" : "lost", error: message };
}

/** Deletes done jobs finished more than `days` ago (failed ones stay, for their errors). */
export async function pruneFinishedJobs(days = 30) {
  const result = await db.execute(sql`
    delete from jobs where status = 'done' and finished_at < now() - make_interval(days => ${Math.max(0, Math.floor(days))}::int)
    returning id`);
  return rowsOf(result).length;
}

/**
 * Runs due jobs one after another until none is due (jobs delayed by back-off are not waited
 * for). For tests, scripts and benchmarks. Returns what ran.
 */
export async function drainJobs({ kinds, maxJobs = 1000, lease }: { kinds?: string[]; maxJobs?: number; lease?: number } = {}) {
  const outcomes: RunOutcome[] = [];
  while (outcomes.length < maxJobs) {
    const outcome = await runJobsOnce({ kinds, lease });
    if (!outcome) break;
    outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * Starts this process's background worker: one job at a time (ffmpeg uses the cores), polling
 * every `pollMs` (~1 s) and at once after a local enqueue. Safe to call more than once; returns
 * the stop function. Disabled when JOBS_WORKER=false, and under vitest unless JOBS_WORKER=true.
 * Its timers do not keep the process alive; a running job's child process does.
 */
export function startJobWorker({ pollMs = 1000 }: { pollMs?: number } = {}): () => Promise<void> {
  const setting = process.env.JOBS_WORKER;
  if (setting === "false" || (process.env.VITEST && setting !== "true")) return async () => {};
  if (state.worker) return state.worker.stop;

  let stopped = false;
  let wakeUp: (() => void) | null = null;
  let idleFailures = 0;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const loop = (async () => {
    try {
      // Registers the handlers (imported lazily: they import this module) and tidies up.
      const { prepareWorker } = await import("./handlers.server");
      await prepareWorker();
      await pruneFinishedJobs();
    } catch (error) {
      console.error("job worker: preparing failed:", error);
    }
    while (!stopped) {
      try {
        const outcome = await runJobsOnce();
        idleFailures = 0;
        if (outcome) {
          if (outcome.outcome !== "done") console.error(`job ${outcome.job.id} (${outcome.job.kind}) ${outcome.outcome}: ${outcome.error ?? ""}`);
          continue;
        }
        await sleep(pollMs);
      } catch (error) {
        // The database is unreachable or restarting: wait longer each time, up to 30 s.
        idleFailures += 1;
        console.error("job worker:", error instanceof Error ? error.message : error);
        await sleep(Math.min(30_000, pollMs * 2 ** idleFailures));
      }
    }
  })();

  const worker = {
    wake: () => wakeUp?.(),
    stop: async () => {
      stopped = true;
      wakeUp?.();
      for (const controller of active) controller.abort(new WorkerStopping("worker stopping"));
      await loop;
      if (state.worker === worker) state.worker = undefined;
    },
  };
  state.worker = worker;
  return worker.stop;
}
