// The per-process copies a dashboard reads (the unit tree, the assignments) follow every change:
// this process's own writes at once, another instance's through the realtime bus.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { assignmentsConcerning, createAssignment, deleteAssignment, listenForAssignmentChanges, updateAssignment } from "~/assignments/assignments.server";
import { db } from "~/db/client.server";
import { createUnit, renameUnit } from "~/org/units.server";
import { listenForUnitChanges, unitTree } from "~/org/unit-cache.server";
import { bus } from "~/realtime/bus.server";
import { makeCourse, makeUnitTree } from "~/seed/factories.server";
import { chinaDay } from "~/stats/metrics";

let units: Awaited<ReturnType<typeof makeUnitTree>>;
let courseId: number;
const today = chinaDay();

function heard(topic: string) {
  return new Promise<void>((resolve) => void bus.subscribe(topic, () => resolve()));
}

beforeAll(async () => {
  await listenForUnitChanges();
  await listenForAssignmentChanges();
  units = await makeUnitTree({ name: "缓存党委", kind: "committee", children: [{ name: "甲支部", kind: "branch" }, { name: "乙支部", kind: "branch" }] });
  courseId = (await makeCourse({ title: "缓存课程", lessons: [{ kind: "video", durationSeconds: 60 }] })).course.id;
});

const input = (unitId: number, title: string, dueOn = today) => ({ unitId, title, note: "", startsOn: today, dueOn, statuses: [], courseIds: [courseId] });

describe("the assignments a unit sees", () => {
  it("follows create, update and delete in this process", async () => {
    const branch = units.get("甲支部")!;
    expect(await assignmentsConcerning(branch.code)).toEqual([]);
    const above = await createAssignment(input(units.get("缓存党委")!.id, "全委任务"), null);
    const own = await createAssignment(input(branch.id, "支部任务", "2099-12-31"), null);
    await createAssignment(input(units.get("乙支部")!.id, "别的支部"), null);
    expect((await assignmentsConcerning(branch.code)).map((a) => a.title)).toEqual(["支部任务", "全委任务"]);
    expect((await assignmentsConcerning(units.get("缓存党委")!.code)).map((a) => a.title).sort()).toEqual(["全委任务", "别的支部", "支部任务"].sort());
    await updateAssignment(own.id, input(branch.id, "支部任务（改）", "2099-12-31"));
    await deleteAssignment(above.id);
    expect((await assignmentsConcerning(branch.code)).map((a) => a.title)).toEqual(["支部任务（改）"]);
  });

  it("follows another instance's change once the bus says so", async () => {
    const branch = units.get("甲支部")!;
    const [row] = await assignmentsConcerning(branch.code);
    // Another instance edits the row and announces it; this process only hears the announcement.
    await db.execute(sql`update assignments set title = '另一实例改的' where id = ${row.id}`);
    const announced = heard("assignments.changed");
    await bus.publish("assignments.changed", {});
    await announced;
    expect((await assignmentsConcerning(branch.code))[0].title).toBe("另一实例改的");
  });
});

describe("the unit tree copy", () => {
  it("has new children, renames and an announced change from elsewhere", async () => {
    const committee = units.get("缓存党委")!;
    expect((await unitTree()).childrenOf(committee.id).map((u) => u.name)).toEqual(["甲支部", "乙支部"]);
    const added = await createUnit({ parentId: committee.id, kind: "branch", name: "丙支部" });
    await renameUnit(units.get("甲支部")!.id, "甲支部（新）");
    expect((await unitTree()).childrenOf(committee.id).map((u) => u.name)).toEqual(["甲支部（新）", "乙支部", "丙支部"]);
    await db.execute(sql`update units set name = '丙支部（外）' where id = ${added.id}`);
    const announced = heard("org.units-changed");
    await bus.publish("org.units-changed", {});
    await announced;
    expect((await unitTree()).byId.get(added.id)?.name).toBe("丙支部（外）");
  });
});
