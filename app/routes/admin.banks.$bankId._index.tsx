import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { Field, FormErrors } from "~/components/field";
import { useT } from "~/i18n/i18n";
import { deleteBank, listQuestions, requireBank, requireQuestion, setArchived, updateBank } from "~/quiz/banks.server";
import { FreshnessNote } from "~/quiz/components";
import { bankActionSchema } from "~/quiz/forms";
import { bankFreshness } from "~/quiz/freshness.server";
import { isQuestionType, QUESTION_TYPES } from "~/quiz/grading";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  const url = new URL(request.url);
  const typeParam = url.searchParams.get("type");
  const type = isQuestionType(typeParam) ? typeParam : undefined;
  const archived = url.searchParams.get("archived") === "1";
  const page = Math.max(1, Math.min(10_000, Number(url.searchParams.get("page")) || 1));
  const search = (url.searchParams.get("q") ?? "").slice(0, 100);
  const [list, freshness] = await Promise.all([listQuestions(bank.id, { search, type, archived, page }), bankFreshness(viewer, [bank.id])]);
  return {
    bank: { id: bank.id, name: bank.name, description: bank.description, unitName: bank.unitName },
    list,
    filters: { search, type: type ?? "", archived },
    freshness: freshness.get(bank.id) ?? null,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  const submission = parseWithZod(await request.formData(), { schema: bankActionSchema });
  if (submission.status !== "success") return { intent: String(submission.payload.intent ?? ""), result: submission.reply() };
  const value = submission.value;
  switch (value.intent) {
    case "rename":
      await updateBank(bank.id, value);
      return { intent: value.intent, result: submission.reply({ resetForm: false }) };
    case "delete":
      if (!(await deleteBank(bank.id))) return { intent: value.intent, result: submission.reply({ formErrors: ["quiz.bank.notEmpty"] }) };
      return redirect("/admin/banks");
    case "archive":
    case "restore":
      await requireQuestion(bank.id, value.questionId);
      await setArchived(value.questionId, value.intent === "archive");
      return { intent: value.intent, result: submission.reply() };
  }
}

function useIntentForm(intent: string) {
  const actionData = useActionData<typeof action>();
  return useForm({
    id: `bank-${intent}`,
    lastResult: actionData?.intent === intent ? actionData.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: bankActionSchema }),
    shouldRevalidate: "onInput",
  });
}

