// Transcoded media (HLS playlists, segments, posters) for signed-in members. Files come from
// MEDIA_DIR through app/media/serve.server.ts: finished output only, no traversal, Range support.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getViewer } from "~/auth/session.server";
import { serveMediaFile } from "~/media/serve.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  // A player fetching segments gets a status, not a redirect to the login page.
  const viewer = await getViewer({ request, context });
  if (!viewer) return new Response("Sign in to watch", { status: 401, headers: { "Cache-Control": "private, no-store" } });
  return serveMediaFile(request, params["*"] ?? "");
}
