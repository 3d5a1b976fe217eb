// Playing a contest in the browser: the served question with a countdown. The countdown only
// shows the server's remaining time; when it reaches zero (plus the network grace) the page asks
// the server to move on. Answers that fail to arrive are sent again until the server replies;
// whatever the server says, the page follows it (a refusal reloads the server's state).
import { useRevalidator } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import { QuestionInputs } from "~/quiz/components";
import { responseFromForm } from "~/quiz/grading";
import type { AnswerBody } from "./forms";
import type { Answered, ServedQuestion } from "./play.server";
import { ANSWER_GRACE_MS } from "./scoring";

type Reply = Answered | { ok: false; error: string };
type Feedback = { kind: "right" | "wrong" | "saved" | "timeout"; points: number | null };

export function Play({ contestId, initial, score }: { contestId: number; initial: ServedQuestion; score: number }) {
  const t = useT();
  const revalidator = useRevalidator();
  const [q, setQ] = useState(initial);
  const [deadline, setDeadline] = useState(() => Date.now() + initial.remainingMs);
  const [left, setLeft] = useState(Math.ceil(initial.remainingMs / 1000));
  const [total, setTotal] = useState<number | null>(score);
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [offline, setOffline] = useState(false);
  const sending = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);

  const send = useCallback(
    async (body: AnswerBody) => {
      if (sending.current) return;
      sending.current = true;
      try {
        for (let attempt = 0; ; attempt++) {
          let reply: Reply;
          try {
            const res = await fetch(`/contests/${contestId}/answer`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
            reply = await res.json();
          } catch {
            setOffline(true);
            await new Promise((r) => setTimeout(r, Math.min(4_000, 500 * 2 ** attempt)));
            continue;
          }
          setOffline(false);
          if (reply.ok) {
            setFeedback(
              body.intent === "timeout"
                ? { kind: "timeout", points: 0 }
                : { kind: reply.correct === null ? "saved" : reply.correct ? "right" : "wrong", points: reply.points },
            );
            setTotal(reply.score);
            setError(null);
            if (!reply.next) revalidator.revalidate();
            else {
              formRef.current?.reset();
              setQ(reply.next);
              setDeadline(Date.now() + reply.next.remainingMs);
              setLeft(Math.ceil(reply.next.remainingMs / 1000));
            }
          } else if (reply.error === "early") {
            await new Promise((r) => setTimeout(r, 400));
            continue;
          } else {
            if (reply.error !== "tampered") setError(`contest.error.${reply.error}`);
            // The server's state wins: reload the question it is on (a retried answer that had arrived, a late one…).
            revalidator.revalidate();
          }
          return;
        }
      } finally {
        sending.current = false;
      }
    },
    [contestId, revalidator],
  );

  useEffect(() => {
    let asked = false;
    const timer = setInterval(() => {
      const ms = deadline - Date.now();
      setLeft(Math.max(0, Math.ceil(ms / 1000)));
      // The server accepts answers for a moment after the bell; ask to move on once that has passed too.
      if (!asked && ms < -(ANSWER_GRACE_MS + 100) && !sending.current) {
        asked = true;
        void send({ intent: "timeout", index: q.index });
      }
    }, 200);
    return () => clearInterval(timer);
  }, [deadline, q.index, send]);

  function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const response = responseFromForm(new FormData(e.currentTarget), "q", q);
    if (!response) return setError("contest.play.choose");
    void send({ intent: "answer", index: q.index, response });
  }

  const urgent = left <= 5;
  return (
    <section className="card space-y-4">
      <div className="flex items-center justify-between gap-2">
        <p className="text-lg">{t("contest.play.progress", { n: q.index + 1, total: q.total })}</p>
        <p
          className={`rounded-full px-3 py-1 text-xl font-bold tabular-nums ${urgent ? "bg-red-100 text-red-800" : "bg-party-50 text-party-800"}`}
          role="timer"
          aria-live={urgent ? "assertive" : "off"}
          data-testid="countdown"
        >
          {t("contest.play.remaining", { seconds: left })}
        </p>
      </div>
      {feedback ? (
        <p
          className={`rounded-lg p-3 text-lg ${feedback.kind === "right" ? "bg-green-50 text-green-900" : feedback.kind === "saved" ? "bg-gray-50" : "bg-red-50 text-red-900"}`}
          role="status"
          data-testid="feedback"
        >
          {feedback.kind === "right"
            ? t("contest.play.right", { points: feedback.points ?? 0 })
            : feedback.kind === "wrong"
              ? t("contest.play.wrong")
              : feedback.kind === "timeout"
                ? t("contest.play.timeout")
                : t("contest.play.saved")}
          {total !== null ? ` · ${t("contest.play.score", { score: total })}` : ""}
        </p>
      ) : null}
      {offline ? (
        <p className="rounded-lg bg-amber-50 p-3 text-amber-900" role="alert">
          {t("contest.play.offline")}
        </p>
      ) : null}
      {error ? (
        <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
          {t(error as MessageKey)}
        </p>
      ) : null}
      <form ref={formRef} onSubmit={submit} className="space-y-4" key={q.index}>
        <QuestionInputs q={q} name="q" heading={t("contest.play.progress", { n: q.index + 1, total: q.total })} />
        <button type="submit" className="btn w-full text-lg">
          {t("contest.play.submit")}
        </button>
      </form>
    </section>
  );
}
