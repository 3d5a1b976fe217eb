import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireRole, requireUnitInScope, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { Field, FormErrors } from "~/components/field";
import { MemberFields } from "~/components/member-fields";
import { useT } from "~/i18n/i18n";
import { memberCreateSchema } from "~/org/forms";
import { createMember } from "~/org/members.server";
import { listUnitsUnder, OrgError } from "~/org/units.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const units = await listUnitsUnder(scopePrefixes(viewer, "organiser"));
  const preselect = Number(new URL(request.url).searchParams.get("unit"));
  return { units, defaultUnitId: units.some((u) => u.id === preselect) ? preselect : units[0]?.id };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const submission = parseWithZod(await request.formData(), { schema: memberCreateSchema });
  if (submission.status !== "success") return submission.reply({ hideFields: ["password"] });
  const { password, ...member } = submission.value;
  await requireUnitInScope(viewer, member.unitId, "organiser");
  try {
    const created = await createMember({ ...member, phone: member.phone ?? null, position: member.position ?? "", joinedPartyOn: member.joinedPartyOn ?? null, password });
    return redirect(`/admin/members/${created.id}`);
  } catch (error) {
    if (error instanceof OrgError) return submission.reply({ fieldErrors: { [error.field]: [error.key] }, hideFields: ["password"] });
    throw error;
  }
}

export default function NewMember() {
  const t = useT();
  const { units, defaultUnitId } = useLoaderData<typeof loader>();
  const [form, fields] = useForm({
    lastResult: useActionData<typeof action>(),
    defaultValue: { unitId: defaultUnitId, status: "full" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: memberCreateSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <section className="card max-w-lg">
      <h1 className="mb-3 text-2xl font-bold">{t("members.new")}</h1>
      <Form method="post" className="space-y-3" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <MemberFields fields={fields} units={units} />
        <Field field={fields.password} label={t("members.password")} type="password" hint={t("members.passwordHint")} autoComplete="new-password" />
        <button type="submit" className="btn">
          {t("common.save")}
        </button>
      </Form>
    </section>
  );
}
