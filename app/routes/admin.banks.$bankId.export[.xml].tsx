import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { requireBank } from "~/quiz/banks.server";
import { attachmentDisposition, bankMoodleXml, MOODLE_XML_CONTENT_TYPE } from "~/quiz/export.server";

/** GET /admin/banks/:bankId/export.xml — the bank as Moodle XML. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const bank = await requireBank(viewer, parseId(params.bankId));
  const body = await bankMoodleXml(bank.id, bank.name);
  return new Response(body, {
    headers: {
      "Content-Type": MOODLE_XML_CONTENT_TYPE,
      "Content-Disposition": attachmentDisposition(`${bank.name}.xml`, `bank-${bank.id}.xml`),
      "Cache-Control": "private, no-store",
    },
  });
}
