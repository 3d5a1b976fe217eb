// Admission for page requests. When 2,000 members press "start" at once, each page request
// queues several queries on the database; an embedded database runs one at a time, first come first
// served, so a contest answer arriving behind them would wait seconds. Page requests are therefore
// let through a few at a time, the others wait their turn here (nothing refused, no error pages),
// and the direct endpoints (app/http/direct.server.ts), which do not pass through here, stay fast.
import type { IncomingMessage, ServerResponse } from "node:http";
import pLimit from "p-limit";

export type Admission = {
  /** Runs `handle` for the request when its turn comes; its slot is free when the response is done. */
  admit: (req: IncomingMessage, res: ServerResponse, handle: () => unknown) => void;
  /** Runs work that is not a request of its own (a shared page's render) in the same turns. */
  run: <T>(task: () => Promise<T>) => Promise<T>;
  readonly active: number;
  readonly waiting: number;
};

/**
 * At most `concurrency` page requests at a time. A request's slot is free once its response head is
 * written: by then its loaders and actions have done their database work, and a long transfer (a
 * video segment, an export, a slow phone) must not hold the slot. Two kinds go straight through:
 * event streams (live boards, battles), which stay open for minutes and work in between, and large
 * uploads, which spend their time receiving the file.
 */
export function createAdmission(concurrency: number): Admission {
  const limit = pLimit(concurrency);
  return {
    admit(req, res, handle) {
      if (isEventStream(req) || Number(req.headers["content-length"] ?? 0) > UPLOAD_BYTES) {
        handle();
        return;
      }
      void limit(
        () =>
          new Promise<void>((resolve) => {
            // A client that went away while waiting gets no work done for it.
            if (res.destroyed || res.writableEnded) return resolve();
            const writeHead = res.writeHead;
            res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse["writeHead"]>) {
              resolve();
              return writeHead.apply(this, args);
            } as ServerResponse["writeHead"];
            res.once("close", resolve);
            handle();
          }),
      );
    },
    run: (task) => limit(task),
    get active() {
      return limit.activeCount;
    },
    get waiting() {
      return limit.pendingCount;
    },
  };
}

const UPLOAD_BYTES = 1024 * 1024;
const EVENT_STREAM_PATH = /^\/(contests\/\d+\/live|battle\/\d+\/events)\/?(\?|$)/;

function isEventStream(req: IncomingMessage) {
  return String(req.headers.accept ?? "").includes("text/event-stream") && EVENT_STREAM_PATH.test(req.url ?? "");
}

/**
 * Page requests at a time: PAGE_CONCURRENCY, or 8. On PostgreSQL this stays below the pool size, so
 * the grouped writes of progress reports and answers always find a connection free.
 */
export function pageConcurrency(env = process.env) {
  const configured = Number(env.PAGE_CONCURRENCY);
  return Number.isInteger(configured) && configured > 0 ? configured : 8;
}
