import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { studyRecord } from "~/courses/record.server";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "我的学习档案 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  return studyRecord(viewer);
}

export default function StudyRecord() {
  const t = useT();
  const record = useLoaderData<typeof loader>();
  const percent = Math.min(100, Math.round((record.total / record.required) * 100));
  const peak = Math.max(1, ...record.perMonth);
  return (
    <div className="space-y-4">
      <section className="card">
        <h1 className="text-2xl font-bold">{t("record.title")}</h1>
        <p className="text-gray-600">{t("record.year", { year: record.year })}</p>
        <p className="mt-3 text-xl font-semibold" data-testid="record-hours">
          {t("record.hours", { total: record.total, required: record.required })}
        </p>
        <div className="mt-2 h-4 w-full overflow-hidden rounded-full bg-gray-200" role="progressbar" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100} aria-label={t("record.onTrack", { percent })}>
          <div className="h-full bg-party-600" style={{ width: `${percent}%` }} />
        </div>
        <p className="mt-1 text-gray-700">{t("record.onTrack", { percent })}</p>
      </section>
      <section className="card">
        <h2 className="mb-3 text-xl font-bold">{t("record.perMonth")}</h2>
        <ol className="flex h-40 items-end gap-1" aria-label={t("record.perMonth")}>
          {record.perMonth.map((hours, i) => (
            <li key={i} className="flex h-full flex-1 flex-col items-center justify-end gap-1">
              <span className="text-xs text-gray-700">{hours > 0 ? hours : ""}</span>
              <span className="w-full rounded-t bg-party-600" style={{ height: `${(hours / peak) * 100}%`, minHeight: hours > 0 ? 4 : 0 }} title={`${t("record.month", { month: i + 1 })}: ${hours}`} />
              <span className="text-xs text-gray-600">{i + 1}</span>
            </li>
          ))}
        </ol>
      </section>
      <section className="card">
        <h2 className="mb-2 text-xl font-bold">{t("record.courses")}</h2>
        {record.courses.length === 0 ? <p className="text-gray-600">{t("record.noCourses")}</p> : null}
        <ul className="divide-y divide-gray-200">
          {record.courses.map((c) => (
            <li key={c.courseId} className="flex justify-between gap-2 py-2">
              <Link to={`/courses/${c.courseId}`} className="link">
                {c.title}
              </Link>
              <span className="shrink-0 text-gray-700">{t("course.creditHours", { hours: c.creditHours })}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
