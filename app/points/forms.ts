import { z } from "zod";
import { RULE_CODES } from "./rules";

const whole = (message: string, min: number, max: number) =>
  z.coerce.number({ invalid_type_error: message, required_error: message }).int(message).min(min, message).max(max, message);

/** A rule change: new amount and cap from a day on. An empty cap means "no cap". */
export const ruleChangeSchema = z.object({
  code: z.enum(RULE_CODES, { errorMap: () => ({ message: "points.admin.v.code" }) }),
  amount: whole("points.admin.v.amount", 0, 100),
  dailyCap: whole("points.admin.v.cap", 1, 1000).optional(),
  effectiveFrom: z
    .string({ required_error: "points.admin.v.date" })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "points.admin.v.date")
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "points.admin.v.date"),
  note: z.string().trim().max(200, "v.tooLong").optional(),
});
