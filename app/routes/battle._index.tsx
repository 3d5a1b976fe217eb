// 双人对战 / 四人赛: ask for a match, wait (the page polls; every poll is a matching round), and go
// to the battle once matched; after 30 s without a match the member may try again.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect } from "react";
import { requireViewer } from "~/auth/session.server";
import { advanceIfDue, closesAt, recentBattles, timing } from "~/battles/battles.server";
import { scheduleAdvance } from "~/battles/clock.server";
import { queueActionSchema } from "~/battles/forms";
import {
  activeBattleOf,
  joinQueue,
  leaveQueue,
  pollQueue,
  queueState,
  ratingOf,
  type QueueOutcome,
  type QueueState,
} from "~/battles/matchmaking.server";
import type { BattleSize } from "~/battles/rules";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "答题对战 · 网上党校" }];

/** How often the waiting page polls. */
const POLL_MS = 1_000;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const active = await activeBattleOf(viewer.id);
  // A battle left behind by a restart is brought up to date first; if it is still on, go back to it.
  if (active) {
    await advanceIfDue(active);
    if ((await activeBattleOf(viewer.id)) === active) throw redirect(`/battle/${active}`);
  }
  const [rating, queue, recent] = await Promise.all([ratingOf(viewer.id), queueState(viewer.id, new Date()), recentBattles(viewer.id)]);
  return {
    rating: { rating: rating.rating, played: rating.played, won: rating.won },
    queue,
    recent: recent.map((r) => ({ ...r, finishedAt: r.finishedAt?.toISOString() ?? null })),
    secondsPerQuestion: timing.secondsPerQuestion,
  };
}

function started({ queue, formed }: QueueOutcome) {
  for (const b of formed) scheduleAdvance(b.id, closesAt(b));
  if (queue.state === "matched") throw redirect(`/battle/${queue.battleId}`);
  return { queue };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const parsed = queueActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ queue: null }, { status: 400 });
  const intent = parsed.data;
  if (intent.intent === "join") return started(await joinQueue(viewer.id, intent.size as BattleSize));
  if (intent.intent === "poll") return started(await pollQueue(viewer.id));
  await leaveQueue(viewer.id);
  return { queue: { state: "idle" } as QueueState };
}

export default function BattleLobby() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const queue: QueueState = fetcher.data?.queue ?? d.queue;
  const waiting = queue.state === "waiting";

  // While waiting, poll: each poll is a matching round, and tells the server the page is still open.
  useEffect(() => {
    if (!waiting || fetcher.state !== "idle") return;
    const timer = setTimeout(() => fetcher.submit({ intent: "poll" }, { method: "post" }), POLL_MS);
    return () => clearTimeout(timer);
  }, [waiting, fetcher, fetcher.state, fetcher.data]);

  const join = (size: number) => (
    <fetcher.Form method="post" key={size}>
      <input type="hidden" name="intent" value="join" />
      <input type="hidden" name="size" value={size} />
      <button type="submit" className="btn w-full text-xl" disabled={fetcher.state !== "idle"}>
        {size === 2 ? t("battles.duel") : t("battles.four")}
      </button>
    </fetcher.Form>
  );

  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <header className="space-y-1">
        <h1 className="text-2xl font-bold">{t("battles.title")}</h1>
        <p className="text-gray-700">{t("battles.intro", { seconds: d.secondsPerQuestion })}</p>
        <p className="font-semibold">{t("battles.rating", d.rating)}</p>
      </header>
      {waiting ? (
        <section className="card space-y-3" aria-live="polite">
          <p className="text-xl font-semibold" role="status">
            {t("battles.waiting", { size: queue.size })}
          </p>
          <p className="text-gray-700">{t("battles.waited", { seconds: Math.floor(queue.waitedMs / 1000) })}</p>
          <fetcher.Form method="post">
            <input type="hidden" name="intent" value="cancel" />
            <button type="submit" className="btn-secondary w-full">
              {t("battles.cancel")}
            </button>
          </fetcher.Form>
        </section>
      ) : (
        <section className="card space-y-3">
          {queue.state === "noOpponent" ? (
            <div className="rounded-lg bg-amber-50 p-3 text-amber-900" role="alert">
              <p>{t("battles.noOpponent")}</p>
              <p className="font-semibold">{t("battles.tryAgain")}</p>
            </div>
          ) : null}
          <div className="grid gap-3 sm:grid-cols-2">{[2, 4].map(join)}</div>
        </section>
      )}
      <section className="card">
        <h2 className="text-xl font-bold">{t("battles.recent")}</h2>
        {d.recent.length === 0 ? (
          <p className="mt-2 text-gray-700">{t("battles.none")}</p>
        ) : (
          <ul className="mt-2 space-y-2">
            {d.recent.map((r) => (
              <li key={r.id}>
                <Link to={`/battle/${r.id}`} className="link">
                  {t("battles.recentItem", { size: r.size, place: r.place ?? "-", score: r.score })}
                </Link>{" "}
                <span className="text-gray-600">{t("battles.ratingChange", { from: r.ratingBefore, to: r.ratingAfter ?? r.ratingBefore })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
