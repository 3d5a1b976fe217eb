// 错题本: practise the questions answered wrong until each is right twice in a row.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { useT } from "~/i18n/i18n";
import { STREAK_TO_LEAVE } from "~/quiz/answers.server";
import { AnswerFeedbackHeading, QuestionInputs, ReviewItem, typeLabelKey } from "~/quiz/components";
import { singleResponseFromForm } from "~/quiz/grading";
import { answerPractice, listMistakes, mistakeCount, nextPractice, practiceShape, type PracticeError, type PracticeFeedback } from "~/quiz/mistakes.server";

export const meta: MetaFunction = () => [{ title: "错题本 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const [total, next, entries] = await Promise.all([mistakeCount(viewer.id), nextPractice(viewer.id), listMistakes(viewer.id)]);
  return {
    total,
    streakToLeave: STREAK_TO_LEAVE,
    question: next && {
      questionId: next.questionId,
      versionId: next.versionId,
      correctStreak: next.correctStreak,
      type: next.type,
      stem: next.stem,
      options: next.options,
      blanks: next.blanks,
    },
    entries: entries.map((e) => ({ questionId: e.questionId, type: e.type, stem: e.stem.length > 60 ? `${e.stem.slice(0, 60)}…` : e.stem, streak: e.correctStreak })),
  };
}

type ActionResult = { feedback: PracticeFeedback } | { error: PracticeError | "choose" };

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const form = await request.formData();
  const questionId = parseId(String(form.get("questionId") ?? ""));
  const versionId = parseId(String(form.get("versionId") ?? ""));
  const shownQuestion = await practiceShape(questionId, versionId);
  if (!shownQuestion) return data<ActionResult>({ error: "gone" }, { status: 409 });
  const answer = singleResponseFromForm(form, "q", 0, shownQuestion);
  if ("error" in answer) return data<ActionResult>(answer, { status: 400 });
  const result = await answerPractice(viewer.id, questionId, versionId, answer.response);
  if (!result.ok) return data<ActionResult>({ error: result.error }, { status: result.error === "tampered" ? 400 : 409 });
  return data<ActionResult>({ feedback: result.feedback });
}

export default function Mistakes() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state === "submitting";
  const feedback = result && "feedback" in result ? result.feedback : null;
  const error = result && "error" in result ? result.error : null;

  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <header className="space-y-1">
        <h1 className="text-2xl font-bold">
          {t("quiz.mistakes.title")} <span className="text-lg font-normal text-gray-600">{t("quiz.mistakes.count", { count: d.total })}</span>
        </h1>
        <p className="text-gray-700">{t("quiz.mistakes.intro", { times: d.streakToLeave })}</p>
      </header>
      {feedback ? (
        <section className="space-y-3" aria-labelledby="feedback-heading">
          <AnswerFeedbackHeading correct={feedback.correct} />
          <p className="rounded-lg bg-gray-100 p-3" role="status">
            {feedback.removed
              ? t("quiz.mistakes.removed", { times: d.streakToLeave })
              : feedback.correct
                ? t("quiz.mistakes.streak", { streak: feedback.streak, left: d.streakToLeave - feedback.streak })
                : t("quiz.mistakes.stillIn")}
          </p>
          <ReviewItem q={feedback} heading={t("quiz.mistakes.title")} />
          <Link to="/quiz/mistakes" className="btn w-full text-lg">
            {t("quiz.mistakes.next")}
          </Link>
        </section>
      ) : (
        <>
          {error ? (
            <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
              {error === "choose" ? t("quiz.daily.choose") : t(`quiz.mistakes.${error}`)}
            </p>
          ) : null}
          {d.question ? (
            <Form method="post" className="card space-y-4" key={`${d.question.questionId}:${d.question.versionId}`}>
              <input type="hidden" name="questionId" value={d.question.questionId} />
              <input type="hidden" name="versionId" value={d.question.versionId} />
              <QuestionInputs q={d.question} name="q0" heading={t("quiz.mistakes.title")} />
              {d.question.correctStreak > 0 ? (
                <p className="text-base text-gray-700">{t("quiz.mistakes.streak", { streak: d.question.correctStreak, left: d.streakToLeave - d.question.correctStreak })}</p>
              ) : null}
              <button type="submit" className="btn w-full text-lg" disabled={busy}>
                {t("quiz.daily.submit")}
              </button>
            </Form>
          ) : (
            <section className="card space-y-3">
              <p className="text-lg">{t("quiz.mistakes.empty")}</p>
              <Link to="/quiz/daily" className="btn-secondary w-full sm:w-auto">
                {t("quiz.mistakes.toDaily")}
              </Link>
            </section>
          )}
        </>
      )}
      {d.entries.length > 0 ? (
        <details className="card">
          <summary className="cursor-pointer text-lg font-semibold">{t("quiz.mistakes.list")}</summary>
          <ul className="mt-2 divide-y divide-gray-200">
            {d.entries.map((e) => (
              <li key={e.questionId} className="py-2 break-words">
                <span className="text-sm text-gray-600">{t(typeLabelKey(e.type))} · </span>
                {e.stem}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
