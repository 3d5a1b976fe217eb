import type { ActionFunctionArgs } from "@remix-run/node";
import { handleContestAnswer } from "~/contests/answerer.server";
import { respondDirect } from "~/http/direct.server";

/** One answer (or timeout) of the signed-in entrant (served directly by the production server). */
export async function action({ request, params }: ActionFunctionArgs) {
  return respondDirect(request, params, handleContestAnswer);
}
