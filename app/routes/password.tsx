import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { passwordChangeSchema } from "~/auth/forms";
import { changePassword } from "~/auth/login.server";
import { requireViewer } from "~/auth/session.server";
import { Field, FormErrors } from "~/components/field";
import { useT } from "~/i18n/i18n";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context }, { allowPasswordChange: true });
  return { mustChange: viewer.mustChangePassword };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context }, { allowPasswordChange: true });
  const submission = parseWithZod(await request.formData(), { schema: passwordChangeSchema });
  if (submission.status !== "success") return { result: submission.reply({ hideFields: ["currentPassword", "newPassword", "confirmPassword"] }), saved: false };
  const { currentPassword, newPassword } = submission.value;
  const outcome = await changePassword(viewer.id, currentPassword, newPassword, viewer.sessionId);
  if (!outcome.ok) {
    return { result: submission.reply({ fieldErrors: { currentPassword: ["password.wrongCurrent"] }, hideFields: ["currentPassword", "newPassword", "confirmPassword"] }), saved: false };
  }
  return { result: submission.reply({ resetForm: true }), saved: true };
}

export default function PasswordPage() {
  const t = useT();
  const { mustChange } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: passwordChangeSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <div className="mx-auto max-w-sm card">
      <h1 className="mb-3 text-2xl font-bold">{t("password.title")}</h1>
      {mustChange && !actionData?.saved ? <p className="mb-4 rounded-lg bg-amber-50 p-3 text-amber-900">{t("password.mustChange")}</p> : null}
      {actionData?.saved ? (
        <p className="mb-4 rounded-lg bg-green-50 p-3 text-green-900" role="status">
          {t("password.saved")} · <a href="/" className="link">{t("nav.home")}</a>
        </p>
      ) : null}
      <Form method="post" className="space-y-4" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <Field field={fields.currentPassword} label={t("password.current")} type="password" autoComplete="current-password" />
        <Field field={fields.newPassword} label={t("password.new")} type="password" autoComplete="new-password" hint={t("password.rules")} />
        <Field field={fields.confirmPassword} label={t("password.confirm")} type="password" autoComplete="new-password" />
        <button type="submit" className="btn w-full">
          {t("password.submit")}
        </button>
      </Form>
    </div>
  );
}
