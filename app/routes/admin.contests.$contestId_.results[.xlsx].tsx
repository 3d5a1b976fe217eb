import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { requireManagedContest } from "~/contests/contests.server";
import { resultSheets } from "~/contests/export.server";
import { getLocale } from "~/i18n/locale.server";
import { writeXlsx, xlsxResponse } from "~/stats/xlsx.server";

/** GET /admin/contests/:id/results.xlsx — individuals and units. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const contest = await requireManagedContest(viewer, parseId(params.contestId));
  if (contest.status === "draft") throw new Response("Not found", { status: 404 });
  const body = await writeXlsx(await resultSheets(contest, await getLocale(request)));
  return xlsxResponse(body, `${contest.title}-成绩.xlsx`, `contest-${contest.id}-results.xlsx`);
}
