import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { coversCode, parseId, requireUnitInScope, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { Field, FormErrors, SelectField } from "~/components/field";
import { useT } from "~/i18n/i18n";
import { unitActionSchema } from "~/org/forms";
import { CHILD_KINDS } from "~/org/kinds";
import { childrenWithCounts, createUnit, deleteUnit, listUnitsUnder, moveUnit, OrgError, renameUnit, unitPath } from "~/org/units.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const unit = await requireUnitInScope(viewer, parseId(params.unitId), "organiser");
  const canEdit = coversCode(viewer, unit.code, "admin");
  const parentCode = unit.code.slice(0, -3);
  // Moving or deleting a unit changes its parent, so the viewer must administer the parent.
  const canRestructure = canEdit && parentCode.length > 0 && coversCode(viewer, parentCode, "admin");
  const [path, children, candidates] = await Promise.all([
    unitPath(unit.code),
    childrenWithCounts(unit),
    canRestructure ? listUnitsUnder(scopePrefixes(viewer, "admin")) : Promise.resolve([]),
  ]);
  return {
    unit: { id: unit.id, name: unit.name, kind: unit.kind, code: unit.code },
    path,
    children,
    canEdit,
    canRestructure,
    childKinds: CHILD_KINDS[unit.kind],
    moveTargets: candidates.filter((c) => CHILD_KINDS[c.kind].includes(unit.kind) && !c.code.startsWith(unit.code)),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const unit = await requireUnitInScope(viewer, parseId(params.unitId), "admin");
  const submission = parseWithZod(await request.formData(), { schema: unitActionSchema });
  if (submission.status !== "success") return { intent: String(submission.payload.intent ?? ""), result: submission.reply() };
  const value = submission.value;
  const parentCode = unit.code.slice(0, -3);
  try {
    switch (value.intent) {
      case "create": {
        const child = await createUnit({ parentId: unit.id, kind: value.kind, name: value.name });
        return redirect(`/admin/units/${child.id}`);
      }
      case "rename":
        await renameUnit(unit.id, value.name);
        return { intent: value.intent, result: submission.reply({ resetForm: false }) };
      case "move": {
        if (!parentCode || !coversCode(viewer, parentCode, "admin")) {
          return { intent: value.intent, result: submission.reply({ formErrors: ["error.cannotChangeOwnRoot"] }) };
        }
        await requireUnitInScope(viewer, value.parentId, "admin");
        await moveUnit(unit.id, value.parentId);
        return redirect(`/admin/units/${unit.id}`);
      }
      case "delete": {
        if (!parentCode || !coversCode(viewer, parentCode, "admin")) {
          return { intent: value.intent, result: submission.reply({ formErrors: ["error.cannotChangeOwnRoot"] }) };
        }
        await deleteUnit(unit.id);
        return redirect(`/admin/units/${unit.parentId}`);
      }
    }
  } catch (error) {
    if (error instanceof OrgError) {
      return { intent: value.intent, result: submission.reply({ formErrors: [error.key] }) };
    }
    throw error;
  }
}

function useIntentForm(intent: string) {
  const actionData = useActionData<typeof action>();
  return useForm({
    id: `unit-${intent}`,
    lastResult: actionData?.intent === intent ? actionData.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: unitActionSchema }),
    shouldRevalidate: "onInput",
  });
}

export default function UnitPage() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const [createForm, createFields] = useIntentForm("create");
  const [renameForm, renameFields] = useIntentForm("rename");
  const [moveForm, moveFields] = useIntentForm("move");
  const [deleteForm] = useIntentForm("delete");
  return (
    <div className="space-y-4">
      <nav aria-label="breadcrumb" className="text-base text-gray-700">
        {data.path.map((p, i) => (
          <span key={p.code}>
            {i > 0 ? " / " : ""}
            {p.code === data.unit.code ? <span aria-current="page">{p.name}</span> : p.name}
          </span>
        ))}
      </nav>
      <section className="card">
        <h1 className="text-2xl font-bold">{data.unit.name}</h1>
        <p className="text-gray-600">
          {t(`kind.${data.unit.kind}`)} · {t("units.code")} {data.unit.code}
        </p>
        <Link to={`/admin/members?unit=${data.unit.id}`} className="btn-secondary mt-3">
          {t("units.viewMembers")}
        </Link>
      </section>
      <section className="card">
        <h2 className="mb-2 text-xl font-bold">{t("units.children")}</h2>
        {data.children.length === 0 ? <p className="text-gray-600">{t("units.none")}</p> : null}
        <ul className="divide-y divide-gray-200">
          {data.children.map((c) => (
            <li key={c.id} className="flex items-baseline justify-between gap-2 py-2">
              <Link to={`/admin/units/${c.id}`} className="link text-lg">
                {c.name}
              </Link>
              <span className="text-sm text-gray-600">
                {t(`kind.${c.kind}`)} · {c.code} · {t("units.members")} {c.members}
              </span>
            </li>
          ))}
        </ul>
      </section>
      {data.canEdit && data.childKinds.length > 0 ? (
        <section className="card">
          <h2 className="mb-2 text-xl font-bold">{t("units.create")}</h2>
          <Form method="post" className="space-y-3" {...getFormProps(createForm)}>
            <input type="hidden" name="intent" value="create" />
            <FormErrors errors={createForm.errors} />
            <Field field={createFields.name} label={t("units.name")} />
            <SelectField
              field={createFields.kind}
              label={t("units.kind")}
              options={data.childKinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
            />
            <button className="btn" type="submit">
              {t("common.save")}
            </button>
          </Form>
        </section>
      ) : null}
      {data.canEdit ? (
        <section className="card">
          <h2 className="mb-2 text-xl font-bold">{t("units.rename")}</h2>
          <Form method="post" className="space-y-3" {...getFormProps(renameForm)}>
            <input type="hidden" name="intent" value="rename" />
            <FormErrors errors={renameForm.errors} />
            <Field field={{ ...renameFields.name, initialValue: renameFields.name.initialValue ?? data.unit.name }} label={t("units.name")} />
            <button className="btn" type="submit">
              {t("common.save")}
            </button>
          </Form>
        </section>
      ) : null}
      {data.canRestructure ? (
        <>
          <section className="card">
            <h2 className="mb-2 text-xl font-bold">{t("units.move")}</h2>
            <Form method="post" className="space-y-3" {...getFormProps(moveForm)}>
              <input type="hidden" name="intent" value="move" />
              <FormErrors errors={moveForm.errors} />
              <SelectField
                field={moveFields.parentId}
                label={t("units.moveTarget")}
                options={data.moveTargets.map((u) => ({ value: u.id, label: `${u.code} ${u.name}` }))}
              />
              <button className="btn" type="submit">
                {t("common.save")}
              </button>
            </Form>
          </section>
          <section className="card">
            <h2 className="mb-2 text-xl font-bold">{t("units.delete")}</h2>
            <p className="mb-2 text-gray-600">{t("units.deleteHint")}</p>
            <Form
              method="post"
              {...getFormProps(deleteForm)}
              onSubmit={(e) => {
                if (!confirm(t("common.confirmDelete"))) e.preventDefault();
              }}
            >
              <input type="hidden" name="intent" value="delete" />
              <FormErrors errors={deleteForm.errors} />
              <button className="btn-danger" type="submit">
                {t("units.delete")}
              </button>
            </Form>
          </section>
        </>
      ) : null}
    </div>
  );
}
