// The home page's card of contests open now for the member.
import { Link } from "@remix-run/react";
import { useT } from "~/i18n/i18n";

export type OpenContest = { id: number; title: string; closes: string; entered: boolean; finished: boolean };

export function OpenContestsCard({ contests }: { contests: OpenContest[] }) {
  const t = useT();
  if (contests.length === 0) return null;
  return (
    <section className="card space-y-2" data-testid="open-contests">
      <h2 className="text-xl font-bold">{t("contest.home.title")}</h2>
      <ul className="space-y-2">
        {contests.map((c) => (
          <li key={c.id} className="flex flex-wrap items-center justify-between gap-2 rounded-lg border border-gray-200 p-3">
            <span>
              <span className="text-lg font-semibold">{c.title}</span> <span className="text-gray-600">· {t("contest.home.until", { time: c.closes })}</span>
            </span>
            <Link to={`/contests/${c.id}`} className="btn">
              {t(c.finished ? "contest.home.result" : c.entered ? "contest.home.resume" : "contest.home.enter")}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
