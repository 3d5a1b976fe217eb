// The live board in the browser: the loader's board first, then every board the server pushes
// over server-sent events (EventSource reconnects by itself after a network drop).
import { useEffect, useState } from "react";
import { useT } from "~/i18n/i18n";
import { rankUnits, type Board } from "./scoring";

export function useBoard(contestId: number, initial: Board) {
  const [board, setBoard] = useState(initial);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const source = new EventSource(`/contests/${contestId}/live`);
    source.addEventListener("board", (e) => {
      setBoard(JSON.parse((e as MessageEvent<string>).data));
      setLive(true);
    });
    source.onerror = () => setLive(false);
    return () => source.close();
  }, [contestId]);
  return { board, live };
}

export function BoardStats({ board, live }: { board: Board; live: boolean }) {
  const t = useT();
  const items = [
    ["contest.stat.entrants", board.entrants],
    ["contest.stat.finished", board.finished],
    ["contest.stat.average", board.averageScore],
    ["contest.stat.eligible", board.eligible],
  ] as const;
  return (
    <div className="space-y-2">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="board-stats">
        {items.map(([key, value]) => (
          <div key={key} className="rounded-lg bg-party-50 p-3 text-center">
            <dt className="text-gray-700">{t(key)}</dt>
            <dd className="text-2xl font-bold" data-testid={`stat-${key.slice("contest.stat.".length)}`}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      <p className="text-sm text-gray-600" aria-live="polite">
        {live ? `● ${t("contest.board.live")}` : ""}
      </p>
    </div>
  );
}

const rate = (r: number) => `${Math.round(r * 1000) / 10}%`;

export function BoardTables({ board }: { board: Board }) {
  const t = useT();
  const { byAverage, byParticipation } = rankUnits(board.units);
  return (
    <div className="space-y-4">
      <section className="card space-y-2">
        <h2 className="text-xl font-bold">{t("contest.board.top")}</h2>
        {board.top.length === 0 ? <p>{t("contest.board.empty")}</p> : null}
        <div className="overflow-x-auto">
          <table className="w-full text-left" data-testid="board-top">
            <thead>
              <tr className="border-b">
                <th className="py-2 pr-2">{t("contest.board.rank")}</th>
                <th className="py-2 pr-2">{t("contest.board.name")}</th>
                <th className="py-2 pr-2">{t("contest.board.unit")}</th>
                <th className="py-2 pr-2 text-right">{t("contest.board.score")}</th>
                <th className="py-2 text-right">{t("contest.board.time")}</th>
              </tr>
            </thead>
            <tbody>
              {board.top.map((r, i) => (
                <tr key={i} className="border-b last:border-0">
                  <td className="py-2 pr-2">{r.rank}</td>
                  <td className="py-2 pr-2">{r.name ?? t("rankings.anonymous")}</td>
                  <td className="py-2 pr-2">{r.unitName ?? "—"}</td>
                  <td className="py-2 pr-2 text-right">{r.score}</td>
                  <td className="py-2 text-right">{(r.totalMs / 1000).toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {(
        [
          ["contest.board.byAverage", byAverage, "board-units-average"],
          ["contest.board.byParticipation", byParticipation, "board-units-participation"],
        ] as const
      ).map(([title, rows, testId]) => (
        <section key={title} className="card space-y-2">
          <h2 className="text-xl font-bold">{t(title)}</h2>
          <div className="overflow-x-auto">
            <table className="w-full text-left" data-testid={testId}>
              <thead>
                <tr className="border-b">
                  <th className="py-2 pr-2">{t("contest.board.rank")}</th>
                  <th className="py-2 pr-2">{t("contest.board.unit")}</th>
                  <th className="py-2 pr-2 text-right">{t("contest.stat.average")}</th>
                  <th className="py-2 text-right">{t("contest.board.participation")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((u, i) => (
                  <tr key={u.unitId} className="border-b last:border-0">
                    <td className="py-2 pr-2">{i + 1}</td>
                    <td className="py-2 pr-2">{u.name}</td>
                    <td className="py-2 pr-2 text-right">{u.averageScore}</td>
                    <td className="py-2 text-right">
                      {rate(u.participation)} <span className="text-gray-600">({u.entrants}/{u.eligible})</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}
