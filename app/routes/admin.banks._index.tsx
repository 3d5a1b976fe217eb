import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireRole, requireUnitInScope, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { Field, FormErrors, SelectField } from "~/components/field";
import { useT } from "~/i18n/i18n";
import { listUnitsUnder } from "~/org/units.server";
import { createBank, listBanks } from "~/quiz/banks.server";
import { FreshnessNote } from "~/quiz/components";
import { bankCreateSchema } from "~/quiz/forms";
import { bankFreshness } from "~/quiz/freshness.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const [banks, units] = await Promise.all([listBanks(viewer), listUnitsUnder(scopePrefixes(viewer, "organiser"))]);
  const freshness = await bankFreshness(
    viewer,
    banks.map((b) => b.id),
  );
  return {
    banks: banks.map((b) => ({ ...b, freshness: freshness.get(b.id) ?? null })),
    units: units.map((u) => ({ id: u.id, name: u.name, code: u.code, depth: u.depth })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const submission = parseWithZod(await request.formData(), { schema: bankCreateSchema });
  if (submission.status !== "success") return submission.reply();
  await requireUnitInScope(viewer, submission.value.unitId, "organiser");
  const bank = await createBank(submission.value);
  return redirect(`/admin/banks/${bank.id}`);
}

export default function BanksPage() {
  const t = useT();
  const { banks, units } = useLoaderData<typeof loader>();
  const [form, fields] = useForm({
    lastResult: useActionData<typeof action>(),
    defaultValue: { unitId: units[0]?.id },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: bankCreateSchema }),
    shouldRevalidate: "onInput",
  });
  const own = banks.filter((b) => b.manageable);
  const above = banks.filter((b) => !b.manageable);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("quiz.banks.title")}</h1>
      <p className="text-gray-700">{t("quiz.banks.intro")}</p>
      <a href="/admin/banks/template.xlsx" download className="btn-secondary w-full sm:w-auto">
        {t("quiz.banks.template")}
      </a>
      {own.length === 0 ? <p className="card text-gray-700">{t("quiz.banks.none")}</p> : null}
      <ul className="space-y-3">
        {own.map((b) => (
          <li key={b.id} className="card space-y-1">
            <Link to={`/admin/banks/${b.id}`} className="link text-lg font-semibold">
              {b.name}
            </Link>
            <p className="text-gray-700">
              {b.unitName} · {t("quiz.banks.questions", { count: b.questions })}
            </p>
            {b.description ? <p className="text-gray-600">{b.description}</p> : null}
            <FreshnessNote freshness={b.freshness} />
          </li>
        ))}
      </ul>
      {above.length > 0 ? (
        <section className="space-y-3" aria-labelledby="above-heading">
          <h2 id="above-heading" className="text-xl font-bold">
            {t("quiz.banks.readOnly")}
          </h2>
          <ul className="space-y-3">
            {above.map((b) => (
              <li key={b.id} className="card space-y-1">
                <p className="text-lg font-semibold">{b.name}</p>
                <p className="text-gray-700">
                  {b.unitName} · {t("quiz.banks.questions", { count: b.questions })}
                </p>
                <FreshnessNote freshness={b.freshness} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {units.length > 0 ? (
        <section className="card max-w-lg" aria-labelledby="create-heading">
          <h2 id="create-heading" className="mb-2 text-xl font-bold">
            {t("quiz.banks.create")}
          </h2>
          <Form method="post" className="space-y-3" {...getFormProps(form)}>
            <FormErrors errors={form.errors} />
            <Field field={fields.name} label={t("quiz.banks.name")} />
            <Field field={fields.description} label={t("quiz.banks.description")} />
            <SelectField
              field={fields.unitId}
              label={t("quiz.banks.unit")}
              options={units.map((u) => ({ value: u.id, label: `${"\u3000".repeat(Math.max(0, u.depth - 1))}${u.name}` }))}
            />
            <button type="submit" className="btn w-full sm:w-auto">
              {t("common.save")}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
