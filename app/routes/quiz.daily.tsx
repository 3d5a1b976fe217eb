// 每日答题: five questions a day, one at a time, each with its answer and explanation right after.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { useT } from "~/i18n/i18n";
import { AnswerFeedbackHeading, QuestionInputs, ReviewItem } from "~/quiz/components";
import { answerDaily, currentDailyQuestion, todaysQuiz, type DailyError, type DailyFeedback } from "~/quiz/daily.server";
import { DAILY_QUESTIONS } from "~/quiz/freshness";
import { singleResponseFromForm } from "~/quiz/grading";

export const meta: MetaFunction = () => [{ title: "每日答题 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const quiz = await todaysQuiz(viewer.id, viewer.unitCode);
  if (!quiz) return { state: "noQuestions" as const, total: DAILY_QUESTIONS, answered: 0, correct: 0, question: null };
  const current = await currentDailyQuestion(quiz);
  return {
    state: current ? ("question" as const) : ("done" as const),
    total: quiz.versionIds.length,
    answered: quiz.answered,
    correct: quiz.correct,
    question: current && { index: current.index, type: current.type, stem: current.stem, options: current.options, blanks: current.blanks },
  };
}

type ActionResult = { feedback: DailyFeedback } | { error: DailyError | "choose" };

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const form = await request.formData();
  const index = Number(form.get("index"));
  const quiz = await todaysQuiz(viewer.id, viewer.unitCode);
  if (!quiz) return data<ActionResult>({ error: "none" }, { status: 409 });
  const current = await currentDailyQuestion(quiz);
  if (!current) return data<ActionResult>({ error: "finished" }, { status: 409 });
  if (!Number.isInteger(index) || index !== current.index) return data<ActionResult>({ error: "stale" }, { status: 409 });
  const answer = singleResponseFromForm(form, "q", index, current);
  if ("error" in answer) return data<ActionResult>(answer, { status: 400 });
  const result = await answerDaily(viewer.id, index, answer.response);
  if (!result.ok) return data<ActionResult>({ error: result.error }, { status: result.error === "tampered" ? 400 : 409 });
  return data<ActionResult>({ feedback: result.feedback });
}

export default function DailyQuiz() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state === "submitting";
  const feedback = result && "feedback" in result ? result.feedback : null;
  const error = result && "error" in result ? result.error : null;

  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <header className="space-y-1">
        <h1 className="text-2xl font-bold">{t("quiz.daily.title")}</h1>
        <p className="text-gray-700">{t("quiz.daily.intro", { total: DAILY_QUESTIONS })}</p>
      </header>
      {feedback ? (
        <section className="space-y-3" aria-labelledby="feedback-heading">
          <AnswerFeedbackHeading correct={feedback.correct} />
          <ReviewItem q={feedback} heading={t("quiz.daily.progress", { n: feedback.index + 1, total: feedback.total })} />
          <Link to="/quiz/daily" className="btn w-full text-lg">
            {feedback.finished ? t("quiz.daily.finish") : t("quiz.daily.next")}
          </Link>
        </section>
      ) : (
        <>
          {error ? (
            <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
              {t(`quiz.daily.${error}`)}
            </p>
          ) : null}
          {d.state === "noQuestions" ? <p className="card text-lg">{t("quiz.daily.noQuestions")}</p> : null}
          {d.state === "done" ? (
            <section className="card space-y-3" role="status">
              <p className="text-xl font-semibold">{t("quiz.daily.done", { correct: d.correct, total: d.total })}</p>
              <Link to="/quiz/mistakes" className="btn-secondary w-full sm:w-auto">
                {t("quiz.daily.toMistakes")}
              </Link>
            </section>
          ) : null}
          {d.state === "question" && d.question ? (
            <Form method="post" className="card space-y-4" key={d.question.index}>
              <input type="hidden" name="index" value={d.question.index} />
              <QuestionInputs q={d.question} name={`q${d.question.index}`} heading={t("quiz.daily.progress", { n: d.question.index + 1, total: d.total })} />
              <button type="submit" className="btn w-full text-lg" disabled={busy}>
                {t("quiz.daily.submit")}
              </button>
            </Form>
          ) : null}
        </>
      )}
    </div>
  );
}
