// Recomputes every member record and unit aggregate from the raw data (users, lesson_progress,
// course_completions, assignments) with set-based SQL — the same definitions the incremental
// path uses (./aggregate.server.ts). `npx tsx scripts/stats-rebuild.ts` runs it.
import { sql } from "drizzle-orm";
import { yearlyRequirement } from "~/courses/rules";
import { db, driver } from "~/db/client.server";
import { applicablePairsSql, assignmentAggregatesSql, assignmentStatusSql, rowsOf } from "./aggregate.server";
import { BUCKET_KEYS, MEMBER_KEYS, MONTH_KEYS } from "./metrics";

/** Metrics this module owns in unit_stats (other domains may add their own). */
export const OWNED_METRICS_SQL = sql`(metric = 'members' or metric like 'assignment:%' or metric like 'adays:%' or metric like 'credit:%')`;

function memberCountsSql() {
  const parts = MEMBER_KEYS.map((k) => {
    if (k === "total") return sql`'total', count(*)`;
    if (k === "cadres") return sql`'cadres', nullif(count(*) filter (where is_cadre), 0)`;
    return sql`${k}::text, nullif(count(*) filter (where status = ${k}::member_status), 0)`;
  });
  return sql`jsonb_strip_nulls(jsonb_build_object(${sql.join(parts, sql`, `)}))`;
}

function creditCountsSql() {
  const parts = [
    sql`'started', nullif(count(*) filter (where hours > 0), 0)`,
    sql`'met', nullif(count(*) filter (where hours >= requirement * 100), 0)`,
    sql`'hours', nullif(sum(hours), 0)`,
    ...BUCKET_KEYS.map(
      (k, i) => sql`${k}::text, nullif(count(*) filter (where hours > 0 and hours < requirement * 100 and (hours * 10) / (requirement * 100) = ${i}), 0)`,
    ),
    ...MONTH_KEYS.map((k, i) => sql`${k}::text, nullif(sum(months[${i + 1}]), 0)`),
  ];
  return sql`jsonb_strip_nulls(jsonb_build_object(${sql.join(parts, sql`, `)}))`;
}

export type RebuildReport = { members: number; assignmentRows: number; creditRows: number; unitStatRows: number; ms: number };

export async function rebuildStats(): Promise<RebuildReport> {
  const started = performance.now();
  const report = await db.transaction(async (tx) => {
    // Listeners wait (they take a conflicting lock); dashboards keep reading the old figures.
    if (driver.kind === "pg") await tx.execute(sql`lock table stat_members, assignment_members, member_credits, unit_stats, stat_dirty in exclusive mode`);
    await tx.execute(sql`delete from unit_stats where ${OWNED_METRICS_SQL}`);
    await tx.execute(sql`delete from assignment_members`);
    await tx.execute(sql`delete from member_credits`);
    await tx.execute(sql`delete from stat_members`);
    await tx.execute(sql`delete from stat_dirty`);

    await tx.execute(sql`
      insert into stat_members (user_id, unit_id, status, is_cadre)
      select id, unit_id, status, is_cadre from users where not disabled`);
    await tx.execute(sql`
      insert into assignment_members (assignment_id, user_id, unit_id, status, lessons_done, courses_done, completed_at)
      select assignment_id, user_id, unit_id, status::assignment_member_status, lessons_done, courses_done, completed_at
      from (${assignmentStatusSql(applicablePairsSql())}) fresh`);
    const months = sql.join(
      MONTH_KEYS.map((_, i) => sql`coalesce(sum(c.hours) filter (where c.month = ${i + 1}), 0)`),
      sql`, `,
    );
    await tx.execute(sql`
      insert into member_credits (user_id, year, unit_id, hours, months, requirement)
      select c.user_id, c.year, u.unit_id, sum(c.hours)::int, array[${months}]::int[],
             case when u.is_cadre then ${yearlyRequirement(true)}::int else ${yearlyRequirement(false)}::int end
      from (
        select user_id,
               extract(year from completed_at at time zone 'Asia/Shanghai')::int as year,
               extract(month from completed_at at time zone 'Asia/Shanghai')::int as month,
               round(sum(credit_hours) * 100)::int as hours
        from course_completions group by 1, 2, 3
      ) c
      join users u on u.id = c.user_id
      where not u.disabled
      group by c.user_id, c.year, u.unit_id, u.is_cadre
      having sum(c.hours) > 0`);

    await tx.execute(sql`
      insert into unit_stats (unit_id, metric, counts)
      select unit_id, 'members', ${memberCountsSql()} from stat_members group by unit_id`);
    for (const statement of assignmentAggregatesSql()) await tx.execute(statement);
    await tx.execute(sql`
      insert into unit_stats (unit_id, metric, counts)
      select unit_id, 'credit:' || year, ${creditCountsSql()} from member_credits group by unit_id, year`);

    const [counts] = rowsOf<{ members: number; assignment_rows: number; credit_rows: number; unit_stat_rows: number }>(
      await tx.execute(sql`
        select (select count(*)::int from stat_members) as members,
               (select count(*)::int from assignment_members) as assignment_rows,
               (select count(*)::int from member_credits) as credit_rows,
               (select count(*)::int from unit_stats where ${OWNED_METRICS_SQL}) as unit_stat_rows`),
    );
    return counts;
  });
  // Fresh planner statistics for the tables just refilled (PGlite has no autovacuum).
  await db.execute(sql`analyze units, unit_stats, assignment_members, member_credits, stat_members`);
  return {
    members: Number(report.members),
    assignmentRows: Number(report.assignment_rows),
    creditRows: Number(report.credit_rows),
    unitStatRows: Number(report.unit_stat_rows),
    ms: Math.round(performance.now() - started),
  };
}
