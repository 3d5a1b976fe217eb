import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Viewer } from "~/auth/policy.server";
import { db } from "~/db/client.server";
import { courseCompletions, courses } from "~/db/schema";
import { yearlyRequirement } from "./rules";

/** Start of a calendar year in China Standard Time (UTC+8, no daylight saving). */
function yearStart(year: number) {
  return new Date(Date.UTC(year, 0, 1) - 8 * 3600_000);
}

export function chinaYear(now = new Date()) {
  return new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
}

/** 我的学习档案: this year's credit hours against the requirement, courses done, hours per month. */
export async function studyRecord(viewer: Viewer, year = chinaYear()) {
  const from = yearStart(year);
  const to = yearStart(year + 1);
  const inYear = and(eq(courseCompletions.userId, viewer.id), gte(courseCompletions.completedAt, from), lt(courseCompletions.completedAt, to));
  const [done, months] = await Promise.all([
    db
      .select({ courseId: courses.id, title: courses.title, creditHours: courseCompletions.creditHours, completedAt: courseCompletions.completedAt })
      .from(courseCompletions)
      .innerJoin(courses, eq(courses.id, courseCompletions.courseId))
      .where(inYear)
      .orderBy(desc(courseCompletions.completedAt)),
    db
      .select({
        month: sql<number>`extract(month from ${courseCompletions.completedAt} at time zone 'Asia/Shanghai')::int`,
        hours: sql<string>`sum(${courseCompletions.creditHours})`,
      })
      .from(courseCompletions)
      .where(inYear)
      .groupBy(sql`1`),
  ]);
  const perMonth = Array.from({ length: 12 }, (_, i) => Number(months.find((m) => m.month === i + 1)?.hours ?? 0));
  const total = perMonth.reduce((a, b) => a + b, 0);
  return {
    year,
    total,
    required: yearlyRequirement(viewer.isCadre),
    perMonth,
    courses: done.map((d) => ({ ...d, creditHours: Number(d.creditHours) })),
  };
}
