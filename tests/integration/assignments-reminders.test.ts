// Reminders: the organiser's button and the daily job remind unfinished members once per
// occasion (in-app, and through the adapters); the job keeps exactly one successor queued.
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createAssignment } from "~/assignments/assignments.server";
import { setNotificationAdapters, type OutboundMessage } from "~/assignments/notifications.server";
import { ensureReminderSchedule, nextRunAt, REMINDER_JOB, runDailyReminders } from "~/assignments/reminders.server";
import { completeLesson } from "~/courses/progress.server";
import { db } from "~/db/client.server";
import { jobs, notifications } from "~/db/schema";
import { drainJobs } from "~/jobs/queue.server";
import { makeCourse, makeMember, makeUnitTree } from "~/seed/factories.server";
import "~/stats/listeners.server";
import { addDays, chinaDay } from "~/stats/metrics";
import * as pageRoute from "~/routes/admin.assignments.$assignmentId";
import * as notificationsRoute from "~/routes/me.notifications";
import { invoke, sessionCookie } from "../support/routes";

const sent: OutboundMessage[] = [];
setNotificationAdapters([{ name: "capture", send: async (messages) => void sent.push(...messages) }]);

let tree: Awaited<ReturnType<typeof makeUnitTree>>;
let organiser: { id: number };
let members: { id: number }[];
let outsider: { id: number };
let course: Awaited<ReturnType<typeof makeCourse>>;
const now = new Date();
const today = chinaDay(now);
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);

beforeAll(async () => {
  tree = await makeUnitTree({ name: "提醒党委", kind: "committee", children: [{ name: "提醒支部", kind: "branch" }, { name: "别的支部", kind: "branch" }] });
  const branch = tree.get("提醒支部")!.id;
  organiser = await makeMember({ unitId: branch, grants: [{ unitId: branch, role: "organiser" }] });
  members = [await makeMember({ unitId: branch }), await makeMember({ unitId: branch }), await makeMember({ unitId: branch })];
  outsider = await makeMember({ unitId: tree.get("别的支部")!.id });
  course = await makeCourse({ lessons: [{ kind: "video", durationSeconds: 60 }] });
  // One member has finished.
  await completeLesson(members[0].id, course.lessons[0].id);
});

const countFor = async (userId: number, kind?: string) =>
  (await db.select().from(notifications).where(kind ? and(eq(notifications.userId, userId), eq(notifications.kind, kind)) : eq(notifications.userId, userId))).length;

describe("the daily reminder", () => {
  it("reminds unfinished members three days before and on the due day, once each", async () => {
    const branch = tree.get("提醒支部")!.id;
    const soon = await createAssignment({ unitId: branch, title: "三天后截止", note: "", startsOn: addDays(today, -5), dueOn: addDays(today, 3), statuses: [], courseIds: [course.course.id] }, organiser.id);
    await createAssignment({ unitId: branch, title: "十天后截止", note: "", startsOn: addDays(today, -5), dueOn: addDays(today, 10), statuses: [], courseIds: [course.course.id] }, organiser.id);
    await createAssignment({ unitId: branch, title: "还没开始", note: "", startsOn: addDays(today, 5), dueOn: addDays(today, 6), statuses: [], courseIds: [course.course.id] }, organiser.id);
    sent.length = 0;

    const first = await runDailyReminders(now);
    // Organiser and two members are unfinished; the member who finished is not reminded.
    expect(first.sent).toBe(3);
    expect(sent.map((m) => m.userId).sort()).toEqual([organiser.id, members[1].id, members[2].id].sort());
    expect(sent[0]).toMatchObject({ kind: "assignment.due3", title: `学习任务将于 ${addDays(today, 3)} 截止` });
    expect(await countFor(members[0].id)).toBe(0);
    expect(await countFor(outsider.id)).toBe(0);

    // Again the same day (a second instance, a retry): nothing new.
    sent.length = 0;
    expect((await runDailyReminders(now)).sent).toBe(0);
    expect(sent).toHaveLength(0);
    // The next days: the early reminder is not repeated.
    expect((await runDailyReminders(later(1))).sent).toBe(0);
    expect((await runDailyReminders(later(2))).sent).toBe(0);

    // A member finishes meanwhile; on the due day the others get the second reminder, once.
    await completeLesson(members[1].id, course.lessons[0].id);
    const dueDay = await runDailyReminders(later(3));
    expect(dueDay.sent).toBe(2);
    expect(sent.map((m) => m.kind)).toEqual(["assignment.due0", "assignment.due0"]);
    expect((await runDailyReminders(later(3))).sent).toBe(0);
    expect(await countFor(members[2].id, "assignment.due3")).toBe(1);
    expect(await countFor(members[2].id, "assignment.due0")).toBe(1);
    expect(await countFor(members[1].id, "assignment.due0")).toBe(0);
    // After the due day: no more automatic reminders.
    expect((await runDailyReminders(later(4))).sent).toBe(0);
    expect(soon.id).toBeGreaterThan(0);
  });

  it("keeps one job queued, at 08:00 China time, however many instances schedule it", async () => {
    await ensureReminderSchedule();
    await ensureReminderSchedule();
    const queued = async () => db.select().from(jobs).where(and(eq(jobs.kind, REMINDER_JOB), eq(jobs.status, "queued")));
    expect(await queued()).toHaveLength(1);
    const outcomes = await drainJobs({ kinds: [REMINDER_JOB] });
    expect(outcomes.map((o) => o.outcome)).toEqual(["done"]);
    const next = await queued();
    expect(next).toHaveLength(1);
    expect(next[0].runAt.toISOString()).toBe(nextRunAt().toISOString());
    expect(next[0].runAt.getUTCHours()).toBe(0);
    // Nothing more is due now; scheduling again adds nothing.
    await ensureReminderSchedule();
    expect(await queued()).toHaveLength(1);
  });

  it("computes the next run", () => {
    expect(nextRunAt(new Date("2026-03-10T23:30:00Z")).toISOString()).toBe("2026-03-11T00:00:00.000Z");
    expect(nextRunAt(new Date("2026-03-11T00:00:00Z")).toISOString()).toBe("2026-03-12T00:00:00.000Z");
    expect(nextRunAt(new Date("2026-03-11T09:00:00Z")).toISOString()).toBe("2026-03-12T00:00:00.000Z");
  });
});

