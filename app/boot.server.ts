// Runs once when the server bundle loads: the database is opened and migrated by
// ~/db/client.server; here an empty database gets the demo data, the readings under content/
// are registered, the job worker starts, and the demo logins are shown.
import path from "node:path";
import { syncContent } from "~/content/sync.server";
import { listenForCatalogueChanges } from "~/courses/lesson-cache.server";
import { listenForUnitChanges } from "~/org/unit-cache.server";
import "~/points/listeners.server";
import "~/stats/listeners.server";
import { listenForAssignmentChanges } from "~/assignments/assignments.server";
import { ensureReminderSchedule } from "~/assignments/reminders.server";
import { resumeBattleClocks } from "~/battles/clock.server";
import { ensureDefaultPointRules } from "~/points/ledger.server";
import { startJobWorker } from "~/jobs/queue.server";
import { startContestCloser } from "~/contests/contests.server";
import { seedDemoQuestions } from "~/quiz/demo.server";
import { enqueueDemoVideos } from "~/seed/demo-videos.server";
import { DEMO_LOGINS, DEMO_PASSWORD, hasDemoLogins, seedDemoIfEmpty } from "~/seed/demo.server";

const globalForBoot = globalThis as unknown as { __booted?: boolean };

if (!globalForBoot.__booted) {
  globalForBoot.__booted = true;
  await listenForCatalogueChanges();
  await listenForUnitChanges();
  await listenForAssignmentChanges();
  await ensureDefaultPointRules();
  const seeded = process.env.SEED_DEMO !== "false" && (await seedDemoIfEmpty());
  if (process.env.CONTENT_SYNC_ON_START !== "false") {
    // Unchanged files come from the compile cache, so this is cheap on every start.
    // CONTENT_ROOTS (path-delimited) adds course folders, e.g. the end-to-end tests' own course.
    const roots = (process.env.CONTENT_ROOTS ?? "content/courses").split(path.delimiter).filter(Boolean);
    const reports = [];
    for (const root of roots) reports.push(await syncContent({ root }));
    const report = { courses: reports.flatMap((r) => r.courses), errors: reports.flatMap((r) => r.errors) };
    for (const error of report.errors) console.error(`content: ${error.file}:${error.line ?? "?"}:${error.column ?? "?"} ${error.message}`);
    if (seeded) {
      const videos = report.courses.flatMap((c) => c.lessons).filter((l) => l.kind === "video" && l.demoVideo && !l.videoAssetId);
      await enqueueDemoVideos(videos.map((l) => ({ lessonId: l.id, ...l.demoVideo! })));
      // After the sync: the demo bank fills the quiz lessons the sync registered.
      await seedDemoQuestions();
    }
  }
  if (seeded) console.log("Demo data created.");
  if (process.env.JOBS_WORKER !== "false") await ensureReminderSchedule();
  startJobWorker();
  await resumeBattleClocks();
  startContestCloser();
  if (process.env.SEED_DEMO !== "false" && (await hasDemoLogins())) {
    console.log(`Demo logins (password ${DEMO_PASSWORD}):`);
    for (const login of DEMO_LOGINS) console.log(`  ${login.employeeNo.padEnd(8)} ${login.role}`);
  }
}
