import { z } from "zod";
import { MEMBER_STATUSES, UNIT_KINDS } from "./kinds";
import { newPassword } from "~/auth/forms";

const name = z.string({ required_error: "v.required" }).trim().min(1, "v.required").max(50, "v.tooLong");
const id = z.coerce.number({ required_error: "v.choose", invalid_type_error: "v.choose" }).int().positive("v.choose");

export const unitActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), name, kind: z.enum(UNIT_KINDS, { errorMap: () => ({ message: "v.choose" }) }) }),
  z.object({ intent: z.literal("rename"), name }),
  z.object({ intent: z.literal("move"), parentId: id }),
  z.object({ intent: z.literal("delete") }),
]);

export const employeeNo = z
  .string({ required_error: "v.required" })
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, "v.employeeNo");
export const phone = z
  .string()
  .trim()
  .regex(/^1\d{10}$/, "v.phone");
export const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "v.date")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "v.date");

export const memberFields = {
  name,
  employeeNo,
  phone: phone.optional(),
  unitId: id,
  status: z.enum(MEMBER_STATUSES, { errorMap: () => ({ message: "v.choose" }) }),
  position: z.string().trim().max(50, "v.tooLong").optional(),
  joinedPartyOn: isoDate.optional(),
};

export const memberCreateSchema = z.object({ ...memberFields, password: newPassword });

export const memberActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("update"), ...memberFields }),
  z.object({ intent: z.literal("disable") }),
  z.object({ intent: z.literal("enable") }),
  z.object({ intent: z.literal("resetPassword"), temporaryPassword: newPassword }),
  z.object({ intent: z.literal("grant"), unitId: id, role: z.enum(["organiser", "admin"], { errorMap: () => ({ message: "v.choose" }) }) }),
  z.object({ intent: z.literal("revoke"), grantId: id }),
]);
