import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAssignmentVisible } from "~/assignments/assignments.server";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { freshenStats } from "~/stats/aggregate.server";
import { getLocale } from "~/i18n/locale.server";
import { assignmentMemberSheet } from "~/stats/exports.server";
import { xlsxResponse, writeXlsx } from "~/stats/xlsx.server";
import { assignmentListScope } from "~/stats/scope.server";

/** GET /admin/assignments/:id/export.xlsx?unit=&status= — the list as filtered on the page. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const { assignment } = await requireAssignmentVisible(viewer, parseId(params.assignmentId));
  const { unit, filter } = await assignmentListScope(viewer, assignment, new URL(request.url));
  const locale = await getLocale(request);
  await freshenStats();
  const sheet = await assignmentMemberSheet(locale, unit.code, assignment, filter);
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  return xlsxResponse(await writeXlsx([sheet]), `${assignment.title}-${unit.name}-${day}.xlsx`, `assignment-${assignment.id}-${unit.code}-${day}.xlsx`);
}
