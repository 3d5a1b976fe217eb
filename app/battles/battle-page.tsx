// The live battle page: the battle as the server last sent it (server-sent events), a countdown
// on the server's clock (offset measured on every message), one tap to answer.
import { Form, Link, useFetcher } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useT } from "~/i18n/i18n";
import type { AnswerError, BattleQuestion, BattleView } from "./battles.server";

export type BattleActionResult = { ok: true } | { ok: false; error: AnswerError };

function secondsUntil(at: number | null, serverNow: number) {
  return at === null ? 0 : Math.max(0, Math.ceil((at - serverNow) / 1000));
}

export function BattlePage({ initial }: { initial: BattleView }) {
  const t = useT();
  const [view, setView] = useState(initial);
  const [connected, setConnected] = useState(true);
  // Server time minus browser time; the first render uses the server's own time (same HTML both sides).
  const offset = useRef<number | null>(null);
  const [serverNow, setServerNow] = useState(initial.serverNow);
  const fetcher = useFetcher<BattleActionResult>();
  const [answeredIndex, setAnsweredIndex] = useState<number | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const finished = view.phase === "finished";

  useEffect(() => {
    offset.current ??= initial.serverNow - Date.now();
    const timer = setInterval(() => setServerNow(Date.now() + (offset.current ?? 0)), 250);
    return () => clearInterval(timer);
  }, [initial.serverNow]);

  useEffect(() => {
    if (finished) return;
    const source = new EventSource(`/battle/${initial.id}/events`);
    source.addEventListener("state", (event) => {
      const next = JSON.parse((event as MessageEvent<string>).data) as BattleView;
      offset.current = next.serverNow - Date.now();
      setServerNow(next.serverNow);
      setView(next);
      setConnected(true);
      if (next.phase === "finished") source.close();
    });
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(source.readyState === EventSource.OPEN);
    return () => source.close();
  }, [initial.id, finished]);

  // Keyboard and screen reader users start each question (and the result) at its heading.
  const focusKey = `${view.phase}:${view.index}`;
  useEffect(() => {
    if (view.phase === "question" || view.phase === "finished") headingRef.current?.focus();
  }, [focusKey, view.phase]);

  const me = view.players.find((p) => p.me);
  const answered = view.myAnswered || answeredIndex === view.index;
  // A refusal belongs to the question it was about, not to the next one.
  const error = fetcher.data && !fetcher.data.ok && answeredIndex === view.index ? fetcher.data.error : null;

  const answer = (q: BattleQuestion, field: "choice" | "value", value: string) => {
    setAnsweredIndex(q.index);
    fetcher.submit({ intent: "answer", index: String(q.index), [field]: value }, { method: "post" });
  };

  return (
    <div className="mx-auto max-w-2xl space-y-4">
      {!connected && !finished ? (
        <p className="rounded-lg bg-amber-50 p-3 text-amber-900" role="status">
          {t("battles.reconnecting")}
        </p>
      ) : null}

      {view.phase === "starting" ? (
        <section className="card text-center">
          <h1 className="text-2xl font-bold" role="status">
            {t("battles.starting", { seconds: secondsUntil(view.servedAt, serverNow) })}
          </h1>
        </section>
      ) : null}

      {view.phase === "question" && view.question ? (
        <section className="card space-y-4" aria-labelledby="battle-question">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h1 id="battle-question" ref={headingRef} tabIndex={-1} className="text-xl font-bold">
              {t("battles.question", { n: view.index + 1, total: view.total })}
            </h1>
            <p className="text-lg font-semibold text-party-700" role="timer" aria-live="off">
              {t("battles.remaining", { seconds: secondsUntil(view.deadline, serverNow) })}
            </p>
          </div>
          <p className="text-lg font-semibold break-words whitespace-pre-line" data-testid="battle-stem">
            {view.question.stem}
          </p>
          <div role="group" aria-label={t("battles.choices")} className="grid gap-2">
            {view.question.type === "true_false"
              ? (["true", "false"] as const).map((v) => (
                  <button
                    key={v}
                    type="button"
                    className="btn-secondary w-full text-lg"
                    disabled={answered || view.myForfeited}
                    onClick={() => answer(view.question!, "value", v)}
                  >
                    {v === "true" ? t("quiz.answer.true") : t("quiz.answer.false")}
                  </button>
                ))
              : view.question.options.map((o) => (
                  <button
                    key={o.id}
                    type="button"
                    className="btn-secondary w-full justify-start text-left text-lg"
                    disabled={answered || view.myForfeited}
                    onClick={() => answer(view.question!, "choice", o.id)}
                  >
                    <span className="font-semibold">{o.label}.</span>&nbsp;<span className="break-words">{o.text}</span>
                  </button>
                ))}
          </div>
          {answered ? (
            <p className="text-gray-700" role="status">
              {t("battles.answered")}
            </p>
          ) : null}
          {error ? (
            <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
              {t(`battles.error.${error}`)}
            </p>
          ) : null}
        </section>
      ) : null}

      {finished ? (
        <section className="card space-y-3">
          <h1 ref={headingRef} tabIndex={-1} className="text-2xl font-bold">
            {t("battles.finished")}
          </h1>
          {me?.place ? <p className="text-xl font-semibold">{t("battles.place", { place: me.place })}</p> : null}
          {me?.forfeited ? <p className="text-gray-700">{t("battles.forfeited")}</p> : null}
          {view.pointsEarned !== null ? (
            <p>{view.pointsEarned > 0 ? t("battles.earned", { points: view.pointsEarned }) : t("battles.earnedNone")}</p>
          ) : null}
          <div className="grid gap-3 sm:grid-cols-2">
            <Link to="/battle" className="btn w-full">
              {t("battles.again")}
            </Link>
            <Link to="/" className="btn-secondary w-full">
              {t("battles.home")}
            </Link>
          </div>
        </section>
      ) : null}

      {view.reveal && view.phase !== "question" ? <Reveal view={view} serverNow={serverNow} /> : null}

      <section className="card" aria-labelledby="battle-players">
        <h2 id="battle-players" className="text-lg font-bold">
          {t("battles.players")}
        </h2>
        <ul className="mt-2 divide-y divide-gray-200">
          {view.players.map((p) => (
            <li key={p.userId} className="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="battle-player">
              <span className={p.me ? "font-bold" : ""}>
                {finished && p.place ? `${t("battles.place", { place: p.place })} · ` : null}
                {p.name}
                {p.me ? t("battles.me") : null} <span className="text-sm text-gray-600">{p.unitName}</span>
              </span>
              <span className="flex items-center gap-2">
                <span className="font-semibold">{t("battles.points", { score: p.score })}</span>
                {p.forfeited ? (
                  <span className="rounded bg-gray-200 px-2 text-gray-800">{t("battles.left")}</span>
                ) : view.phase === "question" ? (
                  <span className={`rounded px-2 ${p.answered ? "bg-green-100 text-green-900" : "bg-gray-100 text-gray-700"}`}>
                    {p.answered ? t("battles.hasAnswered") : t("battles.thinking")}
                  </span>
                ) : null}
                {finished && p.ratingAfter !== null ? (
                  <span className="text-sm text-gray-600">{t("battles.ratingChange", { from: p.ratingBefore, to: p.ratingAfter })}</span>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      </section>

      {!finished && !view.myForfeited ? (
        <Form
          method="post"
          onSubmit={(event) => {
            if (!window.confirm(t("battles.leaveConfirm"))) event.preventDefault();
          }}
        >
          <input type="hidden" name="intent" value="leave" />
          <button type="submit" className="btn-danger w-full">
            {t("battles.leave")}
          </button>
        </Form>
      ) : null}
    </div>
  );
}

function Reveal({ view, serverNow }: { view: BattleView; serverNow: number }) {
  const t = useT();
  const r = view.reveal!;
  const keyText =
    r.type === "true_false"
      ? r.key[0] === "true"
        ? t("quiz.answer.true")
        : t("quiz.answer.false")
      : r.options
          .filter((o) => r.key.includes(o.id))
          .map((o) => `${o.label}. ${o.text}`)
          .join("；");
  const nameOf = new Map(view.players.map((p) => [p.userId, p.name]));
  return (
    <section className="card space-y-2" aria-live="polite">
      <p className="break-words text-gray-700">{r.stem}</p>
      <p className="text-lg font-semibold">{t("battles.rightAnswer", { n: r.index + 1, answer: keyText })}</p>
      {r.explanation ? <p className="text-gray-700">{t("battles.explanation", { text: r.explanation })}</p> : null}
      <ul className="space-y-1">
        {r.results.map((x) => (
          <li key={x.userId}>
            {nameOf.get(x.userId)}：
            {x.correct ? t("battles.resultRight", { points: x.points }) : x.answered ? t("battles.resultWrong") : t("battles.resultNone")}
          </li>
        ))}
      </ul>
      {view.phase === "reveal" ? <p className="text-gray-600">{t("battles.next", { seconds: secondsUntil(view.servedAt, serverNow) })}</p> : null}
    </section>
  );
}
