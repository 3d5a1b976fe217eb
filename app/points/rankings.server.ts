// Leaderboards: members of the viewer's branch, members of the viewer's committee, and the
// committee's branches by average points per member — for this week (from Monday), this month
// or this year, days in Asia/Shanghai. A member who hides their name beyond their branch shows as
// anonymous on the committee board (to everyone but themselves; no id or unit goes out for them).
import { sql } from "drizzle-orm";
import type { Viewer } from "~/auth/policy.server";
import { db } from "~/db/client.server";
import { periodStart, pointsDay, type Period } from "./rules";
import { branchOf, committeeCodeOf } from "./scope.server";

export const BOARD_SIZE = 50;

/** Rows of a raw query (both drivers answer { rows }). */
async function rowsOf<T>(query: PromiseLike<unknown>): Promise<T[]> {
  return ((await query) as { rows: T[] }).rows;
}

export type MemberRow = { rank: number; name: string | null; unitName: string | null; points: number; me: boolean; anonymous: boolean };

export async function memberRanking(viewer: Pick<Viewer, "id" | "unitCode">, scope: "branch" | "committee", period: Period, today = pointsDay()) {
  const prefix = scope === "branch" ? ((await branchOf(viewer.unitCode))?.code ?? viewer.unitCode) : committeeCodeOf(viewer.unitCode);
  const from = periodStart(period, today);
  const rows = await rowsOf<{ user_id: number; points: number; rank: number; name: string; hide: boolean; unit_name: string }>(
    db.execute(sql`
      with totals as (
        select pe.user_id, sum(pe.amount)::int as points
        from point_entries pe
        join users u on u.id = pe.user_id
        join units un on un.id = u.unit_id
        where un.code like ${`${prefix}%`} and pe.day >= ${from} and pe.day <= ${today} and not u.disabled
        group by pe.user_id
      ), ranked as (
        select user_id, points, (rank() over (order by points desc))::int as rank from totals
      )
      select r.user_id, r.points, r.rank, u.name, u.hide_from_wide_rankings as hide, un.name as unit_name
      from ranked r
      join users u on u.id = r.user_id
      join units un on un.id = u.unit_id
      where r.rank <= ${BOARD_SIZE} or r.user_id = ${viewer.id}
      order by r.rank, r.user_id
      limit ${BOARD_SIZE + 1}`),
  );
  const toRow = (r: (typeof rows)[number]): MemberRow => {
    const me = Number(r.user_id) === viewer.id;
    const anonymous = scope === "committee" && Boolean(r.hide) && !me;
    return { rank: Number(r.rank), name: anonymous ? null : r.name, unitName: anonymous ? null : r.unit_name, points: Number(r.points), me, anonymous };
  };
  const all = rows.map(toRow);
  const mine = all.find((r) => r.me) ?? null;
  return { from, to: today, rows: all.filter((r) => r.rank <= BOARD_SIZE).slice(0, BOARD_SIZE), mine };
}

export type UnitRow = { rank: number; unitId: number; name: string; members: number; points: number; average: number; mine: boolean };

/** The committee's branches by average points per (enabled) member over the period. */
export async function unitRanking(viewer: Pick<Viewer, "unitCode">, period: Period, today = pointsDay()): Promise<{ from: string; to: string; rows: UnitRow[] }> {
  const from = periodStart(period, today);
  const committee = committeeCodeOf(viewer.unitCode);
  const rows = await rowsOf<{ id: number; name: string; code: string; members: number; points: number }>(
    db.execute(sql`
      select b.id, b.name, b.code, count(distinct u.id)::int as members, coalesce(sum(pe.amount), 0)::int as points
      from units b
      join units s on s.code like b.code || '%'
      join users u on u.unit_id = s.id and not u.disabled
      left join point_entries pe on pe.user_id = u.id and pe.day >= ${from} and pe.day <= ${today}
      where b.kind = 'branch' and b.code like ${`${committee}%`}
      group by b.id, b.name, b.code`),
  );
  const sorted = rows
    .map((r) => ({ unitId: Number(r.id), name: r.name, code: r.code, members: Number(r.members), points: Number(r.points), average: Number(r.members) ? Number(r.points) / Number(r.members) : 0 }))
    .sort((a, b) => b.average - a.average || b.points - a.points || a.code.localeCompare(b.code));
  let rank = 0;
  return {
    from,
    to: today,
    rows: sorted.map((r, i) => {
      if (i === 0 || r.average !== sorted[i - 1].average) rank = i + 1;
      return { rank, unitId: r.unitId, name: r.name, members: r.members, points: r.points, average: Math.round(r.average * 10) / 10, mine: viewer.unitCode.startsWith(r.code) };
    }),
  };
}
