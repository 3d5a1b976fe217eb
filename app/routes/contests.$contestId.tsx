// 知识竞赛 for a member: the rules and the start button, then the questions one at a time, then
// the score, rank and explanations (at once or after closing, as the organiser chose).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { phaseOf, requireVisibleContest, settled } from "~/contests/contests.server";
import { chinaText } from "~/contests/forms";
import { Play } from "~/contests/play";
import { contestContent, enterContest, myResult, playState, type ServedQuestion, type Started } from "~/contests/play.server";
import { useT } from "~/i18n/i18n";
import { ReviewItem } from "~/quiz/components";

export const meta: MetaFunction = () => [{ title: "知识竞赛 · 网上党校" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const contest = await settled(await requireVisibleContest(viewer, parseId(params.contestId)));
  const phase = phaseOf(contest);
  const content = await contestContent(contest.id);
  const info = {
    id: contest.id,
    title: contest.title,
    description: contest.description,
    phase,
    window: { opens: chinaText(contest.opensAt), closes: chinaText(contest.closesAt) },
    count: content?.versions.length ?? 0,
    seconds: contest.secondsPerQuestion,
    eligible: viewer.unitCode.startsWith(contest.unitCode),
  };
  const state = await playState(viewer, contest);
  if (state.state === "question") return { contest: info, state: "question" as const, question: state.question, score: state.score, result: null };
  if (state.state === "finished") return { contest: info, state: "finished" as const, question: null, score: 0, result: await myResult(viewer, contest) };
  return { contest: info, state: "intro" as const, question: null, score: 0, result: null };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const contest = await requireVisibleContest(viewer, parseId(params.contestId));
  const entered = await enterContest(viewer, contest);
  if (entered.status === "refused") return data({ error: entered.reason }, { status: 409 });
  return redirect(`/contests/${contest.id}`);
}

/**
 * Start, in one request to the direct answer endpoint: it enters the member and serves the first
 * question. Without a reply it understands (network trouble, a session that ended: the page's
 * own action then signs the member in again) the form posts to the action instead.
 */
function useStart(contestId: number) {
  const revalidator = useRevalidator();
  const [started, setStarted] = useState<{ contestId: number; question: ServedQuestion; score: number } | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setPending(true);
    let reply: Started;
    try {
      const res = await fetch(`/contests/${contestId}/answer`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ intent: "start" }) });
      if (![200, 404, 409].includes(res.status)) throw new Error(`start: ${res.status}`);
      reply = await res.json();
    } catch {
      setPending(false);
      form.submit();
      return;
    }
    setPending(false);
    if (!reply.ok) setRefusal(reply.error);
    else if (reply.question) setStarted({ contestId, question: reply.question, score: reply.score });
    else revalidator.revalidate();
  };
  // Kept per contest: the page component may be reused for another one.
  return { started: started?.contestId === contestId ? started : null, refusal, pending, onSubmit };
}

export default function ContestPage() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const start = useStart(d.contest.id);
  const refused = useActionData<typeof action>()?.error ?? start.refusal;
  const busy = useNavigation().state !== "idle" || start.pending;
  const c = d.contest;
  // The loader's state wins once it has one; until then, the question the start request served.
  const playing = d.state === "question" && d.question ? { question: d.question, score: d.score } : d.state === "intro" ? start.started : null;
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <header className="space-y-1">
        <h1 className="text-2xl font-bold">{c.title}</h1>
        <p className="text-gray-700">
          {t(`contest.status.${c.phase}`)} · {t("contest.window", c.window)} · {t("contest.rule", { count: c.count, seconds: c.seconds })}
        </p>
        <Link to={`/contests/${c.id}/leaderboard`} className="link">
          {t("contest.leaderboard")}
        </Link>
      </header>
      {d.state === "intro" && !playing ? (
        <section className="card space-y-3">
          {c.description ? <p className="whitespace-pre-line">{c.description}</p> : null}
          {refused ? (
            <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
              {t(refused === "notEligible" ? "contest.play.notEligible" : "contest.play.notOpen")}
            </p>
          ) : null}
          {!c.eligible ? (
            <p>{t("contest.play.notEligible")}</p>
          ) : c.phase === "open" ? (
            <Form method="post" className="space-y-3" onSubmit={start.onSubmit}>
              <p>{t("contest.play.startHint", { seconds: c.seconds })}</p>
              <button type="submit" className="btn w-full text-lg" disabled={busy}>
                {t("contest.play.start")}
              </button>
            </Form>
          ) : (
            <p>{t("contest.play.notOpen")}</p>
          )}
        </section>
      ) : null}
      {playing?.question ? <Play key={playing.question.index} contestId={c.id} initial={playing.question} score={playing.score} /> : null}
      {d.state === "finished" && d.result ? (
        <section className="space-y-3">
          <div className="card space-y-2" role="status" data-testid="contest-result">
            <h2 className="text-xl font-bold">{t("contest.result.title")}</h2>
            {d.result.reveal ? (
              <>
                <p className="text-2xl font-bold">{t("contest.result.score", { score: d.result.score ?? 0 })}</p>
                <p className="text-lg">{t("contest.result.rank", { rank: d.result.rank ?? 0, entrants: d.result.entrants })}</p>
                <p>
                  {t("contest.result.correct", { correct: d.result.correctCount ?? 0, total: d.result.total, seconds: Math.round(d.result.totalMs / 100) / 10 })}
                </p>
              </>
            ) : (
              <p>{t("contest.result.later")}</p>
            )}
          </div>
          {d.result.items.map((item) => (
            <ReviewItem key={item.index} q={item} heading={`${t("contest.play.progress", { n: item.index + 1, total: d.result!.total })} · ${t("contest.result.points", { points: item.points })}`} />
          ))}
        </section>
      ) : null}
    </div>
  );
}
