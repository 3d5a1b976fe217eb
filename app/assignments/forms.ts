import { z } from "zod";
import { MEMBER_STATUSES } from "~/org/kinds";

const isoDate = z
  .string({ required_error: "v.required" })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "assign.v.date")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "assign.v.date");

export const assignmentSchema = z
  .object({
    unitId: z.coerce.number({ required_error: "assign.v.unit", invalid_type_error: "assign.v.unit" }).int().positive("assign.v.unit"),
    title: z.string({ required_error: "assign.v.title" }).trim().min(1, "assign.v.title").max(200, "assign.v.titleTooLong"),
    note: z.string().trim().max(1000, "assign.v.noteTooLong").optional(),
    startsOn: isoDate,
    dueOn: isoDate,
    statuses: z.array(z.enum(MEMBER_STATUSES)).optional(),
    courseIds: z.array(z.coerce.number().int().positive(), { required_error: "assign.v.courses" }).min(1, "assign.v.courses"),
  })
  .refine((v) => v.dueOn >= v.startsOn, { path: ["dueOn"], message: "assign.v.dueBeforeStart" });

export type AssignmentForm = z.infer<typeof assignmentSchema>;
