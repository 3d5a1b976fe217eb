import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseId, requireRole, requireUnitInScope } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { attachmentDisposition, exportMembersXlsx, XLSX_CONTENT_TYPE } from "~/org/member-import.server";

/** GET /admin/export.xlsx?unit=ID — the members of a unit's subtree in the import template's columns. */
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  requireRole(viewer, "admin");
  const unit = await requireUnitInScope(viewer, parseId(new URL(request.url).searchParams.get("unit")), "admin");
  const body = await exportMembersXlsx(unit.code);
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  return new Response(new Uint8Array(body), {
    headers: {
      "Content-Type": XLSX_CONTENT_TYPE,
      "Content-Disposition": attachmentDisposition(`人员名单-${unit.name}-${day}.xlsx`, `members-${unit.code}-${day}.xlsx`),
      "Cache-Control": "private, no-store",
    },
  });
}
