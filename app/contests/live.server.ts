// The live leaderboard. Answers do not each send a NOTIFY: a process that records answers marks
// the contest changed and sends at most one "contest:<id>" message per PUBLISH_EVERY_MS over the
// bus (PostgreSQL LISTEN/NOTIFY, so every app instance hears it). Each instance with open
// leaderboards recomputes the board once per message — never two computations of one contest at
// a time; changes during one fold into the next — and pushes it to its own SSE clients.
import { sql } from "drizzle-orm";
import { db } from "~/db/client.server";
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
  const counts = rowsOf<{ unit_id: number; eligible: number }>(
    db.execute(sql`
      with ${groupsOf(contestId)}
      select g.id as unit_id, count(us.id)::int as eligible
      from groups g
      left join units m on m.code like g.code || '%'
      left join users us on us.unit_id = m.id and not us.disabled
      group by g.id`),
  ).then((rows) => new Map(rows.map((r) => [Number(r.unit_id), Number(r.eligible)])));
  eligibleCache.set(contestId, { at: Date.now(), counts });
  counts.catch(() => eligibleCache.delete(contestId));
  return counts;
}

/** A CTE `groups(id, name, code)`: the ranked units of a contest. */
function groupsOf(contestId: number) {
  return sql`root as (select u.id, u.code from contests k join units u on u.id = k.unit_id where k.id = ${contestId}),
    groups as (
      select g.id, g.name, g.code from units g join root on g.parent_id = root.id
      union all
      select u.id, u.name, u.code from units u join root on u.id = root.id
      where not exists (select 1 from units x where x.parent_id = root.id)
    )`;
}

export async function computeBoard(contestId: number): Promise<Board> {
  const [totals, top, byUnit, eligible] = await Promise.all([
    rowsOf<{ entrants: number; finished: number; average: number | null }>(
      db.execute(sql`
        select count(*)::int as entrants, count(finished_at)::int as finished, avg(score)::float8 as average
        from contest_entries where contest_id = ${contestId}`),
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
    rowsOf<{ unit_id: number; name: string; entrants: number; average: number | null }>(
      db.execute(sql`
        with ${groupsOf(contestId)}
        select g.id as unit_id, g.name, count(e.id)::int as entrants, avg(e.score)::float8 as average
        from groups g
        left join units eu on eu.code like g.code || '%'
        left join contest_entries e on e.unit_id = eu.id and e.contest_id = ${contestId}
        group by g.id, g.name, g.code
        order by g.code`),
    ),
    eligibleCounts(contestId),
  ]);
  const units = byUnit.map((u) => {
    const count = eligible.get(Number(u.unit_id)) ?? 0;
    const entrants = Number(u.entrants);
    return {
      unitId: Number(u.unit_id),
      name: u.name,
      entrants,
      eligible: count,
      participation: count > 0 ? Math.min(1, entrants / count) : 0,
      averageScore: Math.round(Number(u.average ?? 0) * 10) / 10,
    };
  });
  return {
    contestId,
    at: Date.now(),
    entrants: Number(totals[0].entrants),
    finished: Number(totals[0].finished),
    eligible: units.reduce((n, u) => n + u.eligible, 0),
    averageScore: Math.round(Number(totals[0].average ?? 0) * 10) / 10,
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
