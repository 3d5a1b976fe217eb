// The live stream of one battle (server-sent events), for its players only.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { isPlayer } from "~/battles/battles.server";
import { battleEvents } from "~/battles/live.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const battleId = parseId(params.battleId);
  if (!(await isPlayer(battleId, viewer.id))) notFound();
  return battleEvents(request, battleId, viewer.id);
}
