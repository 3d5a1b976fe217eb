import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { MaxPartSizeExceededError, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { useT } from "~/i18n/i18n";
import { requireBank } from "~/quiz/banks.server";
import { IMPORT_FORMAT_VALUES } from "~/quiz/formats/names";
import { importFormSchema } from "~/quiz/forms";
import { importQuestions, MAX_QUESTION_FILE_BYTES } from "~/quiz/import.server";

const MB = MAX_QUESTION_FILE_BYTES / 1024 / 1024;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  return { bank: { id: bank.id, name: bank.name }, maxMb: MB };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  if (Number(request.headers.get("content-length") ?? 0) > MAX_QUESTION_FILE_BYTES + 64 * 1024) return { status: "tooLarge" as const };
  let formData: FormData;
  try {
    formData = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_QUESTION_FILE_BYTES, filter: ({ name }) => name === "file" || name === "format" }),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return { status: "tooLarge" as const };
    if (error instanceof TypeError) return { status: "badUpload" as const };
    throw error;
  }
  const submission = parseWithZod(formData, { schema: importFormSchema });
  if (submission.status !== "success") return { status: "form" as const, result: submission.reply() };
  const { file, format } = submission.value;
  const outcome = await importQuestions({ bankId: bank.id, file: { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }, format });
  if (outcome.ok) return { status: "imported" as const, count: outcome.imported, skipped: outcome.skipped };
  return { status: "invalid" as const, errors: outcome.errors, total: outcome.total, skipped: outcome.skipped };
}

export default function ImportQuestions() {
  const t = useT();
  const { bank, maxMb } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const [form, fields] = useForm({
    lastResult: data?.status === "form" ? data.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: importFormSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const fileError = fields.file.errors?.length ? t("quiz.import.fileRequired") : null;
  return (
    <div className="space-y-4">
      <nav className="text-base">
        <Link to={`/admin/banks/${bank.id}`} className="link">
          {bank.name}
        </Link>
      </nav>
      <section className="card space-y-3">
        <h1 className="text-2xl font-bold">{t("quiz.import.title", { bank: bank.name })}</h1>
        <p className="text-gray-700">{t("quiz.import.intro")}</p>
        <a href="/admin/banks/template.xlsx" download className="btn-secondary w-full sm:w-auto">
          {t("quiz.banks.template")}
        </a>
        <Form method="post" encType="multipart/form-data" className="space-y-3" {...getFormProps(form)}>
          <div className="space-y-1">
            <label htmlFor={fields.file.id} className="block font-medium">
              {t("quiz.import.file")}
            </label>
            <input
              {...getInputProps(fields.file, { type: "file", ariaDescribedBy: `${fields.file.id}-hint` })}
              accept=".xlsx,.xml,.gift,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/xml,text/plain"
              className="input file:mr-3 file:rounded file:border-0 file:bg-gray-100 file:px-3 file:py-1"
            />
            <p id={`${fields.file.id}-hint`} className="text-sm text-gray-600">
              {t("quiz.import.fileHint", { mb: maxMb })}
            </p>
            {fileError ? (
              <p id={fields.file.errorId} className="text-base text-red-700" role="alert">
                {fileError}
              </p>
            ) : null}
          </div>
          <div className="space-y-1">
            <label htmlFor="import-format" className="block font-medium">
              {t("quiz.import.format")}
            </label>
            <select id="import-format" name="format" className="input" defaultValue="auto">
              {IMPORT_FORMAT_VALUES.map((f) => (
                <option key={f} value={f}>
                  {t(`quiz.import.format.${f}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn w-full sm:w-auto" disabled={busy}>
            {busy ? t("quiz.import.checking") : t("quiz.import.submit")}
          </button>
        </Form>
        <Outcome />
      </section>
    </div>
  );
}

function Outcome() {
  const t = useT();
  const { maxMb } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  if (!data || data.status === "form") return null;
  if (data.status === "tooLarge" || data.status === "badUpload") {
    return (
      <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
        {data.status === "tooLarge" ? t("quiz.import.tooLarge", { mb: maxMb }) : t("quiz.import.badUpload")}
      </p>
    );
  }
  const where = (line: number) => (line > 0 ? t("quiz.import.line", { line }) : t("quiz.import.wholeFile"));
  return (
    <div className="space-y-3">
      {data.status === "imported" ? (
        <p className="rounded-lg bg-green-50 p-3 text-lg font-semibold text-green-900" role="status">
          {t("quiz.import.done", { count: data.count })}
        </p>
      ) : (
        <div className="space-y-2" role="alert">
          <p className="rounded-lg bg-red-50 p-3 font-semibold text-red-800">{t("quiz.import.errors", { count: data.total })}</p>
          <Table rows={data.errors.map((e) => ({ where: e.column ? `${where(e.line)} · ${e.column}` : where(e.line), reason: e.message }))} />
          {data.total > data.errors.length ? <p className="text-gray-700">{t("quiz.import.more", { shown: data.errors.length, total: data.total })}</p> : null}
        </div>
      )}
      {data.skipped.length > 0 ? (
        <div className="space-y-2">
          <p className="font-semibold">{t("quiz.import.skipped", { count: data.skipped.length })}</p>
          <Table rows={data.skipped.map((s) => ({ where: where(s.line), reason: s.excerpt ? `${s.reason}：${s.excerpt}` : s.reason }))} />
        </div>
      ) : null}
    </div>
  );
}

function Table({ rows }: { rows: { where: string; reason: string }[] }) {
  const t = useT();
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-left text-base">
        <thead>
          <tr className="border-b border-gray-300">
            <th scope="col" className="py-2 pr-2 whitespace-nowrap">
              {t("quiz.import.colWhere")}
            </th>
            <th scope="col" className="py-2">
              {t("quiz.import.colReason")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} className="border-b border-gray-200 align-top">
              <td className="py-2 pr-2 whitespace-nowrap">{r.where}</td>
              <td className="py-2 break-words">{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
