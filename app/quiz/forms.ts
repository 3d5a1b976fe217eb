// Form schemas of the bank pages, one for the server and the browser alike (conform + zod).
import { z } from "zod";
import { draftProblems, splitTags, type DraftField, type QuestionDraft } from "./draft";
import { QUESTION_TYPES } from "./grading";
import { IMPORT_FORMAT_VALUES } from "./formats/names";

const id = z.coerce.number({ required_error: "v.choose", invalid_type_error: "v.choose" }).int().positive("v.choose");
const bankName = z.string({ required_error: "v.required" }).trim().min(1, "v.required").max(120, "v.tooLong");
const description = z.string().trim().max(500, "v.tooLong").optional();

export const bankCreateSchema = z.object({ name: bankName, description, unitId: id });

export const bankActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("rename"), name: bankName, description }),
  z.object({ intent: z.literal("delete") }),
  z.object({ intent: z.literal("archive"), questionId: id }),
  z.object({ intent: z.literal("restore"), questionId: id }),
]);

export const MAX_FORM_OPTIONS = 8;

const fields = z.object({
  type: z.enum(QUESTION_TYPES, { errorMap: () => ({ message: "v.choose" }) }),
  stem: z.string().optional(),
  options: z.array(z.string().optional()).max(MAX_FORM_OPTIONS).optional(),
  correct: z.array(z.coerce.number().int().min(0).max(MAX_FORM_OPTIONS - 1)).optional(),
  value: z.enum(["true", "false"]).optional(),
  /** One blank a line; the accepted answers of a blank separated by "|". */
  blanks: z.string().optional(),
  explanation: z.string().optional(),
  difficulty: z.coerce.number().int().min(1, "quiz.v.difficulty").max(5, "quiz.v.difficulty").default(3),
  tags: z.string().optional(),
  source: z.string().optional(),
});

export type QuestionFormValue = z.infer<typeof fields>;

/** The form's values as a draft: empty options dropped (right-marks move with their options). */
export function formToDraft(v: QuestionFormValue): QuestionDraft {
  const raw = v.options ?? [];
  const kept: number[] = [];
  raw.forEach((o, i) => {
    if (o && o.trim() !== "") kept.push(i);
  });
  const choice = v.type === "single" || v.type === "multiple";
  return {
    type: v.type,
    stem: (v.stem ?? "").trim(),
    options: choice ? kept.map((i) => raw[i]!.trim()) : [],
    correct: choice ? [...new Set(v.correct ?? [])].filter((i) => kept.includes(i)).map((i) => kept.indexOf(i)) : [],
    value: v.type === "true_false" ? (v.value === undefined ? undefined : v.value === "true") : undefined,
    blanks:
      v.type === "fill_blank"
        ? (v.blanks ?? "")
            .split("\n")
            .map((line) =>
              line
                .split(/[|｜]/u)
                .map((a) => a.trim())
                .filter(Boolean),
            )
            .filter((alts) => alts.length > 0)
        : undefined,
    explanation: (v.explanation ?? "").trim(),
    difficulty: v.difficulty,
    tags: splitTags(v.tags ?? ""),
    source: (v.source ?? "").trim(),
  };
}

/** Which form field shows a draft problem. */
export function formFieldOf(field: DraftField, type: QuestionDraft["type"]): string {
  if (field !== "answer") return field;
  return type === "true_false" ? "value" : type === "fill_blank" ? "blanks" : "correct";
}

export const questionFormSchema = fields.superRefine((v, ctx) => {
  const draft = formToDraft(v);
  for (const p of draftProblems(draft)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: [formFieldOf(p.field, v.type)], message: p.key });
  }
});

export const importFormSchema = z.object({
  file: z.instanceof(File, { message: "quiz.import.fileRequired" }).refine((f) => f.size > 0, "quiz.import.fileRequired"),
  format: z.enum(IMPORT_FORMAT_VALUES).default("auto"),
});
