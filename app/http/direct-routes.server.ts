import { handleContestAnswer } from "~/contests/answerer.server";
import { handleProgress } from "~/courses/progress-endpoint.server";
import type { DirectRoute } from "./direct.server";

/**
 * The direct endpoints, by Express path. Each has a Remix resource route at the same path
 * (app/routes/api.progress.tsx, app/routes/contests.$contestId_.answer.tsx) calling the same handler.
 */
export const directRoutes: DirectRoute[] = [
  { path: "/api/progress", handle: handleProgress },
  { path: "/contests/:contestId/answer", handle: handleContestAnswer },
];
