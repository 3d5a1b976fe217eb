// The database job queue: claims, retries, leases, restarts, and no job run twice.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { jobs } from "~/db/schema";
import {
  defaultBackoffSeconds,
  drainJobs,
  enqueueJob,
  PermanentJobError,
  pruneFinishedJobs,
  registerJobHandler,
  runJobsOnce,
  startJobWorker,
  type Job,
} from "~/jobs/queue.server";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jobRow = async (id: number) => (await db.select().from(jobs).where(eq(jobs.id, id)))[0];
const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), "jobs-test-media-"));
process.env.MEDIA_DIR = mediaDir;
afterAll(() => fs.rmSync(mediaDir, { recursive: true, force: true }));

describe("enqueue and run", () => {
  it("runs a due job once and marks it done", async () => {
    const seen: unknown[] = [];
    registerJobHandler("t.simple", async (payload, ctx) => {
      seen.push({ payload, attempt: ctx.attempt });
    });
    const job = await enqueueJob("t.simple", { n: 1 });
    expect(job.status).toBe("queued");
    const outcome = await runJobsOnce({ kinds: ["t.simple"] });
    expect(outcome?.outcome).toBe("done");
    expect(seen).toEqual([{ payload: { n: 1 }, attempt: 1 }]);
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ status: "done", attempts: 1, lockedUntil: null });
    expect(row.finishedAt).toBeInstanceOf(Date);
    expect(await runJobsOnce({ kinds: ["t.simple"] })).toBeNull();
  });

  it("leaves a job alone until its runAt", async () => {
    registerJobHandler("t.later", async () => {});
    const job = await enqueueJob("t.later", {}, { runAt: new Date(Date.now() + 60_000) });
    expect(await runJobsOnce({ kinds: ["t.later"] })).toBeNull();
    await db.update(jobs).set({ runAt: new Date(Date.now() - 1000) }).where(eq(jobs.id, job.id));
    expect((await runJobsOnce({ kinds: ["t.later"] }))?.job.id).toBe(job.id);
  });

  it("enqueues inside a transaction: a rollback leaves no job", async () => {
    await expect(
      db.transaction(async (tx) => {
        await enqueueJob("t.rolledback", {}, { tx });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await db.select().from(jobs).where(eq(jobs.kind, "t.rolledback"))).toHaveLength(0);
  });

  it("only claims kinds this process has handlers for", async () => {
    const job = await enqueueJob("t.nobody-handles-this", {});
    expect(await runJobsOnce({ kinds: ["t.simple"] })).toBeNull();
    expect((await jobRow(job.id)).status).toBe("queued");
  });
});

describe("failures", () => {
  it("retries with back-off, then fails for good after maxAttempts with the last error", async () => {
    let calls = 0;
    const failed: { error: string; job: Job; inTx: number }[] = [];
    registerJobHandler(
      "t.flaky",
      async (_payload, ctx) => {
        calls += 1;
        throw new Error(`boom ${ctx.attempt}`);
      },
      {
        backoffSeconds: () => 0,
        onFailed: async ({ tx, error, job }) => {
          const result = (await tx.execute(sql`select 1 as one`)) as unknown as { rows: { one: number }[] };
          failed.push({ error, job, inTx: result.rows[0].one });
        },
      },
    );
    const job = await enqueueJob("t.flaky", {}, { maxAttempts: 3 });
    const outcomes = await drainJobs({ kinds: ["t.flaky"] });
    expect(outcomes.map((o) => o.outcome)).toEqual(["retry", "retry", "failed"]);
    expect(calls).toBe(3);
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ status: "failed", attempts: 3, lastError: "boom 3" });
    expect(row.finishedAt).toBeInstanceOf(Date);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ error: "boom 3", inTx: 1 });
  });

  it("waits before the next attempt by default (30 s, then 2 min, …)", async () => {
    expect([1, 2, 3, 10].map(defaultBackoffSeconds)).toEqual([30, 120, 480, 3600]);
    registerJobHandler("t.backoff", async () => {
      throw new Error("later");
    });
    const job = await enqueueJob("t.backoff", {});
    expect((await runJobsOnce({ kinds: ["t.backoff"] }))?.outcome).toBe("retry");
    const row = await jobRow(job.id);
    expect(row.status).toBe("queued");
    const wait = (row.runAt.getTime() - Date.now()) / 1000;
    expect(wait).toBeGreaterThan(20);
    expect(wait).toBeLessThan(40);
    expect(await runJobsOnce({ kinds: ["t.backoff"] })).toBeNull();
  });

  it("does not retry a PermanentJobError", async () => {
    let calls = 0;
    registerJobHandler(
      "t.permanent",
      async () => {
        calls += 1;
        throw new PermanentJobError("bad input");
      },
      { backoffSeconds: () => 0 },
    );
    const job = await enqueueJob("t.permanent", {}, { maxAttempts: 5 });
    expect((await drainJobs({ kinds: ["t.permanent"] })).map((o) => o.outcome)).toEqual(["failed"]);
    expect(calls).toBe(1);
    expect(await jobRow(job.id)).toMatchObject({ status: "failed", attempts: 1, lastError: "bad input" });
  });
});

