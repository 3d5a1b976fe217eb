// Builders shared by the demo seed, the tests and the benchmarks.
import { db } from "~/db/client.server";
import { courses, lessons, roleGrants, users } from "~/db/schema";
import { hashPassword } from "~/auth/password.server";
import { isCadrePosition, type MemberStatus, type UnitKind } from "~/org/kinds";
import { createUnit } from "~/org/units.server";

export type UnitSpec = { name: string; kind: UnitKind; children?: UnitSpec[] };

/** Creates a tree of units; returns them by name. */
export async function makeUnitTree(spec: UnitSpec, parentId: number | null = null) {
  const byName = new Map<string, Awaited<ReturnType<typeof createUnit>>>();
  async function build(node: UnitSpec, parent: number | null) {
    const unit = await createUnit({ parentId: parent, kind: node.kind, name: node.name });
    byName.set(node.name, unit);
    for (const child of node.children ?? []) await build(child, unit.id);
  }
  await build(spec, parentId);
  return byName;
}

const hashes = new Map<string, Promise<string>>();
/** Hashing is deliberately slow; factories reuse one hash per password. */
function cachedHash(password: string) {
  let found = hashes.get(password);
  if (!found) {
    found = hashPassword(password);
    hashes.set(password, found);
  }
  return found;
}

let sequence = 0;

export type MemberSpec = {
  unitId: number;
  name?: string;
  employeeNo?: string;
  phone?: string | null;
  status?: MemberStatus;
  position?: string;
  password?: string;
  mustChangePassword?: boolean;
  joinedPartyOn?: string | null;
  grants?: { unitId: number; role: "organiser" | "admin" }[];
};

export const DEFAULT_TEST_PASSWORD = "Test@12345";

export async function makeMember(spec: MemberSpec) {
  sequence += 1;
  const position = spec.position ?? "";
  const [user] = await db
    .insert(users)
    .values({
      unitId: spec.unitId,
      name: spec.name ?? `测试党员${sequence}`,
      employeeNo: spec.employeeNo ?? `T${process.pid % 1000}${String(sequence).padStart(6, "0")}`,
      phone: spec.phone ?? null,
      status: spec.status ?? "full",
      position,
      isCadre: isCadrePosition(position),
      joinedPartyOn: spec.joinedPartyOn ?? null,
      passwordHash: await cachedHash(spec.password ?? DEFAULT_TEST_PASSWORD),
      mustChangePassword: spec.mustChangePassword ?? false,
    })
    .returning();
  if (spec.grants?.length) {
    await db.insert(roleGrants).values(spec.grants.map((g) => ({ userId: user.id, unitId: g.unitId, role: g.role })));
  }
  return user;
}

export type LessonSpec = {
  kind: "video" | "reading" | "quiz";
  title?: string;
  durationSeconds?: number;
  readingChars?: number;
  completionThreshold?: number;
};

let courseSequence = 0;

/** A published course with the given lessons, in order. */
export async function makeCourse(spec: { title?: string; unitId?: number | null; tags?: string[]; published?: boolean; lessons: LessonSpec[] }) {
  courseSequence += 1;
  const [course] = await db
    .insert(courses)
    .values({
      slug: `course-${process.pid}-${courseSequence}`,
      title: spec.title ?? `测试课程${courseSequence}`,
      tags: spec.tags ?? [],
      unitId: spec.unitId ?? null,
      published: spec.published ?? true,
    })
    .returning();
  const lessonRows = await db
    .insert(lessons)
    .values(
      spec.lessons.map((l, i) => ({
        courseId: course.id,
        position: i + 1,
        kind: l.kind,
        title: l.title ?? `第${i + 1}课`,
        durationSeconds: l.durationSeconds ?? 60,
        readingChars: l.readingChars ?? null,
        completionThreshold: l.completionThreshold ?? 0.9,
      })),
    )
    .returning();
  return { course, lessons: lessonRows };
}
