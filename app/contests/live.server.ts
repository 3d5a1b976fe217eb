// The live leaderboard. Answers do not each send a NOTIFY: a process that records answers marks
// the contest changed and sends at most one "contest:<id>" message per PUBLISH_EVERY_MS over the
// bus (PostgreSQL LISTEN/NOTIFY, so every app instance hears it). Each instance with open
// leaderboards recomputes the board once per message — never two computations of one contest at
// a time; changes during one fold into the next — and pushes it to its own SSE clients.
import { sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { unitTree, type UnitInfo } from "~/org/unit-cache.server";
import { rowsOf } from "~/quiz/banks.server";
import { bus, type Bus } from "~/realtime/bus.server";
import type { Board } from "./scoring";

export const PUBLISH_EVERY_MS = 500;
/** Eligible members change rarely; counting them is kept this long. */
const ELIGIBLE_TTL_MS = 60_000;
export const TOP_SIZE = 20;

export const topicOf = (contestId: number) => `contest:${contestId}`;

const lastSent = new Map<number, number>();
const pending = new Set<number>();

/** Call after any change to a contest's entries: coalesced to one bus message per PUBLISH_EVERY_MS. */
export function contestChanged(contestId: number, target: Bus = bus) {
  if (pending.has(contestId)) return;
  pending.add(contestId);
  const wait = Math.max(0, (lastSent.get(contestId) ?? 0) + PUBLISH_EVERY_MS - Date.now());
  setTimeout(() => {
    pending.delete(contestId);
    lastSent.set(contestId, Date.now());
    target.publish(topicOf(contestId), { at: Date.now() }).catch((error) => console.error(`contests: change of ${contestId} not announced: ${String(error)}`));
  }, wait);
}

// ---------------------------------------------------------------------------------------------
// The board

const eligibleCache = new Map<number, { at: number; counts: Promise<Map<number, number>> }>();

/** Active members in each ranked unit's subtree. */
function eligibleCounts(contestId: number) {
  const hit = eligibleCache.get(contestId);
  if (hit && Date.now() - hit.at < ELIGIBLE_TTL_MS) return hit.counts;
  const counts = rowsOf<{ root_id: number; unit_id: number; members: number }>(
    db.execute(sql`
      select k.unit_id as root_id, us.unit_id, count(*)::int as members
      from contests k
      join units r on r.id = k.unit_id
      join units m on m.code like r.code || '%'
      join users us on us.unit_id = m.id and not us.disabled
      where k.id = ${contestId}
      group by k.unit_id, us.unit_id`),
  ).then(async (rows) => {
    const counts = new Map<number, number>();
    if (rows.length === 0) return counts;
    const { groupOf } = await rankedUnits(Number(rows[0].root_id), rows.map((r) => Number(r.unit_id)));
    for (const r of rows) {
      const group = groupOf.get(Number(r.unit_id));
      if (group) counts.set(group.id, (counts.get(group.id) ?? 0) + Number(r.members));
    }
    return counts;
  });
  eligibleCache.set(contestId, { at: Date.now(), counts });
  counts.catch(() => eligibleCache.delete(contestId));
  return counts;
}

/**
 * The ranked units of a contest: the children of its unit, or the unit itself when it has none.
 * With `unitIds`, each given unit's group (the ranked unit whose subtree holds it), when it has one.
 */
async function rankedUnits(rootId: number, unitIds: number[] = []) {
  let tree = await unitTree(rootId);
  // A unit created by another instance since this copy was loaded reloads it (once).
  const missing = unitIds.find((id) => !tree.byId.has(id));
  if (missing !== undefined) tree = await unitTree(missing);
  const root = tree.byId.get(rootId);
  const children = tree.childrenOf(rootId);
  const groups = root ? (children.length > 0 ? children : [root]) : [];
  const groupOf = new Map<number, UnitInfo>();
  for (const id of unitIds) {
    const code = tree.byId.get(id)?.code;
    const group = code === undefined ? undefined : groups.find((g) => code.startsWith(g.code));
    if (group) groupOf.set(id, group);
  }
  return { groups, groupOf };
}

/**
 * Recomputed every PUBLISH_EVERY_MS while a contest runs, so two statements: one scan of the
 * entries per unit (totals and unit rankings summed here, over the cached unit tree) and the top.
 */
export async function computeBoard(contestId: number): Promise<Board> {
  const [perUnit, top, eligible] = await Promise.all([
    rowsOf<{ root_id: number; unit_id: number | null; entrants: number; finished: number; score_sum: number | null }>(
      db.execute(sql`
        select k.unit_id as root_id, e.unit_id, count(e.id)::int as entrants, count(e.finished_at)::int as finished,
          sum(e.score)::float8 as score_sum
        from contests k left join contest_entries e on e.contest_id = k.id
        where k.id = ${contestId}
        group by k.unit_id, e.unit_id`),
    ),
    rowsOf<{ rank: number; name: string; unit_name: string; score: number; total_ms: number; finished: boolean; anonymous: boolean }>(
      db.execute(sql`
        select r.rank, u.name, un.name as unit_name, r.score, r.total_ms, r.finished,
          -- A contest above branch level is a board beyond the member's branch.
          u.hide_from_wide_rankings and exists (
            select 1 from contests k join units cu on cu.id = k.unit_id
            where k.id = ${contestId} and cu.kind in ('committee', 'general_branch')) as anonymous
        from (
          select user_id, unit_id, score, total_ms, finished_at is not null as finished, id,
            (rank() over (order by score desc, total_ms))::int as rank
          from contest_entries where contest_id = ${contestId}
          order by score desc, total_ms, id
          limit ${TOP_SIZE}
        ) r
        join users u on u.id = r.user_id
        join units un on un.id = r.unit_id
        order by r.rank, r.id`),
    ),
    eligibleCounts(contestId),
  ]);
  const entered = perUnit.filter((r) => r.unit_id !== null);
  const { groups, groupOf } = perUnit.length > 0 ? await rankedUnits(Number(perUnit[0].root_id), entered.map((r) => Number(r.unit_id))) : { groups: [], groupOf: new Map() };
  const sums = new Map(groups.map((g) => [g.id, { entrants: 0, scoreSum: 0 }]));
  const all = { entrants: 0, finished: 0, scoreSum: 0 };
  for (const r of entered) {
    const [entrants, scoreSum] = [Number(r.entrants), Number(r.score_sum ?? 0)];
    all.entrants += entrants;
    all.finished += Number(r.finished);
    all.scoreSum += scoreSum;
    const sum = sums.get(groupOf.get(Number(r.unit_id))?.id ?? -1);
    if (sum) {
      sum.entrants += entrants;
      sum.scoreSum += scoreSum;
    }
  }
  const averageOf = ({ entrants, scoreSum }: { entrants: number; scoreSum: number }) => (entrants > 0 ? Math.round((scoreSum / entrants) * 10) / 10 : 0);
  const units = groups.map((g) => {
    const sum = sums.get(g.id)!;
    const count = eligible.get(g.id) ?? 0;
    return {
      unitId: g.id,
      name: g.name,
      entrants: sum.entrants,
      eligible: count,
      participation: count > 0 ? Math.min(1, sum.entrants / count) : 0,
      averageScore: averageOf(sum),
    };
  });
  return {
    contestId,
    at: Date.now(),
    entrants: all.entrants,
    finished: all.finished,
    eligible: units.reduce((n, u) => n + u.eligible, 0),
    averageScore: averageOf(all),
    top: top.map((r) => ({
      rank: r.rank,
      name: r.anonymous ? null : r.name,
      unitName: r.anonymous ? null : r.unit_name,
      score: Number(r.score),
      totalMs: Number(r.total_ms),
      finished: r.finished,
    })),
    units,
  };
}

// ---------------------------------------------------------------------------------------------
// This instance's watchers

type Watcher = (board: Board) => void;
type Hub = { watchers: Set<Watcher>; running: boolean; dirty: boolean; stop: Promise<() => void> };

/** The hubs of a bus: one per contest with open leaderboards in this process. */
export function createBoardHub(target: Bus = bus, compute: (contestId: number) => Promise<Board> = computeBoard) {
  const hubs = new Map<number, Hub>();

  async function refresh(contestId: number, hub: Hub) {
    if (hub.running) {
      hub.dirty = true;
      return;
    }
    hub.running = true;
    try {
      do {
        hub.dirty = false;
        const board = await compute(contestId);
        for (const w of hub.watchers) w(board);
      } while (hub.dirty && hub.watchers.size > 0);
    } catch (error) {
      console.error(`contests: leaderboard of ${contestId} not computed: ${String(error)}`);
    } finally {
      hub.running = false;
    }
  }

  return {
    /** Calls `watcher` with the board now and after every change; returns the function that stops it. */
    async watch(contestId: number, watcher: Watcher): Promise<() => void> {
      let hub = hubs.get(contestId);
      if (!hub) {
        const created: Hub = { watchers: new Set(), running: false, dirty: false, stop: Promise.resolve(() => {}) };
        created.stop = target.subscribe(topicOf(contestId), () => void refresh(contestId, created));
        hubs.set(contestId, created);
        hub = created;
      }
      await hub.stop;
      hub.watchers.add(watcher);
      // A fresh board for the newcomer (also catching changes made before this instance listened).
      watcher(await compute(contestId));
      return () => {
        hub.watchers.delete(watcher);
        if (hub.watchers.size === 0 && hubs.get(contestId) === hub) {
          hubs.delete(contestId);
          void hub.stop.then((stop) => stop());
        }
      };
    },
  };
}

const globalForHub = globalThis as unknown as { __contestBoards?: ReturnType<typeof createBoardHub> };

/** The process-wide leaderboard hub. */
export const boards = (globalForHub.__contestBoards ??= createBoardHub());
