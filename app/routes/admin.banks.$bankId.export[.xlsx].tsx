import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { requireBank } from "~/quiz/banks.server";
import { attachmentDisposition, bankXlsx, XLSX_CONTENT_TYPE } from "~/quiz/export.server";

/** GET /admin/banks/:bankId/export.xlsx — the bank's questions in the import template's columns. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  const body = await bankXlsx(bank.id);
  return new Response(new Uint8Array(body), {
    headers: {
      "Content-Type": XLSX_CONTENT_TYPE,
      "Content-Disposition": attachmentDisposition(`${bank.name}.xlsx`, `bank-${bank.id}.xlsx`),
      "Cache-Control": "private, no-store",
    },
  });
}
