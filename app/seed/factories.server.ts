// Builders shared by the demo seed, the tests and the benchmarks.
import { db } from "~/db/client.server";
import { roleGrants, users } from "~/db/schema";
import { hashPassword } from "~/auth/password.server";
import { isCadrePosition, type MemberStatus, type UnitKind } from "~/org/kinds";
import { createUnit } from "~/org/units.server";

export type UnitSpec = { name: string; kind: UnitKind; children?: UnitSpec[] };

/** Creates a tree of units; returns them by name. */
export async function makeUnitTree(spec: UnitSpec, parentId: number | null = null) {
  const byName = new Map<string, Awaited<ReturnType<typeof createUnit>>>();
  async function build(node: UnitSpec, parent: number | null) {
    const unit = await createUnit({ parentId: parent, kind: node.kind, name: node.name });
    byName.set(node.name, unit);
    for (const child of node.children ?? []) await build(child, unit.id);
  }
  await build(spec, parentId);
  return byName;
}

const hashes = new Map<string, Promise<string>>();
/** Hashing is deliberately slow; factories reuse one hash per password. */
function cachedHash(password: string) {
  let found = hashes.get(password);
  if (!found) {
    found = hashPassword(password);
    hashes.set(password, found);
  }
  return found;
}

let sequence = 0;

export type MemberSpec = {
  unitId: number;
  name?: string;
  employeeNo?: string;
  phone?: string | null;
  status?: MemberStatus;
  position?: string;
  password?: string;
  mustChangePassword?: boolean;
  joinedPartyOn?: string | null;
  grants?: { unitId: number; role: "organiser" | "admin" }[];
};

export const DEFAULT_TEST_PASSWORD = "Test@12345";

export async function makeMember(spec: MemberSpec) {
  sequence += 1;
  const position = spec.position ?? "";
  const [user] = await db
    .insert(users)
    .values({
      unitId: spec.unitId,
      name: spec.name ?? `测试党员${sequence}`,
      employeeNo: spec.employeeNo ?? `T${process.pid % 1000}${String(sequence).padStart(6, "0")}`,
      phone: spec.phone ?? null,
      status: spec.status ?? "full",
      position,
      isCadre: isCadrePosition(position),
      joinedPartyOn: spec.joinedPartyOn ?? null,
      passwordHash: await cachedHash(spec.password ?? DEFAULT_TEST_PASSWORD),
      mustChangePassword: spec.mustChangePassword ?? false,
    })
    .returning();
  if (spec.grants?.length) {
    await db.insert(roleGrants).values(spec.grants.map((g) => ({ userId: user.id, unitId: g.unitId, role: g.role })));
  }
  return user;
}
