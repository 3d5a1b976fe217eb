// The live connection of a player's battle page (server-sent events). It sends the battle as the
// player may see it: at once, on every change announced on the bus (from any instance), and when
// a question is due to appear. While it is open the player counts as present; when it closes
// they have a few seconds to come back (a reload, a network hiccup) before they forfeit.
import { eventStream } from "~/realtime/sse.server";
import { bus } from "~/realtime/bus.server";
import { advanceIfDue, battleTopic, battleView, markGone, markPresent } from "./battles.server";
import { scheduleAdvance } from "./clock.server";

/** How often an open connection re-checks the battle (presence, anything overdue). */
const TICK_MS = 2_000;

export function battleEvents(request: Request, battleId: number, userId: number): Response {
  return eventStream(request, async (send, close) => {
    let stopped = false;
    let finished = false;
    let reveal: ReturnType<typeof setTimeout> | undefined;
    // One view at a time, in order: a burst of changes must not send an older view last.
    let queue = Promise.resolve();
    const push = () => {
      queue = queue
        .then(async () => {
          if (stopped) return;
          const view = await battleView(battleId, userId);
          if (!view || stopped) return;
          send("state", view);
          scheduleAdvance(battleId, view.dueAt);
          clearTimeout(reveal);
          // Nothing in the database changes when a question's time to appear comes: wake up for it.
          if ((view.phase === "starting" || view.phase === "reveal") && view.servedAt) {
            reveal = setTimeout(push, Math.max(0, view.servedAt - Date.now()) + 20);
          }
          if (view.phase === "finished") {
            finished = true;
            close();
          }
        })
        .catch((error) => console.error(`battles: live view of battle ${battleId} failed`, error));
    };
    await markPresent(battleId, userId);
    await advanceIfDue(battleId);
    const unsubscribe = await bus.subscribe(battleTopic(battleId), push);
    push();
    const tick = setInterval(() => {
      void markPresent(battleId, userId)
        .then(() => advanceIfDue(battleId))
        .then((due) => scheduleAdvance(battleId, due))
        .catch((error) => console.error(`battles: tick of battle ${battleId} failed`, error));
    }, TICK_MS);
    tick.unref?.();
    return () => {
      stopped = true;
      clearInterval(tick);
      clearTimeout(reveal);
      unsubscribe();
      if (!finished) {
        void markGone(battleId, userId)
          .then((due) => scheduleAdvance(battleId, due))
          .catch((error) => console.error(`battles: leaving battle ${battleId} failed`, error));
      }
    };
  });
}
