// Shared pieces of the quiz pages.
import { useEffect, useRef } from "react";
import { useT } from "~/i18n/i18n";
import { LOW_FRESHNESS, type Freshness } from "./freshness";
import { answerText, isEmptyResponse, type AnswerKey, type PresentedQuestion, type QuizResponse } from "./grading";

export function FreshnessNote({ freshness }: { freshness: Freshness | null }) {
  const t = useT();
  if (!freshness) return null;
  if (freshness.members === 0) return <p className="text-sm text-gray-600">{t("quiz.fresh.noMembers")}</p>;
  const low = freshness.averageUnseen < LOW_FRESHNESS;
  return (
    <div className={`rounded-lg p-2 text-base ${low ? "bg-amber-50 text-amber-900" : "bg-gray-50 text-gray-800"}`}>
      <p>
        <span className="font-semibold">{t("quiz.fresh.title")}：</span>
        {t("quiz.fresh.summary", { members: freshness.members, unseen: freshness.averageUnseen, days: freshness.daysLeft })}
      </p>
      {freshness.exhausted > 0 ? <p>{t("quiz.fresh.exhausted", { count: freshness.exhausted })}</p> : null}
      {low ? <p className="font-semibold">{t("quiz.fresh.low")}</p> : null}
    </div>
  );
}

/** Answers being typed, by form field name: chosen option ids, "true"/"false", or a blank's text. */
export type FieldValues = Record<string, string[]>;

type ShownQuestion = { type: PresentedQuestion["type"]; stem: string; options: PresentedQuestion["options"]; blanks: number };

export function typeLabelKey(type: PresentedQuestion["type"]) {
  return `quiz.type.${type}` as const;
}

/** One question as inputs named `${name}` (choices, true/false) or `${name}.b${k}` (blanks). */
export function QuestionInputs({
  q,
  name,
  heading,
  values,
  onChange,
}: {
  q: ShownQuestion;
  name: string;
  heading: string;
  values?: FieldValues;
  onChange?: (field: string, value: string[]) => void;
}) {
  const t = useT();
  const controlled = Boolean(values && onChange);
  const chosen = values?.[name] ?? [];
  const choiceClass = "flex min-h-12 w-full cursor-pointer items-start gap-3 rounded-lg border border-gray-300 bg-white px-3 py-3 has-[:checked]:border-party-600 has-[:checked]:bg-party-50";
  return (
    <fieldset className="space-y-3">
      <legend className="mb-2 w-full">
        <span className="block text-base text-gray-600">
          {heading} · {t(typeLabelKey(q.type))}
        </span>
        <span className="block text-lg font-semibold break-words whitespace-pre-line">{q.stem}</span>
      </legend>
      {q.type === "single" || q.type === "multiple" ? (
        <div className="space-y-2">
          {q.options.map((o) => (
            <label key={o.id} className={choiceClass}>
              <input
                type={q.type === "single" ? "radio" : "checkbox"}
                name={name}
                value={o.id}
                className="mt-1 size-5 shrink-0 accent-party-600"
                {...(controlled
                  ? {
                      checked: chosen.includes(o.id),
                      onChange: (e) =>
                        onChange!(
                          name,
                          q.type === "single" ? [o.id] : e.target.checked ? [...chosen, o.id] : chosen.filter((c) => c !== o.id),
                        ),
                    }
                  : {})}
              />
              <span className="break-words">
                <span className="font-semibold">{o.label}.</span> {o.text}
              </span>
            </label>
          ))}
        </div>
      ) : null}
      {q.type === "true_false" ? (
        <div className="grid grid-cols-2 gap-2">
          {(["true", "false"] as const).map((v) => (
            <label key={v} className={choiceClass}>
              <input
                type="radio"
                name={name}
                value={v}
                className="mt-1 size-5 shrink-0 accent-party-600"
                {...(controlled ? { checked: chosen[0] === v, onChange: () => onChange!(name, [v]) } : {})}
              />
              <span>{v === "true" ? t("quiz.answer.true") : t("quiz.answer.false")}</span>
            </label>
          ))}
        </div>
      ) : null}
      {q.type === "fill_blank" ? (
        <div className="space-y-2">
          {Array.from({ length: q.blanks }, (_, k) => {
            const field = `${name}.b${k}`;
            return (
              <div key={k} className="space-y-1">
                <label htmlFor={`${name}-b${k}`} className="block font-medium">
                  {t("quiz.blank", { n: k + 1 })}
                </label>
                <input
                  id={`${name}-b${k}`}
                  name={field}
                  className="input"
                  autoComplete="off"
                  maxLength={200}
                  {...(controlled ? { value: values![field]?.[0] ?? "", onChange: (e) => onChange!(field, [e.target.value]) } : {})}
                />
              </div>
            );
          })}
        </div>
      ) : null}
    </fieldset>
  );
}

