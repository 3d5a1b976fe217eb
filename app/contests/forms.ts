// The contest form, one schema for the browser and the server. Times are entered as China time
// (datetime-local, "2026-05-01T09:00") and stored as instants.
import { z } from "zod";
import { QUESTION_TYPES } from "~/quiz/grading";

const localTime = z
  .string({ required_error: "contest.v.time" })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "contest.v.time")
  .refine((v) => !Number.isNaN(chinaInstant(v).getTime()), "contest.v.time");

const count = z.coerce.number({ invalid_type_error: "contest.v.count" }).int("contest.v.count").min(0, "contest.v.count").max(50, "contest.v.count");

export const MAX_QUESTIONS = 100;

export const contestSchema = z
  .object({
    unitId: z.coerce.number({ required_error: "contest.v.unit", invalid_type_error: "contest.v.unit" }).int().positive("contest.v.unit"),
    title: z.string({ required_error: "contest.v.title" }).trim().min(1, "contest.v.title").max(200, "contest.v.titleTooLong"),
    description: z.string().trim().max(2000, "contest.v.descriptionTooLong").optional(),
    opensAt: localTime,
    closesAt: localTime,
    secondsPerQuestion: z.coerce
      .number({ required_error: "contest.v.seconds", invalid_type_error: "contest.v.seconds" })
      .int("contest.v.seconds")
      .min(3, "contest.v.seconds")
      .max(300, "contest.v.seconds"),
    pointsPerCorrect: z.coerce
      .number({ required_error: "contest.v.points", invalid_type_error: "contest.v.points" })
      .int("contest.v.points")
      .min(0, "contest.v.points")
      .max(10_000, "contest.v.points"),
    speedBonus: z.literal("on").optional(),
    showResultsAtOnce: z.literal("on").optional(),
    bankIds: z.array(z.coerce.number().int().positive(), { required_error: "contest.v.banks" }).min(1, "contest.v.banks").max(50, "contest.v.banks"),
    tags: z.string().trim().max(300, "contest.v.tags").optional(),
    countSingle: count.default(0),
    countMultiple: count.default(0),
    countTrueFalse: count.default(0),
    countFillBlank: count.default(0),
  })
  .refine((v) => v.closesAt > v.opensAt, { path: ["closesAt"], message: "contest.v.closesBeforeOpens" })
  .refine((v) => total(v) >= 1, { path: ["countSingle"], message: "contest.v.noQuestions" })
  .refine((v) => total(v) <= MAX_QUESTIONS, { path: ["countSingle"], message: "contest.v.tooManyQuestions" });

export type ContestForm = z.infer<typeof contestSchema>;

function total(v: { countSingle: number; countMultiple: number; countTrueFalse: number; countFillBlank: number }) {
  return v.countSingle + v.countMultiple + v.countTrueFalse + v.countFillBlank;
}

/** The form's count field of each question type. */
export const COUNT_FIELDS = {
  single: "countSingle",
  multiple: "countMultiple",
  true_false: "countTrueFalse",
  fill_blank: "countFillBlank",
} as const satisfies Record<(typeof QUESTION_TYPES)[number], string>;

/** "2026-05-01T09:00" read as China time (UTC+8, no daylight saving). */
export function chinaInstant(local: string): Date {
  return new Date(`${local}:00+08:00`);
}

/** An instant as China time for a datetime-local field. */
export function chinaLocal(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

/** An instant as China time for reading: "2026-05-01 09:00". */
export function chinaText(at: Date): string {
  return chinaLocal(at).replace("T", " ");
}

/** Tags typed as "党史, 党章；安全" → ["党史", "党章", "安全"]. */
export function parseTags(text: string | undefined): string[] {
  return [...new Set((text ?? "").split(/[,，;；、\s]+/u).map((t) => t.trim()).filter(Boolean))].slice(0, 20);
}

// Text PostgreSQL can store in jsonb: no NUL. Answers are written in groups, so one that the
// database would refuse must be refused here, not fail the group it arrived with.
const storableText = (max: number) => z.string().max(max).refine((s) => !s.includes("\u0000"), "NUL");

/** What the contest page posts for each question: an answer, or "my time is up, next please". */
export const answerBodySchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("answer"),
    index: z.number().int().min(0).max(999),
    response: z
      .object({
        choices: z.array(storableText(64)).max(8).optional(),
        value: z.boolean().optional(),
        blanks: z.array(storableText(500)).max(10).optional(),
      })
      .strict(),
  }),
  z.object({ intent: z.literal("timeout"), index: z.number().int().min(0).max(999) }),
  z.object({ intent: z.literal("start") }).strict(),
]);
export type AnswerBody = z.infer<typeof answerBodySchema>;
