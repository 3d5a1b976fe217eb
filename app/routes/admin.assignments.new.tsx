import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { AssignmentForm, UnitPicker } from "~/assignments/assignment-form";
import { assignableCourses, createAssignment, submitAssignmentForm } from "~/assignments/assignments.server";
import { parseId, requireRole, requireUnitInScope, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { listUnitsUnder } from "~/org/units.server";
import { addDays, chinaDay } from "~/stats/metrics";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "布置学习任务 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const unitParam = new URL(request.url).searchParams.get("unit");
  const units = await listUnitsUnder(scopePrefixes(viewer, "organiser"));
  const unit = await requireUnitInScope(viewer, unitParam ? parseId(unitParam) : units[0].id, "organiser");
  const today = chinaDay();
  return {
    unit: { id: unit.id, name: unit.name },
    units: units.map((u) => ({ id: u.id, name: u.name, depth: u.depth })),
    courses: await assignableCourses(unit.code),
    defaults: { startsOn: today, dueOn: addDays(today, 30) },
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const saved = await submitAssignmentForm(viewer, await request.formData(), async (input) => (await createAssignment(input, viewer.id)).id);
  return "id" in saved ? redirect(`/admin/assignments/${saved.id}`) : saved;
}

export default function NewAssignment() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <section className="card space-y-4">
      <h1 className="text-2xl font-bold">{t("assign.new")}</h1>
      <UnitPicker units={data.units} unitId={data.unit.id} />
      <AssignmentForm
        key={data.unit.id}
        unit={data.unit}
        courses={data.courses}
        defaults={data.defaults}
        lastResult={actionData?.result}
        submitLabel={t("assign.save")}
      />
    </section>
  );
}
