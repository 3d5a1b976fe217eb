// Recomputes every unit aggregate (assignments, credit hours, members) from the raw data.
//   npx tsx scripts/stats-rebuild.ts            # PGlite under DATA_DIR (default data/)
//   DATABASE_URL=postgres://… npx tsx scripts/stats-rebuild.ts
// Safe while the app runs on PostgreSQL: progress reports wait for it, dashboards keep reading.
process.env.JOBS_WORKER = "false";
const { rebuildStats } = await import("~/stats/rebuild.server");
const { getDatabase } = await import("~/db/client.server");
const report = await rebuildStats();
console.log(
  `stats rebuilt in ${report.ms} ms: ${report.members} members, ${report.assignmentRows} assignment rows, ` +
    `${report.creditRows} credit-hour rows, ${report.unitStatRows} unit figures`,
);
await (await getDatabase()).close();

// A module (for top-level await); the imports above are dynamic so JOBS_WORKER is set first.
export {};
