// Editing a draft contest (published ones are fixed).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { formChoices, saveContest } from "~/contests/admin.server";
import { ContestFormView } from "~/contests/contest-form";
import { formDefaults, requireManagedContest } from "~/contests/contests.server";
import { chinaLocal } from "~/contests/forms";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "修改知识竞赛 · 网上党校" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const contest = await requireManagedContest(viewer, parseId(params.contestId));
  if (contest.status !== "draft") throw redirect(`/admin/contests/${contest.id}`);
  return {
    ...(await formChoices(viewer)),
    defaults: { ...formDefaults(contest), unitId: contest.unitId, opensAt: chinaLocal(contest.opensAt), closesAt: chinaLocal(contest.closesAt) },
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const contest = await requireManagedContest(viewer, parseId(params.contestId));
  const saved = await saveContest(viewer, await request.formData(), contest.id);
  if ("reply" in saved) return { result: saved.reply };
  return redirect(`/admin/contests/${contest.id}`);
}

export default function EditContest() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <section className="card space-y-4">
      <h1 className="text-2xl font-bold">{t("contest.edit")}</h1>
      <ContestFormView units={data.units} banks={data.banks} defaults={data.defaults} lastResult={actionData?.result} />
    </section>
  );
}
