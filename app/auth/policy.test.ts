import { describe, expect, it } from "vitest";
import type { Viewer } from "./policy.server";

// policy.server imports the database module; the pure helpers are tested with a stub of it.
import { vi } from "vitest";
vi.mock("~/db/client.server", () => ({ db: {}, driver: {} }));
const { coversCode, hasAnyRole, scopePrefixes } = await import("./policy.server");

function viewer(grants: Viewer["grants"]): Viewer {
  return {
    id: 1,
    sessionId: "s",
    name: "x",
    employeeNo: "x",
    unitId: 1,
    unitCode: "001001",
    unitName: "",
    status: "full",
    isCadre: false,
    mustChangePassword: false,
    locale: null,
    grants,
  };
}

describe("scope prefixes", () => {
  it("an admin grant counts as organiser too, an organiser grant never as admin", () => {
    const v = viewer([
      { unitId: 2, unitCode: "001002", unitName: "", role: "organiser" },
      { unitId: 3, unitCode: "001003", unitName: "", role: "admin" },
    ]);
    expect(scopePrefixes(v, "organiser").sort()).toEqual(["001002", "001003"]);
    expect(scopePrefixes(v, "admin")).toEqual(["001003"]);
  });

  it("drops subtrees already covered by a wider grant", () => {
    const v = viewer([
      { unitId: 1, unitCode: "001", unitName: "", role: "admin" },
      { unitId: 2, unitCode: "001002", unitName: "", role: "organiser" },
    ]);
    expect(scopePrefixes(v, "organiser")).toEqual(["001"]);
  });

  it("covers exactly the subtree: a sibling with a longer code is outside", () => {
    const v = viewer([{ unitId: 2, unitCode: "001002", unitName: "", role: "organiser" }]);
    expect(coversCode(v, "001002", "organiser")).toBe(true);
    expect(coversCode(v, "001002007", "organiser")).toBe(true);
    expect(coversCode(v, "001003", "organiser")).toBe(false);
    expect(coversCode(v, "001", "organiser")).toBe(false);
    expect(coversCode(v, "001002", "admin")).toBe(false);
  });

  it("a plain member holds no role", () => {
    expect(hasAnyRole(viewer([]))).toBe(false);
  });
});
