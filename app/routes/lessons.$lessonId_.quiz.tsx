// A member takes a lesson quiz: rules and past attempts, the open attempt's questions (no answer
// key), and after submission the score with every question's answer and explanation.
// (`$lessonId_` keeps this page out of the lesson page's layout, which sends quiz lessons here.)
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { notFound, parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { getLesson, lessonProgressOf } from "~/courses/catalogue.server";
import { useT } from "~/i18n/i18n";
import {
  attemptsWithExpiry,
  presentAttempt,
  QuizError,
  reviewAttempt,
  ruleSummary,
  startAttempt,
  submitAttempt,
  type LessonQuizRule,
  type QuizLesson,
} from "~/quiz/attempts.server";
import { QuestionInputs, ReviewItem, type FieldValues } from "~/quiz/components";
import { responsesFromForm } from "~/quiz/grading";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.lesson.title ?? ""} · 网上党校` }];

async function requireQuizLesson(args: { request: Request; params: LoaderFunctionArgs["params"]; context: LoaderFunctionArgs["context"] }) {
  const viewer = await requireViewer({ request: args.request, context: args.context });
  const found = await getLesson(viewer, parseId(args.params.lessonId));
  if (!found || found.lesson.kind !== "quiz") notFound();
  const lesson: QuizLesson = { id: found.lesson.id, quizRule: (found.lesson.quizRule as LessonQuizRule | null) ?? null };
  return { viewer, found, lesson };
}

export async function loader(args: LoaderFunctionArgs) {
  const { viewer, found, lesson } = await requireQuizLesson(args);
  const now = new Date();
  const attempts = await attemptsWithExpiry(viewer.id, lesson, now);
  const open = attempts.find((a) => !a.submittedAt) ?? null;
  const wanted = Number(new URL(args.request.url).searchParams.get("attempt"));
  const reviewed = Number.isInteger(wanted) && wanted > 0 ? attempts.find((a) => a.id === wanted && a.submittedAt) : undefined;
  const rule = ruleSummary(lesson.quizRule);
  const submitted = attempts.filter((a) => a.submittedAt);
  const best = submitted.reduce<number | null>((m, a) => (a.score !== null && (m === null || a.score > m) ? a.score : m), null);
  const attemptsLeft = rule.maxAttempts === null ? null : Math.max(0, rule.maxAttempts - attempts.length);
  return {
    lesson: { id: found.lesson.id, title: found.lesson.title, courseId: found.lesson.courseId, courseTitle: found.courseTitle },
    rule,
    configured: Boolean(lesson.quizRule && rule.questions > 0),
    completed: (await lessonProgressOf(viewer.id, found.lesson.id)).completed,
    best,
    attemptsUsed: attempts.length,
    attemptsLeft,
    attempts: attempts.map((a, i) => ({
      id: a.id,
      number: i + 1,
      submitted: Boolean(a.submittedAt),
      score: a.score,
      passed: a.passed,
      expired: Boolean(a.submittedAt && a.responses?.every((r) => r === null) && a.deadline && a.submittedAt.getTime() > a.deadline.getTime()),
    })),
    open: open
      ? {
          id: open.id,
          number: attempts.indexOf(open) + 1,
          secondsLeft: open.deadline ? Math.max(0, Math.floor((open.deadline.getTime() - now.getTime()) / 1000)) : null,
          questions: await presentAttempt(open),
        }
      : null,
    review: reviewed
      ? {
          id: reviewed.id,
          number: attempts.indexOf(reviewed) + 1,
          score: reviewed.score ?? 0,
          passed: Boolean(reviewed.passed),
          questions: await reviewAttempt(reviewed, lesson.quizRule),
        }
      : null,
  };
}

type ActionError = { error: "noAttemptsLeft" | "noQuestions" | "notConfigured" | "tampered" | "late" };

export async function action(args: ActionFunctionArgs) {
  const { viewer, lesson } = await requireQuizLesson(args);
  const form = await args.request.formData();
  const intent = form.get("intent");
  const here = `/lessons/${lesson.id}/quiz`;
  try {
    if (intent === "start") {
      await startAttempt(viewer.id, lesson);
      return redirect(here);
    }
    if (intent === "submit") {
      const attemptId = parseId(String(form.get("attemptId") ?? ""));
      const attempts = await attemptsWithExpiry(viewer.id, lesson);
      const attempt = attempts.find((a) => a.id === attemptId);
      if (!attempt) notFound();
      if (attempt.submittedAt) return redirect(`${here}?attempt=${attempt.id}`);
      const responses = responsesFromForm(form, "a", await presentAttempt(attempt));
      if (!responses) return data<ActionError>({ error: "tampered" }, { status: 400 });
      const result = await submitAttempt(viewer.id, lesson, attempt.id, responses);
      if (!result.ok) return data<ActionError>({ error: "late" }, { status: 409 });
      return redirect(`${here}?attempt=${attempt.id}`);
    }
    throw new Response("Bad request", { status: 400 });
  } catch (error) {
    if (error instanceof QuizError) {
      if (error.code === "notFound") notFound();
      if (error.code === "alreadySubmitted") return redirect(here);
      const status = error.code === "tampered" ? 400 : 409;
      return data<ActionError>({ error: error.code }, { status });
    }
    throw error;
  }
}

function formatTime(seconds: number) {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

export default function LessonQuiz() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionError | undefined;
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <nav className="text-base">
        <Link to={`/courses/${d.lesson.courseId}`} className="link">
          {d.lesson.courseTitle}
        </Link>
      </nav>
      <header className="space-y-1">
        <p className="text-base text-gray-600">{t("quiz.lesson.title")}</p>
        <h1 className="text-2xl font-bold">{d.lesson.title}</h1>
      </header>
      {actionData?.error ? (
        <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
          {t(`quiz.lesson.${actionData.error}`)}
        </p>
      ) : null}
      {d.review ? <Review /> : d.open ? <Taking key={d.open.id} /> : <Overview />}
    </div>
  );
}

function Rules() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  return (
    <ul className="space-y-1 text-lg">
      <li>{t("quiz.lesson.rules", { count: d.rule.questions, pass: d.rule.passMark })}</li>
      <li>{d.rule.timeLimitSeconds ? t("quiz.lesson.timeLimit", { minutes: Math.ceil(d.rule.timeLimitSeconds / 60) }) : t("quiz.lesson.noTimeLimit")}</li>
      <li>
        {d.rule.maxAttempts === null
          ? t("quiz.lesson.attemptsUnlimited", { used: d.attemptsUsed })
          : t("quiz.lesson.attempts", { used: d.attemptsUsed, max: d.rule.maxAttempts })}
      </li>
    </ul>
  );
}

function StartButton({ label }: { label: string }) {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const busy = useNavigation().state !== "idle";
  if (!d.configured) return <p className="rounded-lg bg-amber-50 p-3 text-amber-900">{t("quiz.lesson.notConfigured")}</p>;
  if (d.attemptsLeft === 0) return <p className="rounded-lg bg-gray-100 p-3 text-gray-800">{t("quiz.lesson.noAttemptsLeft")}</p>;
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="start" />
      <button type="submit" className="btn w-full text-lg sm:w-auto" disabled={busy}>
        {label}
      </button>
    </Form>
  );
}

function History() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  if (d.attempts.length === 0) return null;
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading" className="mb-2 text-xl font-bold">
        {t("quiz.lesson.history")}
      </h2>
      <ul className="divide-y divide-gray-200">
        {d.attempts.map((a) => (
          <li key={a.id} className="flex items-center justify-between gap-2 py-2">
            <span>
              {t("quiz.lesson.attemptRow", { n: a.number })}：
              {!a.submitted ? t("quiz.lesson.inProgress") : a.expired ? t("quiz.lesson.expiredRow") : t("quiz.lesson.score", { score: a.score ?? 0 })}
              {a.passed ? " ✓" : ""}
            </span>
            {a.submitted ? (
              <Link to={`?attempt=${a.id}`} className="link" aria-label={`${t("quiz.lesson.view")} ${t("quiz.lesson.attemptRow", { n: a.number })}`}>
                {t("quiz.lesson.view")}
              </Link>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Overview() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <section className="card space-y-3">
        <Rules />
        {d.completed && d.best !== null ? (
          <p className="rounded-lg bg-green-50 p-3 font-semibold text-green-900">{t("quiz.lesson.passed", { score: d.best })}</p>
        ) : null}
        <StartButton label={d.attempts.length ? t("quiz.lesson.retry") : t("quiz.lesson.start")} />
      </section>
      <History />
    </>
  );
}

function Review() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const r = d.review!;
  return (
    <>
      <section className={`card space-y-2 ${r.passed ? "ring-green-600" : "ring-red-300"}`} role="status">
        <h2 className="text-xl font-bold">{t("quiz.lesson.resultTitle", { n: r.number })}</h2>
        <p className="text-4xl font-bold">{t("quiz.lesson.score", { score: r.score })}</p>
        <p className={`text-lg font-semibold ${r.passed ? "text-green-800" : "text-red-800"}`}>
          {r.passed ? t("quiz.lesson.resultPassed") : t("quiz.lesson.resultFailed", { pass: d.rule.passMark })}
        </p>
        {d.completed ? <p>{t("quiz.lesson.lessonDone")}</p> : null}
        <div className="flex flex-col gap-2 sm:flex-row">
          {!r.passed ? <StartButton label={t("quiz.lesson.retry")} /> : null}
          <Link to={`/courses/${d.lesson.courseId}`} className="btn-secondary">
            {t("quiz.lesson.backToCourse")}
          </Link>
        </div>
      </section>
      <div className="space-y-3">
        {r.questions.map((q) => (
          <ReviewItem key={q.index} q={q} heading={t("quiz.lesson.questionNo", { n: q.index + 1 })} />
        ))}
      </div>
      <History />
    </>
  );
}

function Taking() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const open = d.open!;
  const storageKey = `quiz-attempt-${open.id}`;
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const formRef = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<FieldValues>({});
  const [secondsLeft, setSecondsLeft] = useState(open.secondsLeft);
  const autoSubmitted = useRef(false);

  // Answers survive a reload or a dropped connection: they are kept on this device until submitted.
  useEffect(() => {
    try {
      const saved = localStorage.getItem(storageKey);
      if (saved) setValues(JSON.parse(saved) as FieldValues);
    } catch {}
  }, [storageKey]);
  const change = (field: string, value: string[]) =>
    setValues((v) => {
      const next = { ...v, [field]: value };
      try {
        localStorage.setItem(storageKey, JSON.stringify(next));
      } catch {}
      return next;
    });

  // The countdown runs from the server's remaining time, so a wrong phone clock does not matter.
  useEffect(() => {
    if (open.secondsLeft === null) return;
    const end = Date.now() + open.secondsLeft * 1000;
    const timer = window.setInterval(() => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      setSecondsLeft(left);
      if (left === 0 && !autoSubmitted.current) {
        autoSubmitted.current = true;
        window.clearInterval(timer);
        formRef.current?.requestSubmit();
      }
    }, 1000);
    return () => window.clearInterval(timer);
  }, [open.secondsLeft]);

  const answered = open.questions.filter((q) =>
    q.type === "fill_blank" ? Array.from({ length: q.blanks }, (_, k) => values[`a${q.index}.b${k}`]?.[0] ?? "").some((b) => b.trim() !== "") : (values[`a${q.index}`]?.length ?? 0) > 0,
  ).length;
  const unanswered = open.questions.length - answered;

  return (
    <Form
      method="post"
      ref={formRef}
      className="space-y-4"
      onSubmit={(e) => {
        if (!autoSubmitted.current && unanswered > 0 && !confirm(t("quiz.lesson.confirmUnanswered", { count: unanswered }))) {
          e.preventDefault();
          return;
        }
        try {
          localStorage.removeItem(storageKey);
        } catch {}
      }}
    >
      <input type="hidden" name="intent" value="submit" />
      <input type="hidden" name="attemptId" value={open.id} />
      <div className="sticky top-0 z-10 flex flex-wrap items-center justify-between gap-2 rounded-lg bg-white/95 p-3 shadow-sm ring-1 ring-gray-200">
        <span>{t("quiz.lesson.progress", { done: answered, total: open.questions.length })}</span>
        {secondsLeft !== null ? (
          <span role="timer" aria-live="off" className={`font-semibold tabular-nums ${secondsLeft < 60 ? "text-red-700" : ""}`}>
            {secondsLeft === 0 ? t("quiz.lesson.timeUp") : t("quiz.lesson.timeLeft", { time: formatTime(secondsLeft) })}
          </span>
        ) : null}
      </div>
      <p className="text-base text-gray-600">{t("quiz.lesson.savedLocally")}</p>
      {open.questions.map((q) => (
        <div key={q.index} className="card">
          <QuestionInputs q={q} name={`a${q.index}`} heading={t("quiz.lesson.questionNo", { n: q.index + 1 })} values={values} onChange={change} />
        </div>
      ))}
      <div className="space-y-2">
        {unanswered > 0 ? <p className="text-base text-gray-700">{t("quiz.lesson.unanswered", { count: unanswered })}</p> : null}
        <button type="submit" className="btn w-full text-lg" disabled={submitting}>
          {submitting ? t("quiz.lesson.submitting") : t("quiz.lesson.submit")}
        </button>
      </div>
    </Form>
  );
}
