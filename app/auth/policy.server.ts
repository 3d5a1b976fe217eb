import { eq, like, or, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { db } from "~/db/client.server";
import { units, users } from "~/db/schema";

/**
 * Who may see and do what. Every loader and action goes through this module:
 * a role granted at a unit holds for that unit's subtree (units whose code starts
 * with the unit's code); a plain member sees only themselves.
 */
export type Role = "organiser" | "admin";
export type Grant = { unitId: number; unitCode: string; unitName: string; role: Role };
export type Viewer = {
  id: number;
  sessionId: string;
  name: string;
  employeeNo: string;
  unitId: number;
  unitCode: string;
  unitName: string;
  status: "full" | "probationary" | "activist" | "staff";
  isCadre: boolean;
  mustChangePassword: boolean;
  locale: string | null;
  grants: Grant[];
};

const rank: Record<Role, number> = { organiser: 1, admin: 2 };

/** Code prefixes of the subtrees where the viewer holds `role` or a stronger one. */
export function scopePrefixes(viewer: Viewer, role: Role): string[] {
  const prefixes = viewer.grants.filter((g) => rank[g.role] >= rank[role]).map((g) => g.unitCode);
  // Drop prefixes already covered by a shorter one.
  return prefixes.filter((p) => !prefixes.some((q) => q !== p && p.startsWith(q)));
}

export function hasAnyRole(viewer: Viewer, role: Role = "organiser") {
  return scopePrefixes(viewer, role).length > 0;
}

export function coversCode(viewer: Viewer, unitCode: string, role: Role) {
  return scopePrefixes(viewer, role).some((p) => unitCode.startsWith(p));
}

/** SQL condition "code column lies in one of the viewer's subtrees"; false when none. */
export function inScope(codeColumn: AnyPgColumn, viewer: Viewer, role: Role): SQL {
  const prefixes = scopePrefixes(viewer, role);
  if (prefixes.length === 0) return sql`false`;
  return or(...prefixes.map((p) => like(codeColumn, `${p}%`)))!;
}

export function forbidden(): never {
  throw new Response("Forbidden", { status: 403 });
}

export function notFound(): never {
  throw new Response("Not found", { status: 404 });
}

/** Parses a route id; anything but a positive integer is simply not found. */
/** A positive id from a URL segment or field, or null. */
export function idOrNull(value: string | undefined | null): number | null {
  if (!value || !/^\d{1,9}$/.test(value)) return null;
  const id = Number(value);
  return id > 0 ? id : null;
}

export function parseId(value: string | undefined | null): number {
  return idOrNull(value) ?? notFound();
}

/** For pages behind /admin: the viewer must hold a role somewhere. */
export function requireRole(viewer: Viewer, role: Role = "organiser") {
  if (!hasAnyRole(viewer, role)) forbidden();
}

/** A unit inside the viewer's scope for `role`; 404 for units outside it, so nothing leaks. */
export async function requireUnitInScope(viewer: Viewer, unitId: number, role: Role) {
  requireRole(viewer, role);
  const [unit] = await db.select().from(units).where(eq(units.id, unitId));
  if (!unit || !coversCode(viewer, unit.code, role)) notFound();
  return unit;
}

/** A member whose home unit lies in the viewer's scope for `role`. */
export async function requireMemberInScope(viewer: Viewer, userId: number, role: Role) {
  requireRole(viewer, role);
  const [row] = await db
    .select({ user: users, unitCode: units.code, unitName: units.name })
    .from(users)
    .innerJoin(units, eq(units.id, users.unitId))
    .where(eq(users.id, userId));
  if (!row || !coversCode(viewer, row.unitCode, role)) notFound();
  return row;
}
