import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { attachmentDisposition, questionTemplateXlsx, XLSX_CONTENT_TYPE } from "~/quiz/export.server";

/** GET /admin/banks/template.xlsx — the question import template with instructions and examples. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const body = await questionTemplateXlsx();
  return new Response(new Uint8Array(body), {
    headers: {
      "Content-Type": XLSX_CONTENT_TYPE,
      "Content-Disposition": attachmentDisposition("题库导入模板.xlsx", "question-template.xlsx"),
      "Cache-Control": "private, no-store",
    },
  });
}
