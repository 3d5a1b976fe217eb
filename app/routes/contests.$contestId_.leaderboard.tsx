// 实时排行榜: top entrants, and units by average score and by participation, updated live.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { BoardStats, BoardTables, useBoard } from "~/contests/board";
import { phaseOf, requireVisibleContest, settled } from "~/contests/contests.server";
import { computeBoard } from "~/contests/live.server";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "实时排行榜 · 网上党校" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const contest = await settled(await requireVisibleContest(viewer, parseId(params.contestId)));
  return { contest: { id: contest.id, title: contest.title, phase: phaseOf(contest) }, board: await computeBoard(contest.id) };
}

export default function Leaderboard() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const { board, live } = useBoard(d.contest.id, d.board);
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <section className="card space-y-2">
        <Link to={`/contests/${d.contest.id}`} className="link">
          ← {d.contest.title}
        </Link>
        <h1 className="text-2xl font-bold">
          {t("contest.leaderboard")} · {t(`contest.status.${d.contest.phase}`)}
        </h1>
        <BoardStats board={board} live={live} />
      </section>
      <BoardTables board={board} />
    </div>
  );
}
