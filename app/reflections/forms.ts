// The reflection form, shared by the browser (instant feedback) and the server (the judge).
import { z } from "zod";
import { MAX_MARKDOWN, reflectionLength } from "./markdown";

export const DEFAULT_MIN_CHARS = 200;
export const MAX_TITLE = 100;
export const MAX_COMMENT = 500;

/** The tabs of the organiser's review queue. */
export const REVIEW_TABS = ["submitted", "returned", "approved"] as const;
export type ReviewTab = (typeof REVIEW_TABS)[number];

/** A course ("c:12") or a lesson ("l:34"). */
export const TARGET = /^[cl]:\d{1,9}$/;

/** An error message with values: "key|name=value|…" (read by the domain's error text). */
export function withVars(key: string, vars: Record<string, string | number>) {
  return [key, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)].join("|");
}

export function reflectionSchema(minChars: number) {
  return z
    .object({
      intent: z.enum(["draft", "submit"]).default("draft"),
      title: z.string({ required_error: "reflections.v.title" }).trim().min(1, "reflections.v.title").max(MAX_TITLE, "reflections.v.title"),
      target: z.string({ required_error: "reflections.v.target" }).regex(TARGET, "reflections.v.target"),
      body: z.string().max(MAX_MARKDOWN, "reflections.v.bodyTooLong").optional(),
    })
    .superRefine((value, ctx) => {
      if (value.intent !== "submit") return;
      const n = reflectionLength(value.body ?? "");
      if (!value.body?.trim()) ctx.addIssue({ path: ["body"], code: "custom", message: "reflections.v.bodyRequired" });
      else if (n < minChars) ctx.addIssue({ path: ["body"], code: "custom", message: withVars("reflections.v.tooShort", { min: minChars, n }) });
    });
}

export const returnSchema = z.object({
  intent: z.literal("return"),
  comment: z.string({ required_error: "reflections.v.comment" }).trim().min(1, "reflections.v.comment").max(MAX_COMMENT, "reflections.v.comment"),
});

export const commentSchema = z.object({
  intent: z.literal("comment"),
  body: z.string({ required_error: "reflections.v.commentBody" }).trim().min(1, "reflections.v.commentBody").max(MAX_COMMENT, "reflections.v.commentBody"),
});
