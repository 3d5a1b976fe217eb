// Every job kind this app runs. Imported by the worker when it starts (lazily: the handler modules
// import the queue). A new kind: register it in its domain module and import that module here.
import "~/media/transcode.server";
import "~/seed/demo-videos.server";
import "~/assignments/reminders.server";
import { sweepMedia } from "~/media/upload.server";

/** Called once by startJobWorker before its first poll. */
export async function prepareWorker() {
  // Tidy what a crash may have left (old partial uploads, video directories without a row).
  sweepMedia().then(
    (removed) => {
      if (removed.length) console.log(`media: removed ${removed.length} leftover upload(s)`);
    },
    (error) => console.error("media sweep failed:", error),
  );
}