export type Reviewed = ShownQuestion & {
  response: QuizResponse | null;
  correct: boolean;
  credit?: number;
  answer: AnswerKey;
  explanation: string;
};

/** A question after it was answered: what the member said, the right answer and the explanation. */
export function ReviewItem({ q, heading }: { q: Reviewed; heading: string }) {
  const t = useT();
  const words = { true: t("quiz.answer.true"), false: t("quiz.answer.false"), or: t("quiz.or") };
  const right = new Set(q.answer.choices ?? []);
  const picked = new Set(q.response?.choices ?? []);
  const given = (() => {
    if (!q.response || isEmptyResponse(q.response)) return t("quiz.review.none");
    if (q.type === "true_false") return q.response.value ? words.true : words.false;
    if (q.type === "fill_blank") return (q.response.blanks ?? []).map((b) => b || "—").join("；");
    return q.options
      .filter((o) => picked.has(o.id))
      .map((o) => o.label)
      .join("、");
  })();
  const verdict = q.correct ? t("quiz.review.right") : q.credit && q.credit > 0 ? t("quiz.review.partial") : t("quiz.review.wrong");
  return (
    <article className={`space-y-2 rounded-xl border-l-4 bg-white p-4 shadow-sm ring-1 ring-gray-200 ${q.correct ? "border-green-600" : "border-red-600"}`}>
      <p className="text-base text-gray-600">
        {heading} · {t(typeLabelKey(q.type))} ·{" "}
        <span className={q.correct ? "font-semibold text-green-800" : "font-semibold text-red-800"}>{verdict}</span>
      </p>
      <p className="text-lg font-semibold break-words whitespace-pre-line">{q.stem}</p>
      {q.options.length ? (
        <ul className="space-y-1">
          {q.options.map((o) => (
            <li key={o.id} className={`rounded-lg px-3 py-2 break-words ${right.has(o.id) ? "bg-green-50 text-green-900" : picked.has(o.id) ? "bg-red-50 text-red-900" : ""}`}>
              <span className="font-semibold">{o.label}.</span> {o.text}
              {right.has(o.id) ? <span className="sr-only">（{t("quiz.review.correctAnswer")}）</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        <dt className="text-gray-600">{t("quiz.review.yourAnswer")}</dt>
        <dd className="break-words">{given}</dd>
        <dt className="text-gray-600">{t("quiz.review.correctAnswer")}</dt>
        <dd className="font-semibold break-words">{answerText({ type: q.type, options: q.options, answer: q.answer }, q.options.map((o) => o.id), words)}</dd>
      </dl>
      {q.explanation ? (
        <p className="rounded-lg bg-gray-50 p-2 break-words whitespace-pre-line">
          <span className="font-semibold">{t("quiz.review.explanation")}：</span>
          {q.explanation}
        </p>
      ) : null}
    </article>
  );
}

/** "Right" or "wrong" after a one-question answer; it takes focus so screen readers announce it. */
export function AnswerFeedbackHeading({ correct }: { correct: boolean }) {
  const t = useT();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h2 id="feedback-heading" ref={ref} tabIndex={-1} className={`text-xl font-bold ${correct ? "text-green-800" : "text-red-800"}`}>
      {correct ? t("quiz.review.right") : t("quiz.review.wrong")}
    </h2>
  );
}
