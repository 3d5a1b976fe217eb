import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { MaxPartSizeExceededError, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { newPassword } from "~/auth/forms";
import { requireRole, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { Field } from "~/components/field";
import { useLocale, useT } from "~/i18n/i18n";
import { importT } from "~/org/import-messages";
import { importMembers, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "~/org/member-import.server";
import { listUnitsUnder } from "~/org/units.server";

const MB = MAX_IMPORT_BYTES / 1024 / 1024;

const importSchema = z.object({
  file: z.instanceof(File, { message: "fileRequired" }).refine((f) => f.size > 0, "fileRequired"),
  initialPassword: newPassword,
});

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  requireRole(viewer, "admin");
  const units = await listUnitsUnder(scopePrefixes(viewer, "admin"));
  return { units, maxRows: MAX_IMPORT_ROWS, maxMb: MB };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  requireRole(viewer, "admin");
  // Refuse an oversized upload before reading it; the part limit below catches a missing length.
  if (Number(request.headers.get("content-length") ?? 0) > MAX_IMPORT_BYTES + 64 * 1024) return { status: "tooLarge" as const };
  let formData: FormData;
  try {
    formData = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({
        maxPartSize: MAX_IMPORT_BYTES,
        filter: ({ name }) => name === "file" || name === "initialPassword",
      }),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return { status: "tooLarge" as const };
    if (error instanceof TypeError) return { status: "badUpload" as const };
    throw error;
  }
  const submission = parseWithZod(formData, { schema: importSchema });
  if (submission.status !== "success") {
    return { status: "form" as const, result: submission.reply({ hideFields: ["initialPassword"] }) };
  }
  const { file, initialPassword } = submission.value;
  const result = await importMembers({
    file: { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) },
    initialPassword,
    scopePrefixes: scopePrefixes(viewer, "admin"),
  });
  if (result.ok) return { status: "imported" as const, count: result.count };
  return { status: "invalid" as const, errors: result.errors, total: result.total };
}

export default function ImportPage() {
  const t = useT();
  const it = importT(useLocale());
  const { units, maxRows, maxMb } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formMethod?.toUpperCase() === "POST";
  const [form, fields] = useForm({
    lastResult: actionData?.status === "form" ? actionData.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: importSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const fileError = fields.file.errors?.length ? it("fileRequired") : null;

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("import.title")}</h1>

      <section className="card space-y-3" aria-labelledby="import-heading">
        <h2 id="import-heading" className="text-xl font-bold">
          {it("importHeading")}
        </h2>
        <p className="text-gray-700">{it("intro")}</p>
        <div className="space-y-1">
          <a href="/admin/import/template.xlsx" download className="btn-secondary w-full sm:w-auto">
            {t("import.template")}
          </a>
          <p className="text-sm text-gray-600">{it("templateHint")}</p>
        </div>

        <Form method="post" encType="multipart/form-data" className="space-y-3" {...getFormProps(form)}>
          <div className="space-y-1">
            <label htmlFor={fields.file.id} className="block font-medium">
              {t("import.file")}
            </label>
            <input
              {...getInputProps(fields.file, { type: "file", ariaDescribedBy: `${fields.file.id}-hint` })}
              accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
              className="input file:mr-3 file:rounded file:border-0 file:bg-gray-100 file:px-3 file:py-1"
            />
            <p id={`${fields.file.id}-hint`} className="text-sm text-gray-600">
              {it("fileHint", { mb: maxMb, rows: maxRows })}
            </p>
            {fileError ? (
              <p id={fields.file.errorId} className="text-base text-red-700" role="alert">
                {fileError}
              </p>
            ) : null}
          </div>
          <Field
            field={fields.initialPassword}
            label={t("import.initialPassword")}
            type="password"
            hint={it("passwordHint")}
            autoComplete="new-password"
          />
          <button type="submit" className="btn w-full sm:w-auto" disabled={busy}>
            {busy ? it("checking") : t("import.submit")}
          </button>
        </Form>

        <ImportOutcome />
      </section>

      <section className="card space-y-3" aria-labelledby="export-heading">
        <h2 id="export-heading" className="text-xl font-bold">
          {t("import.export")}
        </h2>
        <p className="text-gray-700">{it("exportHint")}</p>
        {units.length === 0 ? (
          <p className="text-gray-600">{it("noUnits")}</p>
        ) : (
          // A plain GET form: the browser downloads the file and the page stays.
          <form method="get" action="/admin/export.xlsx" className="space-y-3">
            <div className="space-y-1">
              <label htmlFor="export-unit" className="block font-medium">
                {t("import.exportUnit")}
              </label>
              <select id="export-unit" name="unit" className="input" defaultValue={units[0].id}>
                {units.map((u) => (
                  <option key={u.id} value={u.id}>
                    {`${"\u3000".repeat(Math.max(0, u.depth - 1))}${u.name}（${u.code}）`}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="btn w-full sm:w-auto">
              {t("import.exportSubmit")}
            </button>
          </form>
        )}
      </section>
    </div>
  );
}

function ImportOutcome() {
  const t = useT();
  const it = importT(useLocale());
  const { maxMb } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  if (!data) return null;
  switch (data.status) {
    case "imported":
      return (
        <div className="space-y-2 rounded-lg bg-green-50 p-3 text-green-900" role="status">
          <p className="text-lg font-semibold">{t("import.done", { count: data.count })}</p>
          <Link to="/admin/members" className="link">
            {it("viewMembers")}
          </Link>
        </div>
      );
    case "tooLarge":
      return (
        <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
          {it("tooLarge", { mb: maxMb })}
        </p>
      );
    case "badUpload":
      return (
        <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
          {it("badUpload")}
        </p>
      );
    case "invalid":
      return (
        <div className="space-y-2" role="alert">
          <p className="rounded-lg bg-red-50 p-3 font-semibold text-red-800">{t("import.errors", { count: data.total })}</p>
          <div className="overflow-x-auto">
            <table className="w-full border-collapse text-left text-base">
              <thead>
                <tr className="border-b border-gray-300">
                  <th scope="col" className="py-2 pr-2 whitespace-nowrap">
                    {it("colRow")}
                    <span className="sm:hidden"> / {it("colColumn")}</span>
                  </th>
                  <th scope="col" className="hidden py-2 pr-2 whitespace-nowrap sm:table-cell">
                    {it("colColumn")}
                  </th>
                  <th scope="col" className="py-2">
                    {it("colReason")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.errors.map((e, i) => (
                  <tr key={i} className="border-b border-gray-200 align-top">
                    <td className="py-2 pr-2 whitespace-nowrap">
                      {e.row > 0 ? t("import.row", { row: e.row }) : it("wholeFile")}
                      {/* On a phone the column goes under the row number, leaving the reason room. */}
                      {e.column ? <span className="block text-gray-700 sm:hidden">{e.column}</span> : null}
                    </td>
                    <td className="hidden py-2 pr-2 whitespace-nowrap sm:table-cell">{e.column || "—"}</td>
                    <td className="py-2 break-words">{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.total > data.errors.length ? (
            <p className="text-gray-700">{it("moreErrors", { shown: data.errors.length, total: data.total })}</p>
          ) : null}
        </div>
      );
    default:
      return null;
  }
}
