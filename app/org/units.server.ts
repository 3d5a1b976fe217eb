import { and, asc, count, eq, inArray, like, or, sql } from "drizzle-orm";
import { catalogueChanged } from "~/courses/lesson-cache.server";
import { unitsChanged } from "./unit-cache.server";
import { db } from "~/db/client.server";
import { roleGrants, units, users } from "~/db/schema";
import { qualified } from "~/db/sql.server";
import type { MessageKey } from "~/i18n/messages";
import { CHILD_KINDS, CODE_SEGMENT, type UnitKind } from "./kinds";

export type Unit = typeof units.$inferSelect;

/** A refused change; `key` is the message shown to the user, `field` the form field it concerns. */
export class OrgError extends Error {
  constructor(
    public field: string,
    public key: MessageKey,
  ) {
    super(key);
  }
}

/** Every unit in the subtree rooted at `code`, ordered as the tree reads. */
export function listSubtree(code: string) {
  return db.select().from(units).where(like(units.code, `${code}%`)).orderBy(asc(units.code));
}

export async function getUnitByCode(code: string) {
  const [unit] = await db.select().from(units).where(eq(units.code, code));
  return unit ?? null;
}

/** Names from the root down to the unit, e.g. "集团党委 / 第一党总支 / 运行党支部". */
export async function unitPath(code: string) {
  const prefixes: string[] = [];
  for (let i = CODE_SEGMENT; i <= code.length; i += CODE_SEGMENT) prefixes.push(code.slice(0, i));
  const rows = await db
    .select({ code: units.code, name: units.name })
    .from(units)
    .where(inArray(units.code, prefixes))
    .orderBy(asc(units.code));
  return rows;
}

type Executor = Pick<typeof db, "select">;

// Takes the transaction when called inside one: PGlite has a single connection, so a query
// on `db` while a transaction holds it would wait forever.
async function nextChildCode(parentCode: string, preferredSegment?: string, executor: Executor = db) {
  const children = await executor
    .select({ code: units.code })
    .from(units)
    .where(and(like(units.code, `${parentCode}${"_".repeat(CODE_SEGMENT)}`)));
  const taken = new Set(children.map((c) => c.code.slice(parentCode.length)));
  if (preferredSegment && !taken.has(preferredSegment)) return parentCode + preferredSegment;
  for (let n = 1; n < 10 ** CODE_SEGMENT; n++) {
    const segment = String(n).padStart(CODE_SEGMENT, "0");
    if (!taken.has(segment)) return parentCode + segment;
  }
  throw new OrgError("kind", "error.codesFull");
}

function assertKindFits(parent: Unit | null, kind: UnitKind) {
  if (!parent) {
    if (kind !== "committee") throw new OrgError("kind", "error.rootMustBeCommittee");
    return;
  }
  if (!CHILD_KINDS[parent.kind].includes(kind)) {
    throw new OrgError("kind", "error.kindNotAllowed");
  }
}

export async function createUnit(input: { parentId: number | null; kind: UnitKind; name: string }) {
  const parent = input.parentId ? (await db.select().from(units).where(eq(units.id, input.parentId)))[0] ?? null : null;
  if (input.parentId && !parent) throw new OrgError("parentId", "error.unitMissing");
  assertKindFits(parent, input.kind);
  const code = await nextChildCode(parent?.code ?? "");
  const [unit] = await db
    .insert(units)
    .values({ parentId: parent?.id ?? null, kind: input.kind, name: input.name, code, depth: code.length / CODE_SEGMENT })
    .returning();
  // A new child changes its parent's list of children.
  await unitsChanged();
  return unit;
}

export async function renameUnit(unitId: number, name: string) {
  await db.update(units).set({ name }).where(eq(units.id, unitId));
  await unitsChanged();
}

/** Moves a unit and its whole subtree under a new parent; codes below it follow. */
export async function moveUnit(unitId: number, newParentId: number) {
  const moved = await db.transaction(async (tx) => {
    const [unit] = await tx.select().from(units).where(eq(units.id, unitId));
    const [parent] = await tx.select().from(units).where(eq(units.id, newParentId));
    if (!unit || !parent) throw new OrgError("parentId", "error.unitMissing");
    if (parent.code.startsWith(unit.code)) throw new OrgError("parentId", "error.moveIntoSelf");
    if (unit.parentId === parent.id) return unit;
    assertKindFits(parent, unit.kind);
    const newCode = await nextChildCode(parent.code, unit.code.slice(-CODE_SEGMENT), tx);
    const depthDelta = (newCode.length - unit.code.length) / CODE_SEGMENT;
    await tx.execute(sql`
      update ${units}
      set code = ${newCode} || substr(code, ${unit.code.length + 1}),
          depth = depth + ${depthDelta}
      where code like ${unit.code + "%"}`);
    await tx.update(units).set({ parentId: parent.id }).where(eq(units.id, unit.id));
    return { ...unit, code: newCode, parentId: parent.id };
  });
  // The subtree's codes changed, and with them who sees its courses.
  await unitsChanged();
  await catalogueChanged();
  return moved;
}

/** Deletes a unit that has no sub-units and no members. */
export async function deleteUnit(unitId: number) {
  const [{ children }] = await db.select({ children: count() }).from(units).where(eq(units.parentId, unitId));
  if (children > 0) throw new OrgError("unit", "error.unitHasChildren");
  const [{ members }] = await db.select({ members: count() }).from(users).where(eq(users.unitId, unitId));
  if (members > 0) throw new OrgError("unit", "error.unitHasMembers");
  try {
    await db.transaction(async (tx) => {
      await tx.delete(roleGrants).where(eq(roleGrants.unitId, unitId));
      await tx.delete(units).where(eq(units.id, unitId));
    });
  } catch {
    throw new OrgError("unit", "error.unitInUse");
  }
  await unitsChanged();
}

/** Direct children with their member counts over the whole subtree. */
export async function childrenWithCounts(unit: Unit) {
  return db
    .select({
      id: units.id,
      name: units.name,
      kind: units.kind,
      code: units.code,
      members: sql<number>`(select count(*)::int from ${users} u join ${units} s on s.id = u.unit_id where s.code like ${qualified(units.code)} || '%')`,
    })
    .from(units)
    .where(eq(units.parentId, unit.id))
    .orderBy(asc(units.code));
}

/** Units inside any of the given subtrees (the viewer's scope), for pickers. */
export async function listUnitsUnder(prefixes: string[], limit = 2000) {
  if (prefixes.length === 0) return [];
  return db
    .select({ id: units.id, name: units.name, code: units.code, kind: units.kind, depth: units.depth })
    .from(units)
    .where(or(...prefixes.map((p) => like(units.code, `${p}%`))))
    .orderBy(asc(units.code))
    .limit(limit);
}
