// GET /contests/:id/live — the contest's board as server-sent events ("board"), now and after
// every change, for entrants of its subtree and its organisers.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { requireVisibleContest } from "~/contests/contests.server";
import { boards } from "~/contests/live.server";
import { eventStream } from "~/realtime/sse.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const contest = await requireVisibleContest(viewer, parseId(params.contestId));
  return eventStream(request, (send) => boards.watch(contest.id, (board) => send("board", board)));
}
