// 新建知识竞赛: a draft for a unit of the organiser's scope.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { formChoices, saveContest } from "~/contests/admin.server";
import { ContestFormView } from "~/contests/contest-form";
import { chinaLocal } from "~/contests/forms";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "新建知识竞赛 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const now = Date.now();
  // Defaults: opens on the next full hour, for a week.
  const opens = new Date(Math.ceil(now / 3_600_000) * 3_600_000);
  return { ...(await formChoices(viewer)), defaults: { opensAt: chinaLocal(opens), closesAt: chinaLocal(new Date(opens.getTime() + 7 * 86_400_000)) } };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const saved = await saveContest(viewer, await request.formData());
  if ("reply" in saved) return { result: saved.reply };
  return redirect(`/admin/contests/${saved.contest.id}`);
}

export default function NewContest() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <section className="card space-y-4">
      <h1 className="text-2xl font-bold">{t("contest.admin.new")}</h1>
      <ContestFormView units={data.units} banks={data.banks} defaults={data.defaults} lastResult={actionData?.result} />
    </section>
  );
}
