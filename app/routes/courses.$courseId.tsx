import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound, parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { getCourse } from "~/courses/catalogue.server";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.course.title ?? ""} · 网上党校` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const course = await getCourse(viewer, parseId(params.courseId));
  if (!course) notFound();
  return course;
}

export default function CoursePage() {
  const t = useT();
  const { course, lessons, seconds, creditHours, completion } = useLoaderData<typeof loader>();
  const next = lessons.find((l) => !l.completedAt) ?? lessons[0];
  return (
    <div className="space-y-4">
      <section className="card">
        <h1 className="text-2xl font-bold">{course.title}</h1>
        <p className="mt-2 text-gray-700">{course.summary}</p>
        <p className="mt-2 text-gray-600">
          {t("course.lessons", { count: lessons.length })} · {t("course.minutes", { minutes: Math.round(seconds / 60) })} ·{" "}
          {t("course.creditHours", { hours: creditHours })}
        </p>
        {completion ? (
          <p className="mt-3 rounded-lg bg-green-50 p-3 text-green-900">{t("course.completed", { hours: completion.creditHours })}</p>
        ) : next ? (
          <Link to={`/lessons/${next.id}`} className="btn mt-3">
            {t("course.start")}
          </Link>
        ) : null}
      </section>
      <ol className="card divide-y divide-gray-200">
        {lessons.map((l) => (
          <li key={l.id} className="flex items-center justify-between gap-3 py-3">
            <div>
              <Link to={`/lessons/${l.id}`} className="link text-lg">
                {l.position}. {l.title}
              </Link>
              <p className="text-base text-gray-600">
                {t(`lesson.kind.${l.kind}`)}
                {l.durationSeconds ? ` · ${t("course.minutes", { minutes: Math.max(1, Math.round(l.durationSeconds / 60)) })}` : ""}
              </p>
            </div>
            <span className={l.completedAt ? "font-semibold text-green-800" : "text-gray-600"}>
              {l.completedAt ? `✓ ${t("lesson.done")}` : l.watchedSeconds || l.activeSeconds ? t("lesson.inProgress") : t("lesson.notStarted")}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
