// The upload endpoint of the page's progress bar (XMLHttpRequest): the same upload as the plain
// form on /admin/videos, answered with JSON instead of a page.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireRole } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { handleVideoUploadRequest } from "~/media/upload-request.server";

export async function loader(_: LoaderFunctionArgs) {
  return redirect("/admin/videos");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "admin");
  const outcome = await handleVideoUploadRequest(request, viewer.id);
  return Response.json(outcome, { status: outcome.status === "uploaded" ? 200 : 422, headers: { "Cache-Control": "no-store" } });
}
