import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { listNotifications, markAllRead, markRead } from "~/assignments/notifications.server";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "消息 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const rows = await listNotifications(viewer.id);
  const fmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", dateStyle: "short", timeStyle: "short" });
  return {
    notifications: rows.map((n) => ({
      id: n.id,
      title: n.title,
      body: n.body,
      // Only links inside the app.
      link: n.link && n.link.startsWith("/") && !n.link.startsWith("//") ? n.link : null,
      read: n.readAt !== null,
      at: fmt.format(n.createdAt),
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "read") await markRead(viewer.id, parseId(String(form.get("id") ?? "")));
  else if (intent === "readAll") await markAllRead(viewer.id);
  else throw new Response("Bad request", { status: 400 });
  return { ok: true };
}

export default function Notifications() {
  const t = useT();
  const { notifications } = useLoaderData<typeof loader>();
  const unread = notifications.filter((n) => !n.read).length;
  return (
    <section className="card space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">{t("notify.title")}</h1>
        {unread > 0 ? (
          <Form method="post">
            <input type="hidden" name="intent" value="readAll" />
            <button type="submit" className="btn-secondary">
              {t("notify.markAllRead")}
            </button>
          </Form>
        ) : null}
      </div>
      {notifications.length === 0 ? <p className="text-gray-700">{t("notify.none")}</p> : null}
      <ul className="divide-y divide-gray-200" data-testid="notifications">
        {notifications.map((n) => (
          <li key={n.id} className={`space-y-1 py-3 ${n.read ? "text-gray-700" : ""}`}>
            <p className="text-lg font-semibold">
              {!n.read ? <span className="mr-2 rounded bg-party-600 px-2 py-0.5 text-sm text-white">{t("notify.unread")}</span> : null}
              {n.title}
            </p>
            <p>{n.body}</p>
            <p className="flex flex-wrap items-center gap-3 text-sm text-gray-600">
              <span>{n.at}</span>
              {n.link ? (
                <Link to={n.link} className="link">
                  {t("notify.open")}
                </Link>
              ) : null}
              {!n.read ? (
                <Form method="post" className="inline">
                  <input type="hidden" name="intent" value="read" />
                  <input type="hidden" name="id" value={n.id} />
                  <button type="submit" className="link min-h-10">
                    {t("notify.markRead")}
                  </button>
                </Form>
              ) : null}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
