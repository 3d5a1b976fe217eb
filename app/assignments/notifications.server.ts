// Notifications: always in-app (table notifications), and through the deployment's adapters for
// SMS or e-mail (a logging adapter by default). A dedupe key makes a notification idempotent:
// the same key never reaches a member twice, whichever instance or retry sends it.
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { notifications } from "~/db/schema";
import { rowsOf } from "~/stats/aggregate.server";

export type OutboundMessage = {
  notificationId: number;
  userId: number;
  name: string;
  phone: string | null;
  kind: string;
  title: string;
  body: string;
  link: string | null;
};

/** A channel besides the in-app list (SMS, e-mail, a messaging app). */
export interface NotificationAdapter {
  name: string;
  /** Called after the in-app notifications were committed, with the new ones only. */
  send(messages: OutboundMessage[]): Promise<void>;
}

/** The default: writes a line per message to the log (a deployment plugs in its SMS gateway). */
export const loggingAdapter: NotificationAdapter = {
  name: "log",
  async send(messages) {
    for (const m of messages) {
      console.log(`notify ${m.kind} → user ${m.userId} ${m.name}${m.phone ? ` (${m.phone.slice(0, 3)}****${m.phone.slice(-4)})` : ""}: ${m.title}`);
    }
  },
};

const state = globalThis as unknown as { __notificationAdapters?: NotificationAdapter[] };
state.__notificationAdapters ??= [loggingAdapter];

export function setNotificationAdapters(adapters: NotificationAdapter[]) {
  state.__notificationAdapters = adapters;
}

export function notificationAdapters() {
  return state.__notificationAdapters ?? [];
}

export type NewNotification = {
  userId: number;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  dedupeKey: string;
  data?: unknown;
};

/**
 * Stores the notifications that are new (a dedupe key already used for the member is skipped),
 * then hands those to the adapters. Returns how many were new. An adapter's failure is logged:
 * the in-app notification stands.
 */
export async function notify(items: NewNotification[]): Promise<{ sent: number; skipped: number }> {
  if (items.length === 0) return { sent: 0, skipped: 0 };
  const payload = JSON.stringify(
    items.map((i) => ({ user_id: i.userId, kind: i.kind, title: i.title.slice(0, 200), body: i.body, link: i.link, dedupe_key: i.dedupeKey.slice(0, 120), data: i.data ?? null })),
  );
  const result = await db.execute(sql`
    with inserted as (
      insert into notifications (user_id, kind, title, body, link, dedupe_key, data)
      select r.user_id, r.kind, r.title, r.body, r.link, r.dedupe_key, r.data
      from jsonb_to_recordset(${payload}::jsonb)
        as r(user_id int, kind text, title text, body text, link text, dedupe_key text, data jsonb)
      order by r.user_id
      on conflict (user_id, dedupe_key) do nothing
      returning id, user_id, kind, title, body, link
    )
    select i.id, i.user_id, i.kind, i.title, i.body, i.link, u.name, u.phone
    from inserted i join users u on u.id = i.user_id`);
  const fresh = rowsOf<{ id: number; user_id: number; kind: string; title: string; body: string; link: string | null; name: string; phone: string | null }>(result).map(
    (r): OutboundMessage => ({
      notificationId: Number(r.id),
      userId: Number(r.user_id),
      name: r.name,
      phone: r.phone,
      kind: r.kind,
      title: r.title,
      body: r.body,
      link: r.link,
    }),
  );
  for (const adapter of notificationAdapters()) {
    try {
      if (fresh.length) await adapter.send(fresh);
    } catch (error) {
      console.error(`notification adapter ${adapter.name} failed:`, error instanceof Error ? error.message : error);
    }
  }
  return { sent: fresh.length, skipped: items.length - fresh.length };
}

export async function listNotifications(userId: number, limit = 50) {
  return db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      title: notifications.title,
      body: notifications.body,
      link: notifications.link,
      readAt: notifications.readAt,
      createdAt: notifications.createdAt,
    })
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(limit);
}

export async function unreadCount(userId: number) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return Number(row?.n ?? 0);
}

/** Marks one of the member's notifications read (someone else's id changes nothing). */
export async function markRead(userId: number, id: number) {
  await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId), isNull(notifications.readAt)));
}

export async function markAllRead(userId: number) {
  await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
}
