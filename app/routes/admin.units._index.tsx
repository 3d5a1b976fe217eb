import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { useT } from "~/i18n/i18n";
import { listUnitsUnder } from "~/org/units.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const tree = await listUnitsUnder(scopePrefixes(viewer, "organiser"));
  const top = Math.min(...tree.map((u) => u.depth));
  return { tree: tree.map((u) => ({ ...u, indent: u.depth - top })) };
}

export default function UnitTree() {
  const t = useT();
  const { tree } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <h1 className="mb-3 text-2xl font-bold">{t("units.title")}</h1>
      <ul className="space-y-1">
        {tree.map((u) => (
          <li key={u.id} style={{ paddingLeft: `${u.indent * 1.1}rem` }} className="flex flex-wrap items-baseline gap-x-2">
            <Link to={`/admin/units/${u.id}`} className="link text-lg">
              {u.name}
            </Link>
            <span className="text-sm text-gray-600">
              {t(`kind.${u.kind}`)} · {u.code}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
