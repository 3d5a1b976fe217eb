import { and, eq, ne, or } from "drizzle-orm";
import { db } from "~/db/client.server";
import { sessions, users } from "~/db/schema";
import { hashPassword, verifyPassword } from "./password.server";
import { clearFailures, recordFailure, secondsLocked, throttleKey } from "./throttle.server";

export type LoginResult =
  | { ok: true; userId: number; mustChangePassword: boolean }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; waitSeconds: number };

// A real hash to verify against when the account does not exist, so timing does not tell.
let decoyHash: Promise<string> | undefined;

/** Checks a login by employee number or phone, counting failures per account and per IP. */
export async function attemptLogin(identifier: string, password: string, ip: string): Promise<LoginResult> {
  const accountKey = throttleKey("account", identifier);
  const ipKey = throttleKey("ip", ip);
  const wait = await secondsLocked([accountKey, ipKey]);
  if (wait > 0) return { ok: false, reason: "locked", waitSeconds: wait };

  const [user] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, disabled: users.disabled, mustChangePassword: users.mustChangePassword })
    .from(users)
    .where(or(eq(users.employeeNo, identifier), eq(users.phone, identifier)));
  decoyHash ??= hashPassword("decoy-password-never-used");
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash), password);
  if (!user || !valid || user.disabled) {
    await recordFailure("account", accountKey);
    await recordFailure("ip", ipKey);
    const waitAfter = await secondsLocked([accountKey, ipKey]);
    if (waitAfter > 0) return { ok: false, reason: "locked", waitSeconds: waitAfter };
    return { ok: false, reason: "invalid" };
  }
  await clearFailures(accountKey);
  return { ok: true, userId: user.id, mustChangePassword: user.mustChangePassword };
}

/** Sets a new password and signs out every other session of the member. */
export async function changePassword(userId: number, currentPassword: string, newPassword: string, keepSessionId: string) {
  const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) return { ok: false as const };
  const passwordHash = await hashPassword(newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, mustChangePassword: false, updatedAt: new Date() }).where(eq(users.id, userId));
    await tx.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)));
  });
  return { ok: true as const };
}
