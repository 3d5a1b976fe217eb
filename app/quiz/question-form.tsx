// The create/edit form of a question (admin pages). The sections of every type are in the form
// (only the chosen type's is shown); the server reads only those of the chosen type.
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import { useState } from "react";
import { FormErrors } from "~/components/field";
import { useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import { LIMITS, type QuestionDraft } from "./draft";
import { MAX_FORM_OPTIONS, questionFormSchema } from "./forms";
import { OPTION_LABELS, QUESTION_TYPES, type QuestionType } from "./grading";

const MAX_OF: Record<string, number> = {
  "quiz.v.stemTooLong": LIMITS.stem,
  "quiz.v.optionsTooMany": LIMITS.options,
  "quiz.v.optionTooLong": LIMITS.option,
  "quiz.v.blanksTooMany": LIMITS.blanks,
  "quiz.v.alternativesTooMany": LIMITS.alternatives,
  "quiz.v.blankTooLong": LIMITS.blank,
  "quiz.v.explanationTooLong": LIMITS.explanation,
  "quiz.v.tagsTooMany": LIMITS.tags,
  "quiz.v.tagTooLong": LIMITS.tag,
  "quiz.v.sourceTooLong": LIMITS.source,
};

function useProblemText() {
  const t = useT();
  return (errors: string[] | undefined) =>
    errors?.length
      ? [...new Set(errors)].map((e) => (e.includes(".") && !e.includes(" ") ? t(e as MessageKey, { max: MAX_OF[e] ?? "" }) : e)).join("；")
      : null;
}

function ErrorLine({ id, errors }: { id: string; errors: string[] | undefined }) {
  const text = useProblemText()(errors);
  return text ? (
    <p id={id} className="text-base text-red-700" role="alert">
      {text}
    </p>
  ) : null;
}

export function QuestionForm({ initial, lastResult, submitLabel }: { initial?: QuestionDraft; lastResult?: SubmissionResult<string[]>; submitLabel: string }) {
  const t = useT();
  const [form, fields] = useForm({
    id: "question",
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: questionFormSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const [type, setType] = useState<QuestionType>(initial?.type ?? "single");
  const initialOptions = initial?.options.length ? initial.options : ["", "", "", ""];
  const [optionCount, setOptionCount] = useState(Math.max(4, initialOptions.length));
  const choice = type === "single" || type === "multiple";
  const correct = new Set(initial?.correct ?? []);
  const describe = (id: string, hint?: boolean, errors?: string[]) =>
    [hint ? `${id}-hint` : "", errors?.length ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

  return (
    <Form method="post" className="space-y-4" {...getFormProps(form)}>
      <FormErrors errors={form.errors} />
      <div className="space-y-1">
        <label htmlFor="q-type" className="block font-medium">
          {t("quiz.form.type")}
        </label>
        <select id="q-type" name="type" className="input" value={type} onChange={(e) => setType(e.target.value as QuestionType)}>
          {QUESTION_TYPES.map((ty) => (
            <option key={ty} value={ty}>
              {t(`quiz.type.${ty}`)}
            </option>
          ))}
        </select>
      </div>

      <div className="space-y-1">
        <label htmlFor="q-stem" className="block font-medium">
          {t("quiz.form.stem")}
        </label>
        <textarea
          id="q-stem"
          name="stem"
          rows={4}
          className="input"
          defaultValue={initial?.stem}
          aria-invalid={fields.stem.errors?.length ? true : undefined}
          aria-describedby={describe("q-stem", true, fields.stem.errors)}
        />
        <p id="q-stem-hint" className="text-sm text-gray-600">
          {t("quiz.form.stemHint")}
        </p>
        <ErrorLine id="q-stem-error" errors={fields.stem.errors} />
      </div>

      <fieldset className="space-y-2" hidden={!choice}>
        <legend className="font-medium">{t("quiz.form.options")}</legend>
        {Array.from({ length: optionCount }, (_, i) => {
          const label = OPTION_LABELS[i];
          return (
            <div key={i} className="flex items-center gap-2">
              <input
                type={type === "single" ? "radio" : "checkbox"}
                name="correct"
                value={i}
                defaultChecked={correct.has(i)}
                className="size-6 shrink-0 accent-party-600"
                aria-label={t("quiz.form.isCorrect", { label })}
              />
              <label htmlFor={`q-option-${i}`} className="w-6 shrink-0 font-semibold">
                {label}
              </label>
              <input
                id={`q-option-${i}`}
                name={`options[${i}]`}
                className="input"
                defaultValue={initialOptions[i] ?? ""}
                aria-label={t("quiz.form.option", { label })}
              />
            </div>
          );
        })}
        {optionCount < MAX_FORM_OPTIONS ? (
          <button type="button" className="btn-secondary" onClick={() => setOptionCount((n) => Math.min(MAX_FORM_OPTIONS, n + 1))}>
            {t("quiz.form.addOption")}
          </button>
        ) : null}
        <ErrorLine id="q-options-error" errors={fields.options.errors} />
        <ErrorLine id="q-correct-error" errors={fields.correct.errors} />
      </fieldset>

      <fieldset className="space-y-2" hidden={type !== "true_false"}>
        <legend className="font-medium">{t("quiz.form.value")}</legend>
        <div className="flex gap-6">
          {(["true", "false"] as const).map((v) => (
            <label key={v} className="flex min-h-12 items-center gap-2">
              <input type="radio" name="value" value={v} defaultChecked={initial?.type === "true_false" && String(initial.value) === v} className="size-6 accent-party-600" />
              {v === "true" ? t("quiz.answer.true") : t("quiz.answer.false")}
            </label>
          ))}
        </div>
        <ErrorLine id="q-value-error" errors={fields.value.errors} />
      </fieldset>

      <div className="space-y-1" hidden={type !== "fill_blank"}>
        <label htmlFor="q-blanks" className="block font-medium">
          {t("quiz.form.blanks")}
        </label>
        <textarea
          id="q-blanks"
          name="blanks"
          rows={3}
          className="input"
          defaultValue={(initial?.blanks ?? []).map((alts) => alts.join("|")).join("\n")}
          aria-describedby={describe("q-blanks", true, fields.blanks.errors)}
        />
        <p id="q-blanks-hint" className="text-sm text-gray-600">
          {t("quiz.form.blanksHint")}
        </p>
        <ErrorLine id="q-blanks-error" errors={fields.blanks.errors} />
      </div>

      <div className="space-y-1">
        <label htmlFor="q-explanation" className="block font-medium">
          {t("quiz.form.explanation")}
        </label>
        <textarea id="q-explanation" name="explanation" rows={3} className="input" defaultValue={initial?.explanation} />
        <ErrorLine id="q-explanation-error" errors={fields.explanation.errors} />
      </div>

      <div className="grid gap-4 sm:grid-cols-2">
        <div className="space-y-1">
          <label htmlFor="q-difficulty" className="block font-medium">
            {t("quiz.form.difficulty")}
          </label>
          <select id="q-difficulty" name="difficulty" className="input" defaultValue={initial?.difficulty ?? 3}>
            {[1, 2, 3, 4, 5].map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
          <ErrorLine id="q-difficulty-error" errors={fields.difficulty.errors} />
        </div>
        <div className="space-y-1">
          <label htmlFor="q-tags" className="block font-medium">
            {t("quiz.form.tags")}
          </label>
          <input id="q-tags" name="tags" className="input" defaultValue={initial?.tags.join("，")} aria-describedby="q-tags-hint" />
          <p id="q-tags-hint" className="text-sm text-gray-600">
            {t("quiz.form.tagsHint")}
          </p>
          <ErrorLine id="q-tags-error" errors={fields.tags.errors} />
        </div>
      </div>

      <div className="space-y-1">
        <label htmlFor="q-source" className="block font-medium">
          {t("quiz.form.source")}
        </label>
        <input id="q-source" name="source" className="input" defaultValue={initial?.source} />
        <ErrorLine id="q-source-error" errors={fields.source.errors} />
      </div>

      <button type="submit" className="btn w-full sm:w-auto">
        {submitLabel}
      </button>
    </Form>
  );
}
