import { describe, expect, it } from "vitest";
import { answerBodySchema } from "./forms";

describe("answerBodySchema", () => {
  it("takes a start, an answer or a timeout", () => {
    expect(answerBodySchema.safeParse({ intent: "start" }).success).toBe(true);
    expect(answerBodySchema.safeParse({ intent: "answer", index: 0, response: { blanks: ["为人民服务"] } }).success).toBe(true);
    expect(answerBodySchema.safeParse({ intent: "timeout", index: 3 }).success).toBe(true);
  });

  it("refuses text the database cannot store, which would fail the group of answers it arrived with", () => {
    expect(answerBodySchema.safeParse({ intent: "answer", index: 0, response: { blanks: ["a\u0000b"] } }).success).toBe(false);
    expect(answerBodySchema.safeParse({ intent: "answer", index: 0, response: { choices: ["\u0000"] } }).success).toBe(false);
  });

  it("refuses unknown fields and out-of-range indexes", () => {
    expect(answerBodySchema.safeParse({ intent: "answer", index: 0, response: { sql: "drop" } }).success).toBe(false);
    expect(answerBodySchema.safeParse({ intent: "answer", index: -1, response: {} }).success).toBe(false);
    expect(answerBodySchema.safeParse({ intent: "start", index: 0 }).success).toBe(false);
  });
});
