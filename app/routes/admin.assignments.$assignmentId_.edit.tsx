import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { AssignmentForm, UnitPicker } from "~/assignments/assignment-form";
import { assignableCourses, requireAssignmentVisible, submitAssignmentForm, updateAssignment } from "~/assignments/assignments.server";
import { notFound, parseId, requireUnitInScope, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { listUnitsUnder } from "~/org/units.server";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "修改学习任务 · 网上党校" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const { assignment, editable } = await requireAssignmentVisible(viewer, parseId(params.assignmentId));
  if (!editable) notFound();
  const unitParam = new URL(request.url).searchParams.get("unit");
  const unit = await requireUnitInScope(viewer, unitParam ? parseId(unitParam) : assignment.unitId, "organiser");
  const units = await listUnitsUnder(scopePrefixes(viewer, "organiser"));
  return {
    assignment: { id: assignment.id, title: assignment.title },
    unit: { id: unit.id, name: unit.name },
    units: units.map((u) => ({ id: u.id, name: u.name, depth: u.depth })),
    courses: await assignableCourses(unit.code),
    defaults: {
      title: assignment.title,
      note: assignment.note,
      startsOn: assignment.startsOn,
      dueOn: assignment.dueOn,
      statuses: assignment.statuses,
      courseIds: assignment.courses.map((c) => c.id),
    },
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const { assignment, editable } = await requireAssignmentVisible(viewer, parseId(params.assignmentId));
  if (!editable) notFound();
  const saved = await submitAssignmentForm(viewer, await request.formData(), async (input) => {
    await updateAssignment(assignment.id, input);
    return assignment.id;
  });
  return "id" in saved ? redirect(`/admin/assignments/${saved.id}`) : saved;
}

export default function EditAssignment() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <section className="card space-y-4">
      <Link to={`/admin/assignments/${data.assignment.id}`} className="link">
        ← {data.assignment.title}
      </Link>
      <h1 className="text-2xl font-bold">{t("assign.edit")}</h1>
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