describe("the remind button and the notifications page", () => {
  it("reminds the unfinished members of the list shown, at most once a day; members read and mark them", async () => {
    const branch = tree.get("提醒支部")!.id;
    const a = await createAssignment({ unitId: branch, title: "按钮提醒", note: "", startsOn: today, dueOn: addDays(today, 20), statuses: [], courseIds: [course.course.id] }, organiser.id);
    const cookie = await sessionCookie(organiser.id);
    sent.length = 0;
    const press = () =>
      invoke(pageRoute.action, { path: `/admin/assignments/${a.id}`, method: "POST", cookie, params: { assignmentId: String(a.id) }, form: { intent: "remind", unit: String(branch), status: "unfinished" } });
    const first = await press();
    expect(first.body).toEqual({ reminded: { sent: 2, skipped: 0 } });
    expect(sent.map((m) => m.userId).sort()).toEqual([organiser.id, members[2].id].sort());
    expect((await press()).body).toEqual({ reminded: { sent: 0, skipped: 2 } });
    // Another branch's organiser cannot press it.
    const other = await makeMember({ unitId: tree.get("别的支部")!.id, grants: [{ unitId: tree.get("别的支部")!.id, role: "organiser" }] });
    const theirs = await invoke(pageRoute.action, {
      path: `/admin/assignments/${a.id}`,
      method: "POST",
      cookie: await sessionCookie(other.id),
      params: { assignmentId: String(a.id) },
      form: { intent: "remind", unit: String(branch), status: "unfinished" },
    });
    expect(theirs.status).toBe(404);

    const memberCookie = await sessionCookie(members[2].id);
    const page = await invoke(notificationsRoute.loader, { path: "/me/notifications", cookie: memberCookie });
    const list = (page.body as { notifications: { id: number; title: string; read: boolean }[] }).notifications;
    expect(list.map((n) => n.title)).toContain("学习提醒：按钮提醒");
    expect(list.every((n) => !n.read)).toBe(true);
    // Someone else's notification id changes nothing.
    const intruder = await sessionCookie(outsider.id);
    await invoke(notificationsRoute.action, { path: "/me/notifications", method: "POST", cookie: intruder, form: { intent: "read", id: String(list[0].id) } });
    const [still] = await db.select().from(notifications).where(eq(notifications.id, list[0].id));
    expect(still.readAt).toBeNull();
    await invoke(notificationsRoute.action, { path: "/me/notifications", method: "POST", cookie: memberCookie, form: { intent: "read", id: String(list[0].id) } });
    const [read] = await db.select().from(notifications).where(eq(notifications.id, list[0].id));
    expect(read.readAt).not.toBeNull();
    await invoke(notificationsRoute.action, { path: "/me/notifications", method: "POST", cookie: memberCookie, form: { intent: "readAll" } });
    const [{ unread }] = await db
      .select({ unread: sql<number>`count(*)::int` })
      .from(notifications)
      .where(and(eq(notifications.userId, members[2].id), sql`${notifications.readAt} is null`));
    expect(unread).toBe(0);
  });
});
