import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { loginSchema, safeRedirect } from "~/auth/forms";
import { attemptLogin } from "~/auth/login.server";
import { assertSameOrigin } from "~/auth/origin.server";
import { getViewer, startSession } from "~/auth/session.server";
import { Field, FormErrors } from "~/components/field";
import { useT } from "~/i18n/i18n";
import { getLocale } from "~/i18n/locale.server";
import { translate } from "~/i18n/messages";

export const meta: MetaFunction = () => [{ title: "登录 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getViewer({ request, context })) throw redirect("/");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: loginSchema });
  if (submission.status !== "success") return submission.reply({ hideFields: ["password"] });
  const { identifier, password, redirectTo } = submission.value;
  const result = await attemptLogin(identifier, password, context.clientIp ?? "unknown");
  if (!result.ok) {
    const locale = await getLocale(request);
    const message =
      result.reason === "locked"
        ? translate(locale, "login.locked", { minutes: Math.ceil(result.waitSeconds / 60) })
        : translate(locale, "login.invalid");
    return submission.reply({ formErrors: [message], hideFields: ["password"] });
  }
  const cookie = await startSession(result.userId);
  const to = result.mustChangePassword ? "/password" : safeRedirect(redirectTo);
  return redirect(to, { headers: { "Set-Cookie": cookie } });
}

export default function Login() {
  const t = useT();
  const lastResult = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: loginSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <div className="mx-auto max-w-sm">
      <p className="mb-4 text-center text-gray-700">{t("app.tagline")}</p>
      <div className="card">
        <h1 className="mb-4 text-2xl font-bold">{t("login.title")}</h1>
        <Form method="post" className="space-y-4" {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <Field field={fields.identifier} label={t("login.identifier")} autoComplete="username" />
          <Field field={fields.password} label={t("login.password")} type="password" autoComplete="current-password" />
          <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
          <button type="submit" className="btn w-full" disabled={navigation.state === "submitting"}>
            {t("login.submit")}
          </button>
        </Form>
        <p className="mt-4 text-sm text-gray-600">{t("login.hint")}</p>
      </div>
    </div>
  );
}
