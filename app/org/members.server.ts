import { and, asc, count, eq, ilike, like, or, type SQL } from "drizzle-orm";
import { db } from "~/db/client.server";
import { roleGrants, sessions, units, users } from "~/db/schema";
import { hashPassword } from "~/auth/password.server";
import { syncMemberStats } from "~/stats/aggregate.server";
import { isCadrePosition, type MemberStatus } from "./kinds";
import { OrgError } from "./units.server";

export type MemberInput = {
  name: string;
  employeeNo: string;
  phone: string | null;
  unitId: number;
  status: MemberStatus;
  position: string;
  joinedPartyOn: string | null;
};

const PAGE_SIZE = 50;

/** Members whose home unit lies in the subtree `code`, optionally matching a search. */
export async function listMembers(code: string, { q, page = 1 }: { q?: string; page?: number } = {}) {
  const conditions: SQL[] = [like(units.code, `${code}%`)];
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(users.name, pattern), ilike(users.employeeNo, pattern), ilike(users.phone, pattern))!);
  }
  const where = and(...conditions);
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({
        id: users.id,
        name: users.name,
        employeeNo: users.employeeNo,
        phone: users.phone,
        status: users.status,
        position: users.position,
        disabled: users.disabled,
        unitName: units.name,
        unitCode: units.code,
      })
      .from(users)
      .innerJoin(units, eq(units.id, users.unitId))
      .where(where)
      .orderBy(asc(units.code), asc(users.employeeNo))
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE),
    db.select({ total: count() }).from(users).innerJoin(units, eq(units.id, users.unitId)).where(where),
  ]);
  return { rows, total, pageSize: PAGE_SIZE };
}

async function assertUniqueLogin(employeeNo: string, phone: string | null, exceptUserId?: number) {
  const clash = await db
    .select({ id: users.id, employeeNo: users.employeeNo, phone: users.phone })
    .from(users)
    .where(or(eq(users.employeeNo, employeeNo), phone ? eq(users.phone, phone) : undefined));
  for (const row of clash) {
    if (row.id === exceptUserId) continue;
    if (row.employeeNo === employeeNo) throw new OrgError("employeeNo", "error.employeeNoTaken");
    if (phone && row.phone === phone) throw new OrgError("phone", "error.phoneTaken");
  }
}

export async function createMember(input: MemberInput & { password: string }) {
  await assertUniqueLogin(input.employeeNo, input.phone);
  const [user] = await db
    .insert(users)
    .values({
      ...input,
      isCadre: isCadrePosition(input.position),
      passwordHash: await hashPassword(input.password),
      mustChangePassword: true,
    })
    .returning({ id: users.id });
  await syncMemberStats(db, [user.id]);
  return user;
}

export async function updateMember(userId: number, input: MemberInput) {
  await assertUniqueLogin(input.employeeNo, input.phone, userId);
  await db
    .update(users)
    .set({ ...input, isCadre: isCadrePosition(input.position), updatedAt: new Date() })
    .where(eq(users.id, userId));
  // Unit, category or position may have changed: the member's figures follow them.
  await syncMemberStats(db, [userId]);
}

/** Disabling signs the member out everywhere. */
export async function setMemberDisabled(userId: number, disabled: boolean) {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ disabled, updatedAt: new Date() }).where(eq(users.id, userId));
    if (disabled) await tx.delete(sessions).where(eq(sessions.userId, userId));
    await syncMemberStats(tx, [userId]);
  });
}

/** An organiser's reset: a temporary password the member must replace at next login. */
export async function resetMemberPassword(userId: number, temporaryPassword: string) {
  const passwordHash = await hashPassword(temporaryPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, mustChangePassword: true, updatedAt: new Date() }).where(eq(users.id, userId));
    await tx.delete(sessions).where(eq(sessions.userId, userId));
  });
}

export async function grantsOf(userId: number) {
  return db
    .select({ id: roleGrants.id, role: roleGrants.role, unitId: units.id, unitName: units.name, unitCode: units.code })
    .from(roleGrants)
    .innerJoin(units, eq(units.id, roleGrants.unitId))
    .where(eq(roleGrants.userId, userId))
    .orderBy(asc(units.code));
}

export async function grantRole(userId: number, unitId: number, role: "organiser" | "admin", grantedBy: number) {
  await db.insert(roleGrants).values({ userId, unitId, role, grantedBy }).onConflictDoNothing();
}

export async function revokeGrant(grantId: number) {
  await db.delete(roleGrants).where(eq(roleGrants.id, grantId));
}

export async function getGrant(grantId: number) {
  const [row] = await db
    .select({ id: roleGrants.id, userId: roleGrants.userId, role: roleGrants.role, unitCode: units.code })
    .from(roleGrants)
    .innerJoin(units, eq(units.id, roleGrants.unitId))
    .where(eq(roleGrants.id, grantId));
  return row ?? null;
}
