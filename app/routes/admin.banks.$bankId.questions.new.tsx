import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { useT } from "~/i18n/i18n";
import { createQuestion, requireBank } from "~/quiz/banks.server";
import { formToDraft, questionFormSchema } from "~/quiz/forms";
import { QuestionForm } from "~/quiz/question-form";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  return { bank: { id: bank.id, name: bank.name } };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  const submission = parseWithZod(await request.formData(), { schema: questionFormSchema });
  if (submission.status !== "success") return submission.reply();
  await createQuestion(bank.id, formToDraft(submission.value));
  return redirect(`/admin/banks/${bank.id}`);
}

export default function NewQuestion() {
  const t = useT();
  const { bank } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-4">
      <nav className="text-base">
        <Link to={`/admin/banks/${bank.id}`} className="link">
          {bank.name}
        </Link>
      </nav>
      <section className="card max-w-2xl">
        <h1 className="mb-3 text-2xl font-bold">{t("quiz.form.newTitle")}</h1>
        <QuestionForm lastResult={useActionData<typeof action>()} submitLabel={t("common.save")} />
      </section>
    </div>
  );
}
