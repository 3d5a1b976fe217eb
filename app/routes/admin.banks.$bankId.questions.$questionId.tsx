import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { useT } from "~/i18n/i18n";
import { questionHistory, requireBank, requireQuestion, updateQuestion } from "~/quiz/banks.server";
import { versionToDraft } from "~/quiz/draft";
import { formToDraft, questionFormSchema } from "~/quiz/forms";
import { QuestionForm } from "~/quiz/question-form";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  const { question, version } = await requireQuestion(bank.id, parseId(params.questionId));
  const history = await questionHistory(question.id);
  return {
    bank: { id: bank.id, name: bank.name },
    question: { id: question.id, version: question.currentVersion, archived: question.archived },
    draft: versionToDraft(version),
    history: history.map((h) => ({ version: h.version, stem: h.stem, createdAt: h.createdAt.toISOString() })),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  const { question } = await requireQuestion(bank.id, parseId(params.questionId));
  const submission = parseWithZod(await request.formData(), { schema: questionFormSchema });
  if (submission.status !== "success") return submission.reply();
  await updateQuestion(question.id, formToDraft(submission.value));
  return redirect(`/admin/banks/${bank.id}`);
}

export default function EditQuestion() {
  const t = useT();
  const { bank, question, draft, history } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-4">
      <nav className="text-base">
        <Link to={`/admin/banks/${bank.id}`} className="link">
          {bank.name}
        </Link>
      </nav>
      <section className="card max-w-2xl space-y-3">
        <h1 className="text-2xl font-bold">
          {t("quiz.form.editTitle")} #{question.id}
        </h1>
        <p className="rounded-lg bg-gray-50 p-2 text-gray-700">{t("quiz.form.versionNote", { next: question.version + 1 })}</p>
        <QuestionForm key={question.version} initial={draft} lastResult={useActionData<typeof action>()} submitLabel={t("common.save")} />
      </section>
      {history.length > 1 ? (
        <section className="card max-w-2xl" aria-labelledby="history-heading">
          <h2 id="history-heading" className="mb-2 text-xl font-bold">
            {t("quiz.form.history")}
          </h2>
          <ol className="divide-y divide-gray-200">
            {history.map((h) => (
              <li key={h.version} className="py-2">
                <p className="text-sm text-gray-600">
                  {t("quiz.bank.version", { version: h.version })} · {h.createdAt.slice(0, 10)}
                </p>
                <p className="break-words">{h.stem.length > 80 ? `${h.stem.slice(0, 80)}…` : h.stem}</p>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}
