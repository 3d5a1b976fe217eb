import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole, scopePrefixes } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { attachmentDisposition, memberTemplateXlsx, XLSX_CONTENT_TYPE } from "~/org/member-import.server";
import { listUnitsUnder } from "~/org/units.server";

/** GET /admin/import/template.xlsx — the member import template, with the admin's unit codes. */
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  requireRole(viewer, "admin");
  const units = await listUnitsUnder(scopePrefixes(viewer, "admin"));
  const body = await memberTemplateXlsx({ units });
  return new Response(new Uint8Array(body), {
    headers: {
      "Content-Type": XLSX_CONTENT_TYPE,
      "Content-Disposition": attachmentDisposition("党员导入模板.xlsx", "member-import-template.xlsx"),
      "Cache-Control": "private, no-store",
    },
  });
}
