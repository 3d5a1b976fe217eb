// "My branch" and "my committee" of a member, for feeds and leaderboards. The branch is the
// nearest unit of kind branch on the path from the member's unit to the root (a member of a group
// belongs to the group's branch); a member placed directly in a general branch or a committee has
// that unit as their "branch". The committee is the root of the member's tree.
import { and, desc, eq, inArray } from "drizzle-orm";
import { db } from "~/db/client.server";
import { units } from "~/db/schema";
import { CODE_SEGMENT } from "~/org/kinds";

export function committeeCodeOf(unitCode: string) {
  return unitCode.slice(0, CODE_SEGMENT);
}

function ancestorsOrSelf(unitCode: string) {
  const prefixes: string[] = [];
  for (let i = CODE_SEGMENT; i <= unitCode.length; i += CODE_SEGMENT) prefixes.push(unitCode.slice(0, i));
  return prefixes;
}

export async function branchOf(unitCode: string): Promise<{ id: number; code: string; name: string } | null> {
  if (!unitCode) return null;
  const [branch] = await db
    .select({ id: units.id, code: units.code, name: units.name })
    .from(units)
    .where(and(inArray(units.code, ancestorsOrSelf(unitCode)), eq(units.kind, "branch")))
    .orderBy(desc(units.depth))
    .limit(1);
  if (branch) return branch;
  const [own] = await db.select({ id: units.id, code: units.code, name: units.name }).from(units).where(eq(units.code, unitCode));
  return own ?? null;
}

export async function branchCodeOf(unitCode: string) {
  return (await branchOf(unitCode))?.code ?? unitCode;
}
