// 积分规则: a committee admin changes a rule's amount and daily cap from a stated day on; the
// change is a new version, announced to members on their points page.
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireRole } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { requireRuleAdmin } from "~/points/access.server";
import { InputField, SelectInput } from "~/points/fields";
import { ruleChangeSchema } from "~/points/forms";
import { ruleInForce } from "~/points/ledger.server";
import { changeRule, listRuleVersions, RuleChangeError } from "~/points/rule-admin.server";
import { DEFAULT_RULES, pointsDay, ruleDefault, rulesOfGroup, type RuleCode } from "~/points/rules";
import { useErrorText } from "~/components/field";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "积分规则 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "admin");
  requireRuleAdmin(viewer);
  const today = pointsDay();
  const [versions, current] = await Promise.all([listRuleVersions(), Promise.all(DEFAULT_RULES.map((r) => ruleInForce(r.code, today)))]);
  const selected = new URL(request.url).searchParams.get("rule");
  return {
    today,
    selected: DEFAULT_RULES.some((r) => r.code === selected) ? (selected as RuleCode) : DEFAULT_RULES[0].code,
    rules: DEFAULT_RULES.map((r, i) => ({
      code: r.code,
      sharesWith: rulesOfGroup(r.group).filter((c) => c !== r.code),
      current: { version: current[i].version, amount: current[i].amount, dailyCap: current[i].dailyCap, effectiveFrom: current[i].effectiveFrom },
      versions: versions
        .filter((v) => v.code === r.code)
        .map((v) => ({ id: v.id, version: v.version, amount: v.amount, dailyCap: v.dailyCap, effectiveFrom: v.effectiveFrom, note: v.note })),
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "admin");
  requireRuleAdmin(viewer);
  const submission = parseWithZod(await request.formData(), { schema: ruleChangeSchema });
  if (submission.status !== "success") return { result: submission.reply(), saved: null };
  const v = submission.value;
  try {
    const row = await changeRule({ code: v.code, amount: v.amount, dailyCap: v.dailyCap ?? null, effectiveFrom: v.effectiveFrom, note: v.note ?? "", by: viewer.id });
    return { result: submission.reply({ resetForm: true }), saved: { code: row.code as RuleCode, version: row.version, effectiveFrom: row.effectiveFrom } };
  } catch (error) {
    if (error instanceof RuleChangeError) return { result: submission.reply({ fieldErrors: { [error.field]: [error.key] } }), saved: null };
    throw error;
  }
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function RuleForm({ today, rules, selected }: { today: string; rules: LoaderData["rules"]; selected: LoaderData["selected"] }) {
  const t = useT();
  const errorText = useErrorText();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const initial = rules.find((r) => r.code === selected)!;
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    defaultValue: { code: selected, amount: initial.current.amount, dailyCap: initial.current.dailyCap ?? "", effectiveFrom: today },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ruleChangeSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <Form method="post" className="space-y-3" {...getFormProps(form)}>
      <SelectInput field={fields.code} label={t("points.admin.rule")} errorText={errorText}>
        {rules.map((r) => (
          <option key={r.code} value={r.code}>
            {t(`points.rule.${r.code}`)}
          </option>
        ))}
      </SelectInput>
      <InputField field={fields.amount} label={t("points.admin.amount")} errorText={errorText} type="number" inputMode="numeric" />
      <InputField field={fields.dailyCap} label={t("points.admin.cap")} errorText={errorText} type="number" inputMode="numeric" />
      <InputField field={fields.effectiveFrom} label={t("points.admin.effectiveFrom")} errorText={errorText} type="date" />
      <InputField field={fields.note} label={t("points.admin.note")} errorText={errorText} />
      <button type="submit" className="btn" disabled={busy}>
        {t("points.admin.save")}
      </button>
    </Form>
  );
}

export default function PointRules() {
  const t = useT();
  const { today, rules, selected } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const capText = (cap: number | null) => (cap === null ? t("points.admin.noCap") : String(cap));
  return (
    <div className="space-y-4">
      <section className="card space-y-2">
        <h1 className="text-2xl font-bold">{t("points.admin.title")}</h1>
        <p className="text-gray-700">{t("points.admin.intro")}</p>
        {actionData?.saved ? (
          <p role="status" className="rounded-lg bg-green-50 p-3 text-green-900">
            {t("points.admin.saved", { label: t(`points.rule.${actionData.saved.code}`), version: actionData.saved.version, date: actionData.saved.effectiveFrom })}
          </p>
        ) : null}
      </section>

      <section className="card max-w-lg" id="rule-form">
        <RuleForm key={selected} today={today} rules={rules} selected={selected} />
      </section>

      <section className="card overflow-x-auto">
        <table className="w-full min-w-[32rem] text-left">
          <thead>
            <tr className="border-b">
              <th scope="col" className="py-2 pr-3">
                {t("points.admin.rule")}
              </th>
              <th scope="col" className="py-2 pr-3">
                {t("points.admin.current")}
              </th>
              <th scope="col" className="py-2">
                {t("points.admin.versions")}
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.code} className="border-b align-top" data-testid={`rule-${r.code}`}>
                <th scope="row" className="py-2 pr-3 font-medium">
                  {t(`points.rule.${r.code}`)}
                  {r.sharesWith.length > 0 && ruleDefault(r.code).dailyCap !== null ? (
                    <span className="block text-sm font-normal text-gray-600">
                      {t("points.admin.sharedCap", { other: r.sharesWith.map((c) => t(`points.rule.${c}`)).join("、") })}
                    </span>
                  ) : null}
                </th>
                <td className="py-2 pr-3">
                  {r.current.amount} / {capText(r.current.dailyCap)}
                  <Link to={`?rule=${r.code}#rule-form`} className="link block text-sm">
                    {t("points.admin.edit")}
                  </Link>
                </td>
                <td className="py-2 text-sm">
                  <ul>
                    {r.versions.map((v) => (
                      <li key={v.id}>
                        {t("points.admin.version", { version: v.version })} · {v.effectiveFrom} · {v.amount} / {capText(v.dailyCap)}
                        {v.note ? ` · ${v.note}` : ""}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
