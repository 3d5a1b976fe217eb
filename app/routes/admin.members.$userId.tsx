import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { coversCode, forbidden, hasAnyRole, parseId, requireMemberInScope, requireUnitInScope, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { Field, FormErrors, SelectField } from "~/components/field";
import { MemberFields } from "~/components/member-fields";
import { useT } from "~/i18n/i18n";
import { memberActionSchema } from "~/org/forms";
import { getGrant, grantRole, grantsOf, resetMemberPassword, revokeGrant, setMemberDisabled, updateMember } from "~/org/members.server";
import { listUnitsUnder, OrgError } from "~/org/units.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const { user, unitName } = await requireMemberInScope(viewer, parseId(params.userId), "organiser");
  const [units, adminUnits, grants] = await Promise.all([
    listUnitsUnder(scopePrefixes(viewer, "organiser")),
    listUnitsUnder(scopePrefixes(viewer, "admin")),
    grantsOf(user.id),
  ]);
  return {
    member: {
      id: user.id,
      name: user.name,
      employeeNo: user.employeeNo,
      phone: user.phone ?? "",
      unitId: user.unitId,
      unitName,
      status: user.status,
      position: user.position,
      joinedPartyOn: user.joinedPartyOn ?? "",
      disabled: user.disabled,
    },
    isSelf: user.id === viewer.id,
    units,
    canGrant: hasAnyRole(viewer, "admin"),
    adminUnits,
    grants: grants.map((g) => ({ ...g, revocable: coversCode(viewer, g.unitCode, "admin") })),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const { user } = await requireMemberInScope(viewer, parseId(params.userId), "organiser");
  const submission = parseWithZod(await request.formData(), { schema: memberActionSchema });
  if (submission.status !== "success") {
    return { intent: String(submission.payload.intent ?? ""), result: submission.reply({ hideFields: ["temporaryPassword"] }) };
  }
  const value = submission.value;
  const done = (resetForm = false) => ({ intent: value.intent, result: submission.reply({ resetForm }) });
  try {
    switch (value.intent) {
      case "update":
        await requireUnitInScope(viewer, value.unitId, "organiser");
        await updateMember(user.id, {
          ...value,
          phone: value.phone ?? null,
          position: value.position ?? "",
          joinedPartyOn: value.joinedPartyOn ?? null,
        });
        return done();
      case "disable":
      case "enable":
        if (user.id === viewer.id) return { intent: value.intent, result: submission.reply({ formErrors: ["error.selfDisable"] }) };
        await setMemberDisabled(user.id, value.intent === "disable");
        return done();
      case "resetPassword":
        await resetMemberPassword(user.id, value.temporaryPassword);
        return done(true);
      case "grant":
        await requireUnitInScope(viewer, value.unitId, "admin");
        await grantRole(user.id, value.unitId, value.role, viewer.id);
        return done(true);
      case "revoke": {
        const grant = await getGrant(value.grantId);
        if (!grant || grant.userId !== user.id || !coversCode(viewer, grant.unitCode, "admin")) forbidden();
        await revokeGrant(grant.id);
        return done();
      }
    }
  } catch (error) {
    if (error instanceof OrgError) return { intent: value.intent, result: submission.reply({ fieldErrors: { [error.field]: [error.key] } }) };
    throw error;
  }
}

function useIntentForm(intent: string, defaultValue?: Record<string, string | number | boolean | null>) {
  const actionData = useActionData<typeof action>();
  return useForm({
    id: `member-${intent}`,
    defaultValue: defaultValue as Record<string, string> | undefined,
    lastResult: actionData?.intent === intent ? actionData.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: memberActionSchema }),
    shouldRevalidate: "onInput",
  });
}

export default function MemberPage() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const [updateForm, updateFields] = useIntentForm("update", data.member);
  const [resetForm, resetFields] = useIntentForm("resetPassword");
  const [grantForm, grantFields] = useIntentForm("grant", { role: "organiser" });
  const [statusForm] = useIntentForm(data.member.disabled ? "enable" : "disable");
  return (
    <div className="space-y-4">
      <section className="card max-w-lg">
        <h1 className="mb-3 text-2xl font-bold">
          {data.member.name}
          {data.member.disabled ? <span className="ml-2 text-base text-red-700">{t("members.disabled")}</span> : null}
        </h1>
        <Form method="post" className="space-y-3" {...getFormProps(updateForm)}>
          <input type="hidden" name="intent" value="update" />
          <FormErrors errors={updateForm.errors} />
          <MemberFields fields={updateFields} units={data.units} />
          <button type="submit" className="btn">
            {t("common.save")}
          </button>
        </Form>
      </section>
      <section className="card max-w-lg">
        <h2 className="mb-2 text-xl font-bold">{t("members.resetPassword")}</h2>
        <Form method="post" className="space-y-3" {...getFormProps(resetForm)}>
          <input type="hidden" name="intent" value="resetPassword" />
          <Field field={resetFields.temporaryPassword} label={t("members.temporaryPassword")} type="password" hint={t("members.passwordHint")} autoComplete="new-password" />
          <button type="submit" className="btn-secondary">
            {t("members.resetPassword")}
          </button>
        </Form>
      </section>
      {!data.isSelf ? (
        <section className="card max-w-lg">
          <Form method="post" {...getFormProps(statusForm)}>
            <FormErrors errors={statusForm.errors} />
            <input type="hidden" name="intent" value={data.member.disabled ? "enable" : "disable"} />
            <button type="submit" className={data.member.disabled ? "btn-secondary" : "btn-danger"}>
              {data.member.disabled ? t("members.enable") : t("members.disable")}
            </button>
          </Form>
        </section>
      ) : null}
      <section className="card max-w-lg">
        <h2 className="mb-2 text-xl font-bold">{t("members.grants")}</h2>
        {data.grants.length === 0 ? <p className="text-gray-600">{t("members.noGrants")}</p> : null}
        <ul className="mb-3 space-y-2">
          {data.grants.map((g) => (
            <li key={g.id} className="flex items-center justify-between gap-2">
              <span>
                {t(`role.${g.role}`)} · {g.unitName}
              </span>
              {g.revocable ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="revoke" />
                  <input type="hidden" name="grantId" value={g.id} />
                  <button type="submit" className="btn-danger min-h-10 px-3">
                    {t("members.revoke")}
                  </button>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
        {data.canGrant ? (
          <Form method="post" className="space-y-3" {...getFormProps(grantForm)}>
            <input type="hidden" name="intent" value="grant" />
            <FormErrors errors={grantForm.errors} />
            <SelectField field={grantFields.unitId} label={t("members.unit")} options={data.adminUnits.map((u) => ({ value: u.id, label: `${u.code} ${u.name}` }))} />
            <SelectField
              field={grantFields.role}
              label={t("members.grants")}
              options={[
                { value: "organiser", label: t("role.organiser") },
                { value: "admin", label: t("role.admin") },
              ]}
            />
            <button type="submit" className="btn-secondary">
              {t("members.grant")}
            </button>
          </Form>
        ) : null}
      </section>
    </div>
  );
}
