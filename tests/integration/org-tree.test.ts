import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/db/client.server";
import { units } from "~/db/schema";
import { makeMember, makeUnitTree } from "~/seed/factories.server";
import { childrenWithCounts, createUnit, deleteUnit, listSubtree, moveUnit, OrgError } from "~/org/units.server";

let tree: Awaited<ReturnType<typeof makeUnitTree>>;
let counter = 0;

beforeEach(async () => {
  counter += 1;
  tree = await makeUnitTree({
    name: `党委${counter}`,
    kind: "committee",
    children: [
      { name: `总支${counter}`, kind: "general_branch", children: [{ name: `甲支部${counter}`, kind: "branch", children: [{ name: `甲小组${counter}`, kind: "group" }] }] },
      { name: `乙支部${counter}`, kind: "branch" },
    ],
  });
});

const get = (name: string) => tree.get(`${name}${counter}`)!;

describe("unit codes", () => {
  it("give 3 digits per level, so a subtree is one prefix", async () => {
    const committee = get("党委");
    expect(committee.code).toMatch(/^\d{3}$/);
    expect(get("总支").code).toBe(`${committee.code}001`);
    expect(get("甲支部").code).toBe(`${committee.code}001001`);
    expect(get("甲小组").code).toBe(`${committee.code}001001001`);
    expect(get("乙支部").code).toBe(`${committee.code}002`);
    const subtree = await listSubtree(get("总支").code);
    expect(subtree.map((u) => u.name)).toEqual([`总支${counter}`, `甲支部${counter}`, `甲小组${counter}`]);
  });

  it("refuse kinds that do not nest", async () => {
    await expect(createUnit({ parentId: get("甲小组").id, kind: "group", name: "x" })).rejects.toThrow(OrgError);
    await expect(createUnit({ parentId: get("甲支部").id, kind: "general_branch", name: "x" })).rejects.toThrow(OrgError);
    await expect(createUnit({ parentId: null, kind: "branch", name: "x" })).rejects.toThrow(OrgError);
  });

  it("reuse the lowest free segment", async () => {
    const committee = get("党委");
    const third = await createUnit({ parentId: committee.id, kind: "branch", name: "丙" });
    expect(third.code).toBe(`${committee.code}003`);
  });
});

describe("moving a unit", () => {
  it("moves its whole subtree and rewrites the codes below it", async () => {
    const committee = get("党委");
    const moved = await moveUnit(get("甲支部").id, committee.id);
    expect(moved.code).toBe(`${committee.code}003`);
    const [group] = await db.select().from(units).where(eq(units.id, get("甲小组").id));
    expect(group.code).toBe(`${committee.code}003001`);
    expect(group.depth).toBe(3);
  });

  it("keeps its own segment when that is free under the new parent", async () => {
    const branchB = get("乙支部");
    const moved = await moveUnit(branchB.id, get("总支").id);
    expect(moved.code).toBe(`${get("总支").code}002`);
  });

  it("cannot move under itself or break the kind rules", async () => {
    await expect(moveUnit(get("总支").id, get("甲支部").id)).rejects.toMatchObject({ key: "error.moveIntoSelf" });
    await expect(moveUnit(get("甲小组").id, get("总支").id)).rejects.toMatchObject({ key: "error.kindNotAllowed" });
  });
});

describe("deleting a unit", () => {
  it("refuses units with children or members, deletes empty ones", async () => {
    await expect(deleteUnit(get("甲支部").id)).rejects.toMatchObject({ key: "error.unitHasChildren" });
    await makeMember({ unitId: get("乙支部").id });
    await expect(deleteUnit(get("乙支部").id)).rejects.toMatchObject({ key: "error.unitHasMembers" });
    await deleteUnit(get("甲小组").id);
    expect(await db.select().from(units).where(eq(units.id, get("甲小组").id))).toHaveLength(0);
  });
});

describe("children with member counts", () => {
  it("count each child's whole subtree and nothing else", async () => {
    await makeMember({ unitId: get("甲小组").id });
    await makeMember({ unitId: get("甲支部").id });
    await makeMember({ unitId: get("乙支部").id });
    const children = await childrenWithCounts(get("党委"));
    expect(children.map((c) => [c.name, c.members])).toEqual([
      [`总支${counter}`, 2],
      [`乙支部${counter}`, 1],
    ]);
  });
});
