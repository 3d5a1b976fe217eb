import { z } from "zod";

export const loginSchema = z.object({
  identifier: z.string({ required_error: "v.required" }).trim().min(1, "v.required").max(32, "v.tooLong"),
  password: z.string({ required_error: "v.required" }).min(1, "v.required").max(128, "v.tooLong"),
  redirectTo: z.string().optional(),
});

export const newPassword = z
  .string({ required_error: "v.required" })
  .min(8, "v.password")
  .max(128, "v.tooLong")
  .regex(/[A-Za-z]/, "v.password")
  .regex(/\d/, "v.password");

export const passwordChangeSchema = z
  .object({
    currentPassword: z.string({ required_error: "v.required" }).min(1, "v.required").max(128, "v.tooLong"),
    newPassword,
    confirmPassword: z.string({ required_error: "v.required" }),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "v.passwordMismatch" });

/** Only same-site paths, so a crafted link cannot send a member elsewhere after login. */
export function safeRedirect(to: unknown, fallback = "/") {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}
