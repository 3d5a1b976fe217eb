import type { ActionFunctionArgs } from "@remix-run/node";
import { handleProgressReports } from "~/courses/progress-endpoint.server";
import { respondDirect } from "~/http/direct.server";

/** Progress reports from the player and the reader (served directly by the production server). */
export async function action({ request, params }: ActionFunctionArgs) {
  return respondDirect(request, params, handleProgressReports);
}
