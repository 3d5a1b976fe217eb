import { describe, expect, it, vi } from "vitest";
import { MAX_DIRECT_BODY_BYTES, respondDirect, type DirectRequest } from "./direct.server";

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request("http://localhost:3000/api/x/7", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("respondDirect", () => {
  it("hands the handler the method, headers, body and params, and sends its reply as JSON", async () => {
    let seen: DirectRequest | null = null;
    const response = await respondDirect(post('{"a":1}', { cookie: "dx_session=s" }), { id: "7" }, async (request) => {
      seen = request;
      return { status: 409, body: { ok: false, error: "late" } };
    });
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ ok: false, error: "late" });
    expect(seen!.method).toBe("POST");
    expect(seen!.header("cookie")).toBe("dx_session=s");
    expect(seen!.header("x-missing")).toBeNull();
    expect(seen!.body).toBe('{"a":1}');
    expect(seen!.params).toEqual({ id: "7" });
  });

  it("refuses a body over the limit without calling the handler", async () => {
    const handler = vi.fn();
    const response = await respondDirect(post("x".repeat(MAX_DIRECT_BODY_BYTES + 1)), {}, handler);
    expect(response.status).toBe(413);
    expect(handler).not.toHaveBeenCalled();
  });
});
