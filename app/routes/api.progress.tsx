import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleProgress } from "~/courses/progress-endpoint.server";
import { respondDirect } from "~/http/direct.server";

/** A member's progress on a lesson (served directly by the production server). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return respondDirect(request, params, handleProgress);
}

/** Progress reports from the player and the reader (served directly by the production server). */
export async function action({ request, params }: ActionFunctionArgs) {
  return respondDirect(request, params, handleProgress);
}
