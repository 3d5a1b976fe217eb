// The organiser's contest form (new and edit), validated with the same schema in the browser and
// on the server; each error shows beside its field.
import { getFormProps, getInputProps, getSelectProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form, useNavigation } from "@remix-run/react";
import { Field, FieldError, TextareaField } from "~/components/field";
import { useT } from "~/i18n/i18n";
import { QUESTION_TYPES } from "~/quiz/grading";
import { typeLabelKey } from "~/quiz/components";
import { COUNT_FIELDS, contestSchema } from "./forms";
import { UnitOptions } from "~/components/unit-options";

export type ContestFormDefaults = {
  unitId?: number;
  title?: string;
  description?: string;
  opensAt: string;
  closesAt: string;
  secondsPerQuestion?: number;
  pointsPerCorrect?: number;
  speedBonus?: boolean;
  showResultsAtOnce?: boolean;
  bankIds?: number[];
  tags?: string;
  countSingle?: number;
  countMultiple?: number;
  countTrueFalse?: number;
  countFillBlank?: number;
};

export function ContestFormView({
  units,
  banks,
  defaults,
  lastResult,
}: {
  units: { id: number; name: string; depth: number }[];
  banks: { id: number; name: string; unitName: string; questions: number }[];
  defaults: ContestFormDefaults;
  lastResult: SubmissionResult<string[]> | undefined;
}) {
  const t = useT();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: contestSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    defaultValue: {
      unitId: String(defaults.unitId ?? units[0]?.id ?? ""),
      title: defaults.title ?? "",
      description: defaults.description ?? "",
      opensAt: defaults.opensAt,
      closesAt: defaults.closesAt,
      secondsPerQuestion: String(defaults.secondsPerQuestion ?? 20),
      pointsPerCorrect: String(defaults.pointsPerCorrect ?? 100),
      speedBonus: defaults.speedBonus === false ? undefined : "on",
      showResultsAtOnce: defaults.showResultsAtOnce === false ? undefined : "on",
      bankIds: (defaults.bankIds ?? []).map(String),
      tags: defaults.tags ?? "",
      countSingle: String(defaults.countSingle ?? 5),
      countMultiple: String(defaults.countMultiple ?? 0),
      countTrueFalse: String(defaults.countTrueFalse ?? 5),
      countFillBlank: String(defaults.countFillBlank ?? 0),
    },
  });
  const chosenBanks = new Set((defaults.bankIds ?? []).map(String));
  return (
    <Form method="post" className="space-y-4" {...getFormProps(form)}>
      <input type="hidden" name="intent" value="save" />
      <FieldError field={{ errors: form.errors, errorId: `${form.id}-errors` }} />
      <div className="space-y-1">
        <label htmlFor={fields.unitId.id} className="block font-medium">
          {t("contest.field.unit")}
        </label>
        <select {...getSelectProps(fields.unitId)} className="input">
          <UnitOptions units={units} />
        </select>
        <FieldError field={fields.unitId} />
      </div>
      <Field field={fields.title} label={t("contest.field.title")} limits={{ maxLength: 200 }} />
      <TextareaField field={fields.description} label={t("contest.field.description")} maxLength={2000} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field field={fields.opensAt} label={t("contest.field.opensAt")} type="datetime-local" />
        <Field field={fields.closesAt} label={t("contest.field.closesAt")} type="datetime-local" />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field field={fields.secondsPerQuestion} label={t("contest.field.seconds")} type="number" limits={{ min: 3, max: 300 }} />
        <Field field={fields.pointsPerCorrect} label={t("contest.field.points")} type="number" limits={{ min: 0, max: 10000 }} />
      </div>
      {([
        [fields.speedBonus, "contest.field.speedBonus"],
        [fields.showResultsAtOnce, "contest.field.showResultsAtOnce"],
      ] as const).map(([f, label]) => (
        <label key={f.name} className="flex min-h-12 items-center gap-3 rounded-lg border border-gray-300 px-3 py-2">
          <input {...getInputProps(f, { type: "checkbox" })} className="h-5 w-5 shrink-0" />
          <span>{t(label)}</span>
        </label>
      ))}
      <fieldset className="space-y-2" aria-describedby={fields.bankIds.errors ? fields.bankIds.errorId : undefined}>
        <legend className="font-medium">{t("contest.field.banks")}</legend>
        {banks.map((b) => (
          <label key={b.id} className="flex min-h-12 items-center gap-3 rounded-lg border border-gray-300 px-3 py-2">
            <input type="checkbox" name={fields.bankIds.name} value={b.id} defaultChecked={chosenBanks.has(String(b.id))} className="h-5 w-5 shrink-0" />
            <span>
              {b.name} <span className="text-gray-600">· {b.unitName} · {b.questions}</span>
            </span>
          </label>
        ))}
        <FieldError field={fields.bankIds} />
      </fieldset>
      <Field field={fields.tags} label={t("contest.field.tags")} limits={{ maxLength: 300 }} />
      <fieldset className="space-y-2">
        <legend className="font-medium">{t("contest.field.counts")}</legend>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          {QUESTION_TYPES.map((type) => {
            const f = fields[COUNT_FIELDS[type]];
            return <Field key={type} field={f} label={t(typeLabelKey(type))} type="number" limits={{ min: 0, max: 50 }} />;
          })}
        </div>
      </fieldset>
      <button type="submit" className="btn w-full sm:w-auto" disabled={busy}>
        {t("contest.save")}
      </button>
    </Form>
  );
}
