// The reflection editor: title, the course or lesson it is about, the Markdown text with a live
// preview rendered by the same safe renderer as the server's, and the count against the minimum.
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form, useNavigation } from "@remix-run/react";
import { useDeferredValue, useMemo, useState } from "react";
import { InputField, SelectInput, TextareaField } from "~/points/fields";
import { MarkdownView } from "./components";
import { reflectionSchema } from "./forms";
import { reflectionLength, renderMarkdown } from "./markdown";
import { useErrorText } from "~/components/field";
import { useT } from "~/i18n/i18n";

export type Targets = { id: number; title: string; lessons: { id: number; title: string; kind: string }[] }[];

export function ReflectionForm({
  targets,
  minChars,
  defaultValue,
  lastResult,
  canDelete = false,
}: {
  targets: Targets;
  minChars: number;
  defaultValue: { title: string; target: string; body: string };
  lastResult: SubmissionResult<string[]> | undefined;
  canDelete?: boolean;
}) {
  const t = useT();
  const errorText = useErrorText();
  const busy = useNavigation().state === "submitting";
  const schema = useMemo(() => reflectionSchema(minChars), [minChars]);
  const [form, fields] = useForm({
    lastResult,
    defaultValue,
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const [body, setBody] = useState(defaultValue.body);
  const deferred = useDeferredValue(body);
  const html = useMemo(() => renderMarkdown(deferred), [deferred]);
  const count = useMemo(() => reflectionLength(deferred), [deferred]);

  return (
    <div className="space-y-4">
      <Form method="post" className="card space-y-4" {...getFormProps(form)}>
        <InputField field={fields.title} label={t("reflections.form.title")} errorText={errorText} />
        <SelectInput field={fields.target} label={t("reflections.form.target")} errorText={errorText}>
          <option value="">{t("reflections.form.choose")}</option>
          {targets.map((c) => (
            <optgroup key={c.id} label={c.title}>
              <option value={`c:${c.id}`}>{t("reflections.form.wholeCourse", { course: c.title })}</option>
              {c.lessons.map((l) => (
                <option key={l.id} value={`l:${l.id}`}>
                  {l.title}
                </option>
              ))}
            </optgroup>
          ))}
        </SelectInput>
        <TextareaField
          field={fields.body}
          label={t("reflections.form.body")}
          errorText={errorText}
          rows={12}
          hint={t("reflections.form.bodyHint", { min: minChars })}
          onInput={setBody}
        />
        <p className={`text-base ${count >= minChars ? "text-green-800" : "text-gray-700"}`} aria-live="polite" data-testid="reflection-count">
          {count >= minChars ? t("reflections.form.count", { n: count }) : t("reflections.form.countShort", { n: count, left: minChars - count })}
        </p>
        <div className="flex flex-wrap gap-3">
          <button type="submit" name="intent" value="submit" className="btn" disabled={busy}>
            {t("reflections.form.submit")}
          </button>
          <button type="submit" name="intent" value="draft" className="btn-secondary" disabled={busy}>
            {t("reflections.form.saveDraft")}
          </button>
        </div>
      </Form>
      {canDelete ? (
        <Form
          method="post"
          onSubmit={(e) => {
            if (!window.confirm(t("reflections.form.deleteConfirm"))) e.preventDefault();
          }}
        >
          <button type="submit" name="intent" value="delete" className="btn-danger">
            {t("reflections.form.delete")}
          </button>
        </Form>
      ) : null}
      <section className="card space-y-2" aria-labelledby="preview-heading">
        <h2 id="preview-heading" className="text-xl font-bold">
          {t("reflections.form.preview")}
        </h2>
        {deferred.trim() ? <MarkdownView html={html} /> : <p className="text-gray-600">{t("reflections.form.previewEmpty")}</p>}
      </section>
    </div>
  );
}
