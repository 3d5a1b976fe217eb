import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form, useNavigation } from "@remix-run/react";
import { MEMBER_STATUSES } from "~/org/kinds";
import { assignmentSchema } from "./forms";
import { Field, FieldError, TextareaField } from "~/components/field";
import { useT } from "~/i18n/i18n";
import { UnitOptions } from "~/components/unit-options";

type Unit = { id: number; name: string; depth: number };

/** Step 1: which unit (the courses offered depend on it). A GET form: works without JavaScript. */
export function UnitPicker({ units, unitId }: { units: Unit[]; unitId: number }) {
  const t = useT();
  return (
    <Form method="get" className="grid gap-2 sm:grid-cols-[1fr_auto]">
      <div className="space-y-1">
        <label htmlFor="pick-unit" className="block font-medium">
          {t("assign.unit")}
        </label>
        <select
          id="pick-unit"
          name="unit"
          defaultValue={unitId}
          className="input"
          aria-describedby="pick-unit-hint"
          onChange={(e) => e.currentTarget.form?.requestSubmit()}
        >
          <UnitOptions units={units} />
        </select>
        <p id="pick-unit-hint" className="text-sm text-gray-600">
          {t("assign.unitHint")}
        </p>
      </div>
      <button type="submit" className="btn-secondary self-start sm:mt-7">
        {t("assign.chooseUnit")}
      </button>
    </Form>
  );
}

export type AssignmentDefaults = {
  title?: string;
  note?: string;
  startsOn: string;
  dueOn: string;
  statuses?: string[];
  courseIds?: number[];
};

/** Step 2: the assignment itself, for the chosen unit. */
export function AssignmentForm({
  unit,
  courses,
  defaults,
  lastResult,
  submitLabel,
}: {
  unit: { id: number; name: string };
  courses: { id: number; title: string; lessonCount: number }[];
  defaults: AssignmentDefaults;
  lastResult: SubmissionResult<string[]> | undefined;
  submitLabel: string;
}) {
  const t = useT();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: `assignment-${unit.id}`,
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: assignmentSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    defaultValue: {
      unitId: String(unit.id),
      title: defaults.title ?? "",
      note: defaults.note ?? "",
      startsOn: defaults.startsOn,
      dueOn: defaults.dueOn,
      statuses: defaults.statuses ?? [],
      courseIds: (defaults.courseIds ?? []).map(String),
    },
  });
  const chosenCourses = new Set((defaults.courseIds ?? []).map(String));
  const chosenStatuses = new Set(defaults.statuses ?? []);
  return (
    <Form method="post" className="space-y-4" {...getFormProps(form)}>
      <input type="hidden" name="intent" value="save" />
      <input type="hidden" name="unitId" value={unit.id} />
      <FieldError field={{ errors: form.errors, errorId: `${form.id}-errors` }} />
      <FieldError field={fields.unitId} />
      <Field field={fields.title} label={t("assign.titleField")} limits={{ maxLength: 200 }} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field field={fields.startsOn} label={t("assign.startsOn")} type="date" />
        <Field field={fields.dueOn} label={t("assign.dueOn")} type="date" />
      </div>
      <fieldset className="space-y-2" aria-describedby={fields.courseIds.errors ? fields.courseIds.errorId : undefined}>
        <legend className="font-medium">{t("assign.courses")}</legend>
        <p className="text-sm text-gray-600">{t("assign.coursesHint")}</p>
        {courses.length === 0 ? <p>{t("assign.noCourses")}</p> : null}
        {courses.map((c) => (
          <label key={c.id} className="flex min-h-12 items-center gap-3 rounded-lg border border-gray-300 px-3 py-2">
            <input type="checkbox" name={fields.courseIds.name} value={c.id} defaultChecked={chosenCourses.has(String(c.id))} className="h-5 w-5 shrink-0" />
            <span>
              {c.title} <span className="text-gray-600">· {t("assign.lessons", { count: c.lessonCount })}</span>
            </span>
          </label>
        ))}
        <FieldError field={fields.courseIds} />
      </fieldset>
      <fieldset className="space-y-2">
        <legend className="font-medium">{t("assign.statuses")}</legend>
        <div className="grid grid-cols-2 gap-2">
          {MEMBER_STATUSES.map((s) => (
            <label key={s} className="flex min-h-12 items-center gap-3 rounded-lg border border-gray-300 px-3 py-2">
              <input type="checkbox" name={fields.statuses.name} value={s} defaultChecked={chosenStatuses.has(s)} className="h-5 w-5 shrink-0" />
              <span>{t(`status.${s}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <TextareaField field={fields.note} label={t("assign.note")} maxLength={1000} />
      <button type="submit" className="btn w-full sm:w-auto" disabled={navigation.state === "submitting"}>
        {submitLabel}
      </button>
    </Form>
  );
}
