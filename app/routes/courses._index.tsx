import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { allTags, listCourses } from "~/courses/catalogue.server";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "课程 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const url = new URL(request.url);
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, 50);
  const tag = (url.searchParams.get("tag") ?? "").trim().slice(0, 30);
  const [courses, tags] = await Promise.all([listCourses(viewer, { q, tag }), allTags(viewer)]);
  return { courses, tags, q, tag };
}

export default function Catalogue() {
  const t = useT();
  const { courses, tags, q, tag } = useLoaderData<typeof loader>();
  const tagLink = (value: string) => `?${new URLSearchParams({ ...(q ? { q } : {}), ...(value ? { tag: value } : {}) })}`;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("course.catalogue")}</h1>
      <Form method="get" className="flex gap-2" role="search">
        <label htmlFor="q" className="sr-only">
          {t("course.search")}
        </label>
        <input id="q" name="q" type="search" defaultValue={q} placeholder={t("course.search")} className="input" />
        {tag ? <input type="hidden" name="tag" value={tag} /> : null}
        <button type="submit" className="btn-secondary shrink-0">
          {t("course.searchButton")}
        </button>
      </Form>
      <nav aria-label="tags" className="flex flex-wrap gap-2">
        {["", ...tags].map((value) => (
          <Link
            key={value || "all"}
            to={tagLink(value)}
            aria-current={value === tag ? "page" : undefined}
            className={`rounded-full px-4 py-2 ${value === tag ? "bg-party-600 text-white" : "bg-white ring-1 ring-gray-300"}`}
          >
            {value || t("course.allTags")}
          </Link>
        ))}
      </nav>
      {courses.length === 0 ? <p>{t("course.none")}</p> : null}
      <ul className="grid gap-3 sm:grid-cols-2">
        {courses.map((c) => (
          <li key={c.id} className="card">
            <Link to={`/courses/${c.id}`} className="link text-xl font-semibold">
              {c.title}
            </Link>
            <p className="mt-1 text-gray-700">{c.summary}</p>
            <p className="mt-2 text-base text-gray-600">
              {t("course.lessons", { count: c.lessonCount })} · {t("course.creditHours", { hours: c.creditHours })} ·{" "}
              {t("course.progress", { done: c.done, total: c.lessonCount })}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
