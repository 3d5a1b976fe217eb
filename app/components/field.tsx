import { getInputProps, getSelectProps, getTextareaProps, type FieldMetadata } from "@conform-to/react";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fields of any form schema
export type AnyField = FieldMetadata<any, any, any>;
import { useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";

/**
 * Validation messages are message keys, or "key|name=value|…" for a message with values;
 * anything else (server text) is shown as it is.
 */
export function useErrorText() {
  const t = useT();
  const one = (error: string) => {
    const [key, ...pairs] = error.split("|");
    if (!key.includes(".") || key.includes(" ")) return error;
    return t(key as MessageKey, Object.fromEntries(pairs.map((p) => p.split("=", 2) as [string, string])));
  };
  return (errors: string[] | undefined) => errors?.map(one).join("；");
}

type InputType = "text" | "password" | "tel" | "date" | "datetime-local" | "search" | "file" | "number";
type Limits = { min?: number; max?: number; maxLength?: number };

export function Field({
  field,
  label,
  type = "text",
  hint,
  autoComplete,
  limits,
}: {
  field: AnyField;
  label: string;
  type?: InputType;
  hint?: string;
  autoComplete?: string;
  limits?: Limits;
}) {
  const errorText = useErrorText();
  const error = errorText(field.errors);
  return (
    <div className="space-y-1">
      <label htmlFor={field.id} className="block font-medium">
        {label}
      </label>
      <input {...getInputProps(field, { type, ariaDescribedBy: hint ? `${field.id}-hint` : undefined })} {...limits} autoComplete={autoComplete} className="input" />
      {hint ? (
        <p id={`${field.id}-hint`} className="text-sm text-gray-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={field.errorId} className="text-base text-red-700" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function SelectField({
  field,
  label,
  options,
}: {
  field: AnyField;
  label: string;
  options: { value: string | number; label: string }[];
}) {
  const errorText = useErrorText();
  const error = errorText(field.errors);
  return (
    <div className="space-y-1">
      <label htmlFor={field.id} className="block font-medium">
        {label}
      </label>
      <select {...getSelectProps(field)} className="input">
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error ? (
        <p id={field.errorId} className="text-base text-red-700" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function FormErrors({ errors }: { errors: string[] | undefined }) {
  const errorText = useErrorText();
  const text = errorText(errors);
  return text ? (
    <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
      {text}
    </p>
  ) : null;
}

export function TextareaField({ field, label, maxLength }: { field: AnyField; label: string; maxLength?: number }) {
  return (
    <div className="space-y-1">
      <label htmlFor={field.id} className="block font-medium">
        {label}
      </label>
      <textarea {...getTextareaProps(field)} className="input min-h-24" maxLength={maxLength} />
      <FieldError field={field} />
    </div>
  );
}

/** A field's errors where the field itself is not a plain input (a group of checkboxes, a hidden value). */
export function FieldError({ field }: { field: Pick<AnyField, "errors" | "errorId"> }) {
  const text = useErrorText()(field.errors);
  return text ? (
    <p id={field.errorId} className="text-base text-red-700" role="alert">
      {text}
    </p>
  ) : null;
}