export default function BankPage() {
  const t = useT();
  const { bank, list, filters, freshness } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const [renameForm, renameFields] = useIntentForm("rename");
  const [deleteForm] = useIntentForm("delete");
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  const pageLink = (page: number) => {
    const next = new URLSearchParams(params);
    next.set("page", String(page));
    return `?${next.toString()}`;
  };
  return (
    <div className="space-y-4">
      <nav className="text-base">
        <Link to="/admin/banks" className="link">
          {t("quiz.banks.title")}
        </Link>
      </nav>
      <section className="card space-y-2">
        <h1 className="text-2xl font-bold">{bank.name}</h1>
        <p className="text-gray-700">
          {bank.unitName} · {t("quiz.banks.questions", { count: freshness?.questions ?? list.total })}
        </p>
        {bank.description ? <p className="text-gray-600">{bank.description}</p> : null}
        <FreshnessNote freshness={freshness} />
        <div className="flex flex-wrap gap-2 pt-1">
          <Link to={`/admin/banks/${bank.id}/questions/new`} className="btn w-full sm:w-auto">
            {t("quiz.bank.newQuestion")}
          </Link>
          <Link to={`/admin/banks/${bank.id}/import`} className="btn-secondary w-full sm:w-auto">
            {t("quiz.bank.import")}
          </Link>
          <a href={`/admin/banks/${bank.id}/export.xlsx`} download className="btn-secondary w-full sm:w-auto">
            {t("quiz.bank.exportXlsx")}
          </a>
          <a href={`/admin/banks/${bank.id}/export.xml`} download className="btn-secondary w-full sm:w-auto">
            {t("quiz.bank.exportXml")}
          </a>
        </div>
      </section>

      <section className="card space-y-3" aria-labelledby="questions-heading">
        <h2 id="questions-heading" className="text-xl font-bold">
          {t("quiz.bank.questions")} <span className="text-base font-normal text-gray-600">{t("quiz.bank.total", { total: list.total })}</span>
        </h2>
        <Form method="get" className="flex flex-col gap-2 sm:flex-row" role="search">
          {filters.archived ? <input type="hidden" name="archived" value="1" /> : null}
          <label className="sr-only" htmlFor="q">
            {t("quiz.bank.search")}
          </label>
          <input id="q" name="q" type="search" defaultValue={filters.search} placeholder={t("quiz.bank.search")} className="input" />
          <label className="sr-only" htmlFor="type">
            {t("quiz.form.type")}
          </label>
          <select id="type" name="type" defaultValue={filters.type} className="input sm:w-48">
            <option value="">{t("quiz.bank.allTypes")}</option>
            {QUESTION_TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {t(`quiz.type.${ty}`)}
              </option>
            ))}
          </select>
          <button type="submit" className="btn-secondary">
            {t("quiz.bank.filter")}
          </button>
        </Form>
        <Link to={filters.archived ? "?" : "?archived=1"} className="link inline-block">
          {filters.archived ? t("quiz.bank.showActive") : t("quiz.bank.showArchived")}
        </Link>
        {list.items.length === 0 ? <p className="text-gray-600">{t("quiz.bank.empty")}</p> : null}
        <ol className="divide-y divide-gray-200">
          {list.items.map((q) => (
            <li key={q.id} className="space-y-1 py-3">
              <p className="text-sm text-gray-600">
                #{q.id} · {t(`quiz.type.${q.type}`)} · {t("quiz.bank.difficulty", { level: q.difficulty })} · {t("quiz.bank.version", { version: q.version })}
                {q.tags.length ? ` · ${q.tags.join("、")}` : ""}
              </p>
              <p className="break-words whitespace-pre-line">{q.stem.length > 120 ? `${q.stem.slice(0, 120)}…` : q.stem}</p>
              <div className="flex flex-wrap gap-2">
                <Link to={`/admin/banks/${bank.id}/questions/${q.id}`} className="btn-secondary min-h-10 px-3 py-1" aria-label={`${t("quiz.bank.edit")} #${q.id}`}>
                  {t("quiz.bank.edit")}
                </Link>
                <Form method="post">
                  <input type="hidden" name="intent" value={q.archived ? "restore" : "archive"} />
                  <input type="hidden" name="questionId" value={q.id} />
                  <button type="submit" className="btn-secondary min-h-10 px-3 py-1" aria-label={`${q.archived ? t("quiz.bank.restore") : t("quiz.bank.archive")} #${q.id}`}>
                    {q.archived ? t("quiz.bank.restore") : t("quiz.bank.archive")}
                  </button>
                </Form>
              </div>
            </li>
          ))}
        </ol>
        <p className="text-sm text-gray-600">{t("quiz.bank.archiveHint")}</p>
        {pages > 1 ? (
          <nav className="flex items-center justify-between" aria-label="pagination">
            {list.page > 1 ? (
              <Link to={pageLink(list.page - 1)} className="btn-secondary">
                {t("quiz.bank.prev")}
              </Link>
            ) : (
              <span />
            )}
            <span>
              {list.page} / {pages}
            </span>
            {list.page < pages ? (
              <Link to={pageLink(list.page + 1)} className="btn-secondary">
                {t("quiz.bank.next")}
              </Link>
            ) : (
              <span />
            )}
          </nav>
        ) : null}
      </section>

      <section className="card max-w-lg space-y-3" aria-labelledby="settings-heading">
        <h2 id="settings-heading" className="text-xl font-bold">
          {t("quiz.bank.settings")}
        </h2>
        <Form method="post" className="space-y-3" {...getFormProps(renameForm)}>
          <input type="hidden" name="intent" value="rename" />
          <FormErrors errors={renameForm.errors} />
          <Field field={{ ...renameFields.name, initialValue: renameFields.name.initialValue ?? bank.name }} label={t("quiz.banks.name")} />
          <Field
            field={{ ...renameFields.description, initialValue: renameFields.description.initialValue ?? bank.description }}
            label={t("quiz.banks.description")}
          />
          <button type="submit" className="btn">
            {t("common.save")}
          </button>
        </Form>
        <Form
          method="post"
          className="space-y-2"
          {...getFormProps(deleteForm)}
          onSubmit={(e) => {
            if (!confirm(t("common.confirmDelete"))) e.preventDefault();
          }}
        >
          <input type="hidden" name="intent" value="delete" />
          <p className="text-gray-600">{t("quiz.bank.deleteHint")}</p>
          <FormErrors errors={deleteForm.errors} />
          <button type="submit" className="btn-danger">
            {t("quiz.bank.delete")}
          </button>
        </Form>
      </section>
    </div>
  );
}