describe("restarts and leases", () => {
  it("resumes a job whose worker died (running, lease expired)", async () => {
    const ran: number[] = [];
    registerJobHandler("t.resume", async (_p, ctx) => {
      ran.push(ctx.attempt);
    });
    const job = await enqueueJob("t.resume", {});
    // As left by a worker killed during its first attempt.
    await db
      .update(jobs)
      .set({ status: "running", attempts: 1, lockedUntil: new Date(Date.now() - 5_000) })
      .where(eq(jobs.id, job.id));
    const outcome = await runJobsOnce({ kinds: ["t.resume"] });
    expect(outcome?.outcome).toBe("done");
    expect(ran).toEqual([2]);
    expect(await jobRow(job.id)).toMatchObject({ status: "done", attempts: 2 });
  });

  it("does not take a running job whose lease is still valid", async () => {
    registerJobHandler("t.leased", async () => {});
    const job = await enqueueJob("t.leased", {});
    await db
      .update(jobs)
      .set({ status: "running", attempts: 1, lockedUntil: new Date(Date.now() + 60_000) })
      .where(eq(jobs.id, job.id));
    expect(await runJobsOnce({ kinds: ["t.leased"] })).toBeNull();
  });

  it("fails a job whose worker died during its last attempt, without running it again", async () => {
    let calls = 0;
    let failedWith = "";
    registerJobHandler(
      "t.died-last",
      async () => {
        calls += 1;
      },
      {
        onFailed: async ({ error }) => {
          failedWith = error;
        },
      },
    );
    const job = await enqueueJob("t.died-last", {}, { maxAttempts: 2 });
    await db
      .update(jobs)
      .set({ status: "running", attempts: 2, lockedUntil: new Date(Date.now() - 1_000) })
      .where(eq(jobs.id, job.id));
    expect((await runJobsOnce({ kinds: ["t.died-last"] }))?.outcome).toBe("failed");
    expect(calls).toBe(0);
    expect(failedWith).toMatch(/worker stopped/);
    expect((await jobRow(job.id)).status).toBe("failed");
  });

  it("renews the lease while a long job runs, so nobody else takes it", async () => {
    registerJobHandler("t.long", async () => {
      await sleep(2_500);
    });
    const job = await enqueueJob("t.long", {});
    const running = runJobsOnce({ kinds: ["t.long"], lease: 1 });
    await sleep(1_500);
    // Past the first 1 s lease: renewed, so still not due for anyone else.
    expect(await runJobsOnce({ kinds: ["t.long"], lease: 1 })).toBeNull();
    const row = await jobRow(job.id);
    expect(row.status).toBe("running");
    expect(row.lockedUntil!.getTime()).toBeGreaterThan(Date.now() - 200);
    expect((await running)?.outcome).toBe("done");
    expect(await jobRow(job.id)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("a worker that lost its lease cannot complete the job (fencing by attempt)", async () => {
    const attempts: number[] = [];
    let nested: Awaited<ReturnType<typeof runJobsOnce>> = null;
    registerJobHandler("t.fenced", async (_p, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt === 1) {
        // This worker stalls past its lease; another one takes the job and finishes it.
        await db.update(jobs).set({ lockedUntil: new Date(Date.now() - 1_000) }).where(eq(jobs.id, ctx.jobId));
        nested = await runJobsOnce({ kinds: ["t.fenced"] });
        throw new Error("the stalled worker fails late");
      }
    });
    const job = await enqueueJob("t.fenced", {}, { maxAttempts: 5 });
    const outer = await runJobsOnce({ kinds: ["t.fenced"] });
    expect(attempts).toEqual([1, 2]);
    expect(nested!.outcome).toBe("done");
    expect(outer?.outcome).toBe("lost");
    expect(await jobRow(job.id)).toMatchObject({ status: "done", attempts: 2 });
  });
});

describe("concurrency", () => {
  it("two concurrent runJobsOnce calls never run the same job", async () => {
    registerJobHandler("t.single", async () => {
      await sleep(50);
    });
    const job = await enqueueJob("t.single", {});
    const results = await Promise.all([runJobsOnce({ kinds: ["t.single"] }), runJobsOnce({ kinds: ["t.single"] })]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(results.find(Boolean)!.job.id).toBe(job.id);
    expect(await jobRow(job.id)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("four workers draining 24 jobs run each exactly once", async () => {
    const runs = new Map<number, number>();
    registerJobHandler("t.many", async (_p, ctx) => {
      runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
      await sleep(5 + Math.random() * 15);
    });
    const created = [];
    for (let i = 0; i < 24; i++) created.push(await enqueueJob("t.many", { i }));
    const worker = async () => {
      const mine: number[] = [];
      for (;;) {
        const outcome = await runJobsOnce({ kinds: ["t.many"] });
        if (!outcome) return mine;
        mine.push(outcome.job.id);
      }
    };
    const perWorker = await Promise.all([worker(), worker(), worker(), worker()]);
    const all = perWorker.flat();
    expect(all.sort((a, b) => a - b)).toEqual(created.map((j) => j.id));
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    const rows = await db.select().from(jobs).where(inArray(jobs.id, created.map((j) => j.id)));
    expect(rows.every((r) => r.status === "done" && r.attempts === 1)).toBe(true);
  });
});

describe("housekeeping", () => {
  it("prunes done jobs older than 30 days, keeping failed ones and recent ones", async () => {
    const old = new Date(Date.now() - 40 * 86400_000);
    const [a, b, c] = await db
      .insert(jobs)
      .values([
        { kind: "t.prune", payload: {}, status: "done", finishedAt: old },
        { kind: "t.prune", payload: {}, status: "failed", finishedAt: old },
        { kind: "t.prune", payload: {}, status: "done", finishedAt: new Date() },
      ])
      .returning();
    expect(await pruneFinishedJobs()).toBeGreaterThanOrEqual(1);
    const left = (await db.select().from(jobs).where(inArray(jobs.id, [a.id, b.id, c.id]))).map((j) => j.id);
    expect(left.sort()).toEqual([b.id, c.id].sort());
  });
});

describe("startJobWorker", () => {
  it("is off under vitest and with JOBS_WORKER=false", async () => {
    registerJobHandler("t.worker-off", async () => {});
    const job = await enqueueJob("t.worker-off", {});
    const stop = startJobWorker({ pollMs: 20 });
    process.env.JOBS_WORKER = "false";
    const stop2 = startJobWorker({ pollMs: 20 });
    delete process.env.JOBS_WORKER;
    await sleep(150);
    expect((await jobRow(job.id)).status).toBe("queued");
    await stop();
    await stop2();
    await db.delete(jobs).where(eq(jobs.id, job.id));
  });

  it("polls and runs jobs when on; a second start is the same worker; stop ends it", async () => {
    const done: number[] = [];
    registerJobHandler("t.worker", async (_p, ctx) => {
      done.push(ctx.jobId);
    });
    process.env.JOBS_WORKER = "true";
    try {
      const stop = startJobWorker({ pollMs: 50 });
      expect(startJobWorker()).toBe(stop);
      const a = await enqueueJob("t.worker", {});
      const b = await enqueueJob("t.worker", {});
      for (let i = 0; i < 100 && done.length < 2; i++) await sleep(50);
      expect(done.sort()).toEqual([a.id, b.id].sort());
      await stop();
      const c = await enqueueJob("t.worker", {});
      await sleep(200);
      expect((await jobRow(c.id)).status).toBe("queued");
    } finally {
      delete process.env.JOBS_WORKER;
    }
  });
});
