// Per-process timers that move battles on when nobody acts: when a question times out or a
// player's grace after leaving runs out. Every instance that serves a battle's page schedules
// them (advancing is idempotent under the battle's row lock), and every request and live
// connection also advances what is overdue — so a lost timer only delays, never stalls.
import { eq } from "drizzle-orm";
import { db } from "~/db/client.server";
import { battlePlayers, battles } from "~/db/schema";
import { advanceBattle, dueAt } from "./battles.server";

const timers = new Map<number, { at: number; timer: ReturnType<typeof setTimeout> }>();

/** Advances battle `battleId` at `at` (ms since the epoch); null forgets it. An earlier or equal timer stays. */
export function scheduleAdvance(battleId: number, at: number | null) {
  const current = timers.get(battleId);
  if (at === null) {
    if (current) clearTimeout(current.timer);
    timers.delete(battleId);
    return;
  }
  if (current && current.at <= at && current.at > Date.now() - 1_000) return;
  if (current) clearTimeout(current.timer);
  // A few milliseconds late, so the deadline has surely passed when it fires.
  const timer = setTimeout(() => void fire(battleId), Math.max(0, at - Date.now()) + 20);
  timer.unref?.();
  timers.set(battleId, { at, timer });
}

async function fire(battleId: number) {
  timers.delete(battleId);
  try {
    scheduleAdvance(battleId, await advanceBattle(battleId));
  } catch (error) {
    console.error(`battles: advancing battle ${battleId} failed`, error);
    // Try again shortly; the pages' own checks cover the gap meanwhile.
    scheduleAdvance(battleId, Date.now() + 1_000);
  }
}

/** At start-up: timers for every running battle (another instance may have been serving them). */
export async function resumeBattleClocks() {
  const running = await db.select().from(battles).where(eq(battles.status, "running"));
  for (const b of running) {
    const players = await db.select().from(battlePlayers).where(eq(battlePlayers.battleId, b.id));
    scheduleAdvance(b.id, dueAt(b, players));
  }
}
