// One contest for its organiser: a draft's preview (the questions publication will freeze, with
// their answers) and its publication; once published, the live figures, closing early and the
// results download.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { BoardStats, useBoard } from "~/contests/board";
import { closeContest, ContestError, deleteDraft, drawContest, frozenQuestions, phaseOf, publishContest, requireManagedContest } from "~/contests/contests.server";
import { chinaText } from "~/contests/forms";
import { computeBoard } from "~/contests/live.server";
import type { Board } from "~/contests/scoring";
import { useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import { answerText, presentQuestion } from "~/quiz/grading";
import { typeLabelKey } from "~/quiz/components";

export const meta: MetaFunction = () => [{ title: "知识竞赛 · 网上党校" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const contest = await requireManagedContest(viewer, parseId(params.contestId));
  const phase = phaseOf(contest);
  const summary = {
    id: contest.id,
    title: contest.title,
    description: contest.description,
    unitName: contest.unitName,
    phase,
    status: contest.status,
    window: { opens: chinaText(contest.opensAt), closes: chinaText(contest.closesAt) },
    seconds: contest.secondsPerQuestion,
  };
  if (contest.status === "draft") {
    const draw = await drawContest(contest);
    return {
      contest: summary,
      count: draw.versions.length,
      shortfalls: draw.shortfalls,
      preview: draw.versions.map((v) => {
        const shown = presentQuestion(v);
        return { id: v.id, type: v.type, stem: v.stem, options: shown.options, answer: v.answer, explanation: v.explanation };
      }),
      board: null,
    };
  }
  const board = await computeBoard(contest.id);
  return { contest: summary, count: (await frozenQuestions(contest.id)).length, shortfalls: [], preview: [], board };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const contest = await requireManagedContest(viewer, parseId(params.contestId));
  const intent = (await request.formData()).get("intent");
  try {
    if (intent === "publish") await publishContest(contest.id);
    else if (intent === "close") await closeContest(contest.id);
    else if (intent === "delete") {
      if (!(await deleteDraft(contest.id))) throw new ContestError("delete", "contest.error.notDraft");
      return redirect("/admin/contests");
    } else return data({ error: "contest.error.tampered" }, { status: 400 });
  } catch (error) {
    if (error instanceof ContestError) return data({ error: error.key }, { status: 409 });
    throw error;
  }
  return redirect(`/admin/contests/${contest.id}`);
}

export default function ContestAdmin() {
  const t = useT();
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const c = d.contest;
  const words = { true: t("quiz.answer.true"), false: t("quiz.answer.false"), or: t("quiz.or") };
  return (
    <div className="space-y-4">
      <section className="card space-y-3">
        <Link to="/admin/contests" className="link">
          ← {t("contest.admin.title")}
        </Link>
        <h1 className="text-2xl font-bold">{c.title}</h1>
        <p className="text-gray-700">
          {t(`contest.status.${c.phase}`)} · {c.unitName} · {t("contest.window", c.window)} · {t("contest.rule", { count: d.count, seconds: c.seconds })}
        </p>
        {c.description ? <p className="whitespace-pre-line">{c.description}</p> : null}
        {result && "error" in result ? (
          <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
            {t(result.error as MessageKey)}
          </p>
        ) : null}
        {c.status === "draft" ? (
          <div className="flex flex-wrap gap-2">
            <Link to={`/admin/contests/${c.id}/edit`} className="btn-secondary">
              {t("contest.edit")}
            </Link>
            <Form method="post">
              <input type="hidden" name="intent" value="publish" />
              <button type="submit" className="btn" disabled={d.shortfalls.length > 0 || d.count === 0}>
                {t("contest.publish")}
              </button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="delete" />
              <button type="submit" className="btn-danger">
                {t("contest.delete")}
              </button>
            </Form>
            <p className="w-full text-gray-700">{t("contest.publishConfirm")}</p>
          </div>
        ) : (
          <div className="flex flex-wrap gap-2">
            <Link to={`/contests/${c.id}/leaderboard`} className="btn-secondary">
              {t("contest.leaderboard")}
            </Link>
            <a href={`/admin/contests/${c.id}/results.xlsx`} className="btn-secondary" download>
              {t("contest.download")}
            </a>
            {c.phase !== "closed" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="close" />
                <button type="submit" className="btn-danger">
                  {t("contest.closeNow")}
                </button>
              </Form>
            ) : null}
          </div>
        )}
      </section>
      {d.board ? <Monitor contestId={c.id} initial={d.board} /> : null}
      {c.status === "draft" ? (
        <section className="card space-y-3">
          <h2 className="text-xl font-bold">{t("contest.preview")}</h2>
          {d.shortfalls.map((s) => (
            <p key={s.type} className="rounded-lg bg-amber-50 p-3 text-amber-900" role="alert">
              {t("contest.previewShort", { type: t(typeLabelKey(s.type)), wanted: s.wanted, found: s.found })}
            </p>
          ))}
          <ol className="space-y-3">
            {d.preview.map((q, i) => (
              <li key={q.id} className="rounded-lg border border-gray-200 p-3">
                <p className="text-gray-600">
                  {i + 1} · {t(typeLabelKey(q.type))}
                </p>
                <p className="text-lg font-semibold whitespace-pre-line">{q.stem}</p>
                {q.options.length ? (
                  <ul>
                    {q.options.map((o) => (
                      <li key={o.id}>
                        {o.label}. {o.text}
                      </li>
                    ))}
                  </ul>
                ) : null}
                <p>
                  {t("quiz.review.correctAnswer")}：{answerText({ type: q.type, options: q.options, answer: q.answer }, undefined, words)}
                </p>
                {q.explanation ? <p className="text-gray-700">{q.explanation}</p> : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}

function Monitor({ contestId, initial }: { contestId: number; initial: Board }) {
  const t = useT();
  const { board, live } = useBoard(contestId, initial);
  return (
    <section className="card space-y-2">
      <h2 className="text-xl font-bold">{t("contest.monitor")}</h2>
      <BoardStats board={board} live={live} />
    </section>
  );
}
