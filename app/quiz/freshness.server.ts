// Bank freshness: for each bank, how many of its active questions the average member of the
// viewer's units has not yet seen (answered in any mode), so a bank is refilled before members
// run out. Only members who use the bank count: those whose unit lies under the bank's unit.
import { sql } from "drizzle-orm";
import { scopePrefixes, type Viewer } from "~/auth/policy.server";
import { db } from "~/db/client.server";
import { rowsOf } from "./banks.server";
import { DAILY_QUESTIONS, type Freshness } from "./freshness";

export type { Freshness };

/** Freshness of the given banks for the members in the viewer's organiser scope. */
export async function bankFreshness(viewer: Viewer, bankIds: number[]): Promise<Map<number, Freshness>> {
  return freshnessFor(scopePrefixes(viewer, "organiser"), bankIds);
}

export async function freshnessFor(prefixes: string[], bankIds: number[]): Promise<Map<number, Freshness>> {
  const out = new Map<number, Freshness>();
  if (bankIds.length === 0) return out;
  const scope = prefixes.length ? sql.join(prefixes.map((p) => sql`un.code like ${`${p.replace(/[\\%_]/g, "\\$&")}%`}`), sql` or `) : sql`false`;
  const rows = await rowsOf<{ bank_id: number; total: number; members: number; seen_sum: number; exhausted: number }>(
    db.execute(sql`
      with members as (
        select u.id, un.code from users u join units un on un.id = u.unit_id
        where not u.disabled and (${scope})
      ),
      bank as (
        select b.id, bu.code from question_banks b join units bu on bu.id = b.unit_id
        where b.id = any(${sql.param(bankIds)}::int[])
      ),
      active as (
        select q.bank_id, count(*)::int as total from questions q
        where not q.archived and q.bank_id = any(${sql.param(bankIds)}::int[])
        group by q.bank_id
      ),
      reach as (
        select bank.id as bank_id, m.id as user_id from bank join members m on m.code like bank.code || '%'
      ),
      seen as (
        select r.bank_id, r.user_id, count(distinct ar.question_id)::int as seen
        from reach r
        join answer_records ar on ar.user_id = r.user_id
        join questions q on q.id = ar.question_id and q.bank_id = r.bank_id and not q.archived
        group by r.bank_id, r.user_id
      )
      select bank.id as bank_id,
             coalesce(active.total, 0)::int as total,
             (select count(*)::int from reach where reach.bank_id = bank.id) as members,
             coalesce((select sum(seen.seen)::int from seen where seen.bank_id = bank.id), 0)::int as seen_sum,
             (select count(*)::int from seen where seen.bank_id = bank.id and seen.seen >= coalesce(active.total, 0)) as exhausted
      from bank left join active on active.bank_id = bank.id`),
  );
  for (const r of rows) {
    const total = Number(r.total);
    const members = Number(r.members);
    const averageUnseen = members > 0 ? Math.max(0, total - Number(r.seen_sum) / members) : total;
    const rounded = Math.round(averageUnseen * 10) / 10;
    out.set(Number(r.bank_id), {
      bankId: Number(r.bank_id),
      questions: total,
      members,
      averageUnseen: rounded,
      exhausted: total > 0 ? Number(r.exhausted) : members,
      daysLeft: Math.floor(averageUnseen / DAILY_QUESTIONS),
    });
  }
  return out;
}
