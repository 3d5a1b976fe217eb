import { eq, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { loginThrottle } from "~/db/schema";

/** Failures allowed in one window before the key is locked for `lockMinutes`. */
export const LIMITS = {
  account: { failures: 5, windowMinutes: 15, lockMinutes: 15 },
  ip: { failures: 30, windowMinutes: 15, lockMinutes: 15 },
} as const;

type Kind = keyof typeof LIMITS;

export function throttleKey(kind: Kind, value: string) {
  return `${kind}:${value.toLowerCase()}`;
}

/** Seconds the caller must still wait, or 0 when the key may try again. */
export async function secondsLocked(keys: string[], now = new Date()) {
  let wait = 0;
  for (const key of keys) {
    const [row] = await db.select().from(loginThrottle).where(eq(loginThrottle.key, key));
    if (row?.lockedUntil && row.lockedUntil > now) {
      wait = Math.max(wait, Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000));
    }
  }
  return wait;
}

/** Counts one failure atomically (one statement, safe across instances) and locks when over the limit. */
export async function recordFailure(kind: Kind, key: string, now = new Date()) {
  const limit = LIMITS[kind];
  const windowStart = new Date(now.getTime() - limit.windowMinutes * 60_000);
  const lockUntil = new Date(now.getTime() + limit.lockMinutes * 60_000);
  await db
    .insert(loginThrottle)
    .values({ key, failures: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: loginThrottle.key,
      set: {
        failures: sql`case when ${loginThrottle.windowStartedAt} < ${windowStart} then 1 else ${loginThrottle.failures} + 1 end`,
        windowStartedAt: sql`case when ${loginThrottle.windowStartedAt} < ${windowStart} then ${now} else ${loginThrottle.windowStartedAt} end`,
      },
    });
  await db
    .update(loginThrottle)
    .set({ lockedUntil: lockUntil, failures: 0, windowStartedAt: now })
    .where(sql`${loginThrottle.key} = ${key} and ${loginThrottle.failures} >= ${limit.failures}`);
}

export async function clearFailures(key: string) {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}
