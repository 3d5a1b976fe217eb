// The baseline of bench/progress.js: single-row upserts into lesson_progress, one after another,
// straight through the database driver (no HTTP, no app logic), for a fixed time.
// Run with `npx tsx bench/lib/upsert-entry.ts <seconds>` and DATA_DIR (PGlite) or DATABASE_URL.
// Prints `UPSERT_ENTRY {json}`.
process.env.JOBS_WORKER = "false";
const seconds = Number(process.argv[2] ?? 10);
const { driver } = await import("~/db/client.server");
const { makeCourse, makeMember, makeUnitTree } = await import("~/seed/factories.server");

const tree = await makeUnitTree({ name: `基准党委${process.pid}`, kind: "committee" });
const members = await Promise.all(Array.from({ length: 12 }, () => makeMember({ unitId: [...tree.values()][0].id })));
const { lessons } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 600 }] });

const upsert = `insert into lesson_progress (user_id, lesson_id, watched_ranges, watched_seconds, position_seconds, last_seq, last_report_at, updated_at)
  values ($1, $2, $3::jsonb, $4, $4, $5, now(), now())
  on conflict (user_id, lesson_id) do update set watched_ranges = excluded.watched_ranges, watched_seconds = excluded.watched_seconds,
    position_seconds = excluded.position_seconds, last_seq = excluded.last_seq, last_report_at = now(), updated_at = now()`;
const query = (params: unknown[]) => (driver.kind === "pglite" ? driver.client.query(upsert, params) : driver.pool.query(upsert, params));

const latencies: number[] = [];
const end = performance.now() + seconds * 1000;
let n = 0;
while (performance.now() < end) {
  const user = members[n % members.length];
  const x = (n % 600) + 1;
  const t0 = performance.now();
  await query([user.id, lessons[0].id, JSON.stringify([[0, x]]), x, Date.now()]);
  latencies.push(performance.now() - t0);
  n++;
}
latencies.sort((a, b) => a - b);
console.log(`UPSERT_ENTRY ${JSON.stringify({ upserts: n, perSecond: n / seconds, p50: latencies[Math.floor(n * 0.5)], p99: latencies[Math.floor(n * 0.99)] })}`);
process.exit(0);

export {};
