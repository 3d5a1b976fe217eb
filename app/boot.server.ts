// Runs once when the server bundle loads: the database is opened and migrated by
// ~/db/client.server; here the readings under content/ are registered, an empty database
// gets the demo data, and the demo logins are shown.
import { syncContent } from "~/content/sync.server";
import { DEMO_LOGINS, DEMO_PASSWORD, hasDemoLogins, seedDemoIfEmpty } from "~/seed/demo.server";

const globalForBoot = globalThis as unknown as { __booted?: boolean };

if (!globalForBoot.__booted) {
  globalForBoot.__booted = true;
  if (process.env.CONTENT_SYNC_ON_START !== "false") {
    // Unchanged files come from the compile cache, so this is cheap on every start.
    const report = await syncContent();
    for (const error of report.errors) console.error(`content: ${error.file}:${error.line ?? "?"}:${error.column ?? "?"} ${error.message}`);
  }
  if (process.env.SEED_DEMO !== "false") {
    const seeded = await seedDemoIfEmpty();
    if (seeded) console.log("Demo data created.");
    if (await hasDemoLogins()) {
      console.log(`Demo logins (password ${DEMO_PASSWORD}):`);
      for (const login of DEMO_LOGINS) console.log(`  ${login.employeeNo.padEnd(8)} ${login.role}`);
    }
  }
}
