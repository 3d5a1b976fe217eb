// Group commit for hot writes: calls that arrive while the database is busy are written together
// in one statement, so the statement's fixed cost (protocol, planning, the commit's WAL write) is
// paid once per group instead of once per call. Each caller still gets its own answer, and only
// after the statement that holds its write has committed.

export type Batcher<I, O> = { write: (item: I) => Promise<O> };

type Pending<I, O> = { item: I; resolve: (out: O) => void; reject: (error: unknown) => void };

/**
 * `run` writes a group in one statement and answers in the order of the items. A group that fails
 * (a bad item, a deadlock with another instance) is written again item by item, so an error only
 * reaches the caller whose item caused it. At most `maxGroup` items go into one statement, and at
 * most `concurrency` statements run at once; at low load a group is a single item, written on the
 * next turn of the event loop.
 */
export function createBatcher<I, O>(run: (items: I[]) => Promise<O[]>, { maxGroup = 200, concurrency = 1 } = {}): Batcher<I, O> {
  let queue: Pending<I, O>[] = [];
  let running = 0;
  let scheduled = false;

  async function writeGroup(group: Pending<I, O>[]) {
    try {
      const outs = await run(group.map((p) => p.item));
      if (outs.length !== group.length) throw new Error(`batch answered ${outs.length} of ${group.length} items`);
      group.forEach((p, i) => p.resolve(outs[i]));
    } catch (error) {
      if (group.length === 1) return group[0].reject(error);
      for (const p of group) await writeGroup([p]);
    }
  }

  function pump() {
    scheduled = false;
    while (running < concurrency && queue.length > 0) {
      const group = queue.slice(0, maxGroup);
      queue = queue.slice(group.length);
      running += 1;
      void writeGroup(group).finally(() => {
        running -= 1;
        pump();
      });
    }
  }

  return {
    write(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!scheduled && running < concurrency) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
  };
}
