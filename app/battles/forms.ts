// What the battle pages post, one schema for the server and the browser (zod).
import { z } from "zod";
import { BATTLE_SIZES } from "./rules";

export const queueActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("join"), size: z.coerce.number().refine((n) => (BATTLE_SIZES as readonly number[]).includes(n)) }),
  z.object({ intent: z.literal("poll") }),
  z.object({ intent: z.literal("cancel") }),
]);

export const battleActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("answer"),
    index: z.coerce.number().int().min(0).max(99),
    // An option id (single choice) or "true"/"false" (true/false): exactly one of them.
    choice: z.string().min(1).max(40).optional(),
    value: z.enum(["true", "false"]).optional(),
  }),
  z.object({ intent: z.literal("leave") }),
]);
