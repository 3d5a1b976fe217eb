// Form fields like ~/components/field, for domains whose messages may not be merged into the
// app dictionary yet: the caller passes its error-text function.
import { getInputProps, getSelectProps, getTextareaProps } from "@conform-to/react";
import type { ReactNode } from "react";
import type { AnyField } from "~/components/field";

type ErrorText = (errors: string[] | undefined) => string | undefined;

function FieldError({ field, errorText }: { field: AnyField; errorText: ErrorText }) {
  const error = errorText(field.errors);
  return error ? (
    <p id={field.errorId} className="text-base text-red-700" role="alert">
      {error}
    </p>
  ) : null;
}

function Hint({ field, hint }: { field: AnyField; hint?: ReactNode }) {
  return hint ? (
    <p id={`${field.id}-hint`} className="text-sm text-gray-600">
      {hint}
    </p>
  ) : null;
}

export function InputField({
  field,
  label,
  errorText,
  type = "text",
  hint,
  inputMode,
}: {
  field: AnyField;
  label: string;
  errorText: ErrorText;
  type?: "text" | "date" | "number";
  hint?: ReactNode;
  inputMode?: "numeric" | "text";
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={field.id} className="block font-medium">
        {label}
      </label>
      <input {...getInputProps(field, { type, ariaDescribedBy: hint ? `${field.id}-hint` : undefined })} inputMode={inputMode} className="input" />
      <Hint field={field} hint={hint} />
      <FieldError field={field} errorText={errorText} />
    </div>
  );
}

export function SelectInput({
  field,
  label,
  errorText,
  children,
  hint,
}: {
  field: AnyField;
  label: string;
  errorText: ErrorText;
  children: ReactNode;
  hint?: ReactNode;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={field.id} className="block font-medium">
        {label}
      </label>
      <select {...getSelectProps(field, { ariaDescribedBy: hint ? `${field.id}-hint` : undefined })} className="input">
        {children}
      </select>
      <Hint field={field} hint={hint} />
      <FieldError field={field} errorText={errorText} />
    </div>
  );
}

export function TextareaField({
  field,
  label,
  errorText,
  rows = 4,
  hint,
  onInput,
}: {
  field: AnyField;
  label: string;
  errorText: ErrorText;
  rows?: number;
  hint?: ReactNode;
  onInput?: (value: string) => void;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={field.id} className="block font-medium">
        {label}
      </label>
      <textarea
        {...getTextareaProps(field, { ariaDescribedBy: hint ? `${field.id}-hint` : undefined })}
        rows={rows}
        className="input text-lg leading-relaxed"
        onInput={onInput ? (e) => onInput(e.currentTarget.value) : undefined}
      />
      <Hint field={field} hint={hint} />
      <FieldError field={field} errorText={errorText} />
    </div>
  );
}
