// Lesson metadata is cached per process; writers announce changes and the next read sees them.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { canStudyLesson, getLesson } from "~/courses/catalogue.server";
import { catalogueChanged } from "~/courses/lesson-cache.server";
import { db } from "~/db/client.server";
import { courses, lessons } from "~/db/schema";
import { moveUnit } from "~/org/units.server";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";
import type { Viewer } from "~/auth/policy.server";

let tree: Awaited<ReturnType<typeof makeUnitTree>>;

beforeAll(async () => {
  tree = await makeUnitTree({
    name: "缓存党委",
    kind: "committee",
    children: [
      { name: "一总支", kind: "general_branch", children: [{ name: "一支部", kind: "branch" }] },
      { name: "二总支", kind: "general_branch", children: [{ name: "二支部", kind: "branch" }] },
    ],
  });
});

const viewerIn = (unitCode: string, id: number) => ({ id, unitCode }) as Viewer;

describe("the lesson cache", () => {
  it("serves a changed lesson or course once the change is announced", async () => {
    const member = await makeMember({ unitId: tree.get("一支部")!.id });
    const viewer = viewerIn(tree.get("一支部")!.code, member.id);
    const { course, lessons: [lesson] } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 60, title: "旧标题" }] });
    expect((await getLesson(viewer, lesson.id))?.lesson.title).toBe("旧标题");

    await db.update(lessons).set({ title: "新标题" }).where(eq(lessons.id, lesson.id));
    await db.update(courses).set({ published: false }).where(eq(courses.id, course.id));
    await catalogueChanged();
    expect(await getLesson(viewer, lesson.id)).toBeNull();
    expect(await canStudyLesson(viewer, lesson.id)).toBe(false);

    await db.update(courses).set({ published: true }).where(eq(courses.id, course.id));
    await catalogueChanged();
    expect((await getLesson(viewer, lesson.id))?.lesson.title).toBe("新标题");
  });

  it("does not remember a lesson that did not exist yet", async () => {
    const member = await makeMember({ unitId: tree.get("一支部")!.id });
    const viewer = viewerIn(tree.get("一支部")!.code, member.id);
    const [{ next }] = await db.select({ next: lessons.id }).from(lessons).orderBy(lessons.id).limit(1);
    const missing = next + 10_000;
    expect(await getLesson(viewer, missing)).toBeNull();
    const { lessons: created } = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 60 }] });
    expect(await getLesson(viewer, created[0].id)).not.toBeNull();
  });

  it("follows a unit's new code after a move", async () => {
    const one = tree.get("一总支")!;
    const twoBranch = tree.get("二支部")!;
    const member = await makeMember({ unitId: twoBranch.id });
    const { lessons: [lesson] } = await makeCourse({ unitId: twoBranch.id, lessons: [{ kind: "video", durationSeconds: 60 }] });
    expect(await canStudyLesson(viewerIn(twoBranch.code, member.id), lesson.id)).toBe(true);
    const moved = await moveUnit(twoBranch.id, one.id);
    expect(moved.code.startsWith(one.code)).toBe(true);
    // The member's code comes from the session, fresh; the course's unit code from the cache.
    expect(await canStudyLesson(viewerIn(moved.code, member.id), lesson.id)).toBe(true);
    expect(await canStudyLesson(viewerIn(twoBranch.code, member.id), lesson.id)).toBe(false);
  });
});
