// Rule administration: a committee admin changes a rule's amount or daily cap from a stated day
// (today or later). The change is a new version; entries already earned keep theirs.
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { pointRules } from "~/db/schema";
import { ensureDefaultPointRules, type RuleVersion } from "./ledger.server";
import { addDays } from "~/stats/metrics";
import { DEFAULT_RULES, pointsDay, type RuleCode } from "./rules";

export class RuleChangeError extends Error {
  constructor(
    public field: "effectiveFrom" | "amount" | "dailyCap" | "code",
    public key: string,
  ) {
    super(key);
  }
}

/** Every version of every rule, newest first within a rule, rules in the design table's order. */
export async function listRuleVersions() {
  await ensureDefaultPointRules();
  const rows = await db.select().from(pointRules).orderBy(asc(pointRules.code), desc(pointRules.version));
  const order = new Map(DEFAULT_RULES.map((r, i) => [r.code as string, i]));
  return rows.sort((a, b) => (order.get(a.code) ?? 99) - (order.get(b.code) ?? 99) || b.version - a.version);
}

export async function changeRule(input: {
  code: RuleCode;
  amount: number;
  dailyCap: number | null;
  effectiveFrom: string;
  note: string;
  by: number;
  today?: string;
}): Promise<RuleVersion> {
  const today = input.today ?? pointsDay();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.effectiveFrom) || input.effectiveFrom < today) throw new RuleChangeError("effectiveFrom", "points.admin.v.notPast");
  if (input.effectiveFrom > addDays(today, 366)) throw new RuleChangeError("effectiveFrom", "points.admin.v.tooFar");
  if (!Number.isInteger(input.amount) || input.amount < 0 || input.amount > 100) throw new RuleChangeError("amount", "points.admin.v.amount");
  if (input.dailyCap !== null && (!Number.isInteger(input.dailyCap) || input.dailyCap < 1 || input.dailyCap > 1000))
    throw new RuleChangeError("dailyCap", "points.admin.v.cap");
  await ensureDefaultPointRules();
  return db.transaction(async (tx) => {
    // Two admins saving at once: one after the other, each gets its own version number.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`point_rules:${input.code}`}))`);
    const [last] = await tx
      .select({ version: sql<number>`coalesce(max(${pointRules.version}), 0)::int` })
      .from(pointRules)
      .where(eq(pointRules.code, input.code));
    const [row] = await tx
      .insert(pointRules)
      .values({
        code: input.code,
        version: Number(last.version) + 1,
        amount: input.amount,
        dailyCap: input.dailyCap,
        effectiveFrom: input.effectiveFrom,
        note: input.note,
        createdBy: input.by,
      })
      .returning();
    return row;
  });
}

/**
 * Changes announced to members: versions after the first, from `sinceDays` ago on, including
 * those that take effect later. Newest effective day first.
 */
export async function ruleAnnouncements({ sinceDays = 90, today = pointsDay(), limit = 20 } = {}) {
  return db
    .select({
      id: pointRules.id,
      code: pointRules.code,
      version: pointRules.version,
      amount: pointRules.amount,
      dailyCap: pointRules.dailyCap,
      effectiveFrom: pointRules.effectiveFrom,
      note: pointRules.note,
    })
    .from(pointRules)
    .where(and(gt(pointRules.version, 1), sql`${pointRules.effectiveFrom} >= ${addDays(today, -sinceDays)}`))
    .orderBy(desc(pointRules.effectiveFrom), desc(pointRules.version))
    .limit(limit);
}
