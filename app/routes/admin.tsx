import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { hasAnyRole, requireRole } from "~/auth/policy.server";
import { isRuleAdmin } from "~/points/access.server";
import { requireViewer } from "~/auth/session.server";
import { useT } from "~/i18n/i18n";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  return { isAdmin: hasAnyRole(viewer, "admin"), isRuleAdmin: isRuleAdmin(viewer) };
}

export default function AdminLayout() {
  const t = useT();
  const { isAdmin, isRuleAdmin } = useLoaderData<typeof loader>();
  const tab = ({ isActive }: { isActive: boolean }) =>
    `rounded-lg px-3 py-2 ${isActive ? "bg-party-600 text-white" : "bg-white text-gray-900 ring-1 ring-gray-300"}`;
  return (
    <div className="space-y-4">
      <nav aria-label="admin" className="flex flex-wrap gap-2">
        <NavLink to="/admin/units" className={tab}>
          {t("nav.units")}
        </NavLink>
        <NavLink to="/admin/members" className={tab}>
          {t("nav.members")}
        </NavLink>
        <NavLink to="/admin/assignments" className={tab}>
          {t("assign.nav")}
        </NavLink>
        <NavLink to="/admin/stats" className={tab}>
          {t("stats.nav")}
        </NavLink>
        <NavLink to="/admin/reflections" className={tab}>
          {t("reflections.admin.nav")}
        </NavLink>
        <NavLink to="/admin/banks" className={tab}>
          {t("quiz.nav.banks")}
        </NavLink>
        <NavLink to="/admin/contests" className={tab}>
          {t("contest.nav")}
        </NavLink>
        {isAdmin ? (
          <>
            <NavLink to="/admin/videos" className={tab}>
              {t("nav.videos")}
            </NavLink>
            <NavLink to="/admin/import" className={tab}>
              {t("nav.import")}
            </NavLink>
            {isRuleAdmin ? (
              <NavLink to="/admin/points" className={tab}>
                {t("points.admin.title")}
              </NavLink>
            ) : null}
          </>
        ) : null}
      </nav>
      <Outlet />
    </div>
  );
}
