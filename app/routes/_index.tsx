import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { yearlyRequirement } from "~/courses/rules";
import { useT } from "~/i18n/i18n";
import { myAssignments } from "~/assignments/assignments.server";
import { MyAssignmentsCard } from "~/assignments/my-assignments";
import { unreadCount } from "~/assignments/notifications.server";
import { continueStudying } from "~/courses/catalogue.server";
import { awardFirstVisit } from "~/points/ledger.server";
import { FeaturedReflections } from "~/reflections/components";
import { featuredReflections } from "~/reflections/reflections.server";
import { unitPath } from "~/org/units.server";
import { OpenContestsCard } from "~/contests/home-card";
import { openContestsFor } from "~/contests/play.server";
import { chinaText } from "~/contests/forms";

export const meta: MetaFunction = () => [{ title: "首页 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const [path, resume, featured, assignments, unread, contests] = await Promise.all([
    unitPath(viewer.unitCode),
    continueStudying(viewer),
    featuredReflections(viewer),
    myAssignments(viewer),
    unreadCount(viewer.id),
    openContestsFor(viewer),
    awardFirstVisit(viewer),
  ]);
  const managed = viewer.grants.filter((g) => scopePrefixes(viewer, "organiser").includes(g.unitCode));
  return {
    name: viewer.name,
    status: viewer.status,
    unitPath: path.map((u) => u.name).join(" / "),
    requiredHours: yearlyRequirement(viewer.isCadre),
    resume,
    featured,
    assignments,
    unread,
    contests: contests.map((c) => ({ id: c.id, title: c.title, closes: chinaText(c.closesAt), entered: c.entered, finished: c.finished })),
    managed: managed.map((g) => ({ unitId: g.unitId, name: g.unitName, role: g.role })),
  };
}

export default function Home() {
  const t = useT();
  const home = useLoaderData<typeof loader>();
  return (
    <div className="space-y-4">
      <section className="card">
        <h1 className="text-2xl font-bold">{t("home.greeting", { name: home.name })}</h1>
        <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-base">
          <dt className="text-gray-600">{t("home.unit")}</dt>
          <dd>{home.unitPath}</dd>
          <dt className="text-gray-600">{t("home.status")}</dt>
          <dd>{t(`status.${home.status}`)}</dd>
        </dl>
        <p className="mt-3 rounded-lg bg-party-50 p-3 text-party-800">{t("home.requirement", { hours: home.requiredHours })}</p>
      </section>
      <OpenContestsCard contests={home.contests} />
      <MyAssignmentsCard assignments={home.assignments} unread={home.unread} />
      {home.resume ? (
        <section className="card">
          <h2 className="text-xl font-bold">{t("home.continue")}</h2>
          <Link to={`/lessons/${home.resume.lessonId}`} className="btn mt-3 w-full justify-start text-left" data-testid="continue-studying">
            {home.resume.courseTitle} · {home.resume.lessonTitle}
          </Link>
          {home.resume.kind === "video" && home.resume.positionSeconds > 0 ? (
            <p className="mt-1 text-gray-600">
              {t("home.continueAt", {
                time: `${Math.floor(home.resume.positionSeconds / 60)}:${String(Math.floor(home.resume.positionSeconds % 60)).padStart(2, "0")}`,
              })}
            </p>
          ) : null}
        </section>
      ) : null}
      <nav className="grid grid-cols-2 gap-3" aria-label={t("nav.home")}>
        <Link to="/quiz/daily" className="card text-center text-lg font-semibold text-party-700">
          {t("quiz.daily.title")}
        </Link>
        <Link to="/quiz/mistakes" className="card text-center text-lg font-semibold text-party-700">
          {t("quiz.mistakes.title")}
        </Link>
        <Link to="/courses" className="card text-center text-lg font-semibold text-party-700">
          {t("home.courses")}
        </Link>
        <Link to="/me/record" className="card text-center text-lg font-semibold text-party-700">
          {t("home.record")}
        </Link>
        <Link to="/me/points" className="card text-center text-lg font-semibold text-party-700">
          {t("points.nav")}
        </Link>
        <Link to="/reflections" className="card text-center text-lg font-semibold text-party-700">
          {t("reflections.nav")}
        </Link>
        <Link to="/rankings" className="card text-center text-lg font-semibold text-party-700">
          {t("rankings.title")}
        </Link>
        <Link to="/battle" className="card text-center text-lg font-semibold text-party-700">
          {t("battles.nav")}
        </Link>
      </nav>
      <FeaturedReflections items={home.featured} />
      {home.managed.length > 0 ? (
        <section className="card">
          <h2 className="text-xl font-bold">{t("home.manage")}</h2>
          <ul className="mt-2 space-y-2">
            {home.managed.map((g) => (
              <li key={g.unitId}>
                <Link to={`/admin/units/${g.unitId}`} className="link text-lg">
                  {g.name}
                </Link>{" "}
                <span className="text-gray-600">· {t(`role.${g.role}`)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section className="card">
        <Link to="/password" className="link">
          {t("nav.password")}
        </Link>
      </section>
    </div>
  );
}
