// Registers the courses under content/courses/ (see content/README.md) in the database named by
// DATABASE_URL / DATA_DIR, prints the report, and exits non-zero when any file has an error.
//   npx tsx scripts/content-sync.ts [--root content/courses] [--json]
import { parseArgs } from "node:util";
import { syncContent, type SyncReport } from "~/content/sync.server";
import { getDatabase } from "~/db/client.server";

const { values } = parseArgs({
  options: { root: { type: "string", default: "content/courses" }, json: { type: "boolean", default: false } },
});

function print(report: SyncReport) {
  console.log(`content sync: ${report.courses.length} course(s) under ${values.root}`);
  for (const course of report.courses) {
    console.log(`  ${course.status.padEnd(9)} ${course.slug}  ${course.title}`);
    for (const lesson of course.lessons) {
      console.log(`    ${String(lesson.position).padStart(2)}. ${lesson.kind.padEnd(7)} ${lesson.status.padEnd(13)} #${lesson.id} ${lesson.title}`);
    }
  }
  const l = report.lessons;
  console.log(`lessons: ${l.added} added, ${l.updated} updated, ${l.unchanged} unchanged, ${l.removed} removed, ${l.retained} retained, ${l.failed} failed`);
  for (const r of report.retained) console.log(`retained: ${r.course} lesson #${r.lessonId} ${r.title}: ${r.reason}`);
  if (report.errors.length > 0) {
    console.error(`${report.errors.length} error(s):`);
    for (const e of report.errors) console.error(`  ${e.file}${e.line ? `:${e.line}:${e.column ?? 1}` : ""}  ${e.message}`);
  }
}

let exitCode = 0;
try {
  const report = await syncContent({ root: values.root });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else print(report);
  if (report.errors.length > 0) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 2;
} finally {
  await (await getDatabase()).close();
}
process.exit(exitCode);
