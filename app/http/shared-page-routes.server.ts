import { lessonPageKey } from "~/courses/lesson-page.server";
import type { SharedPageRoute } from "./shared-pages.server";

/** Pages served from shared copies (app/http/shared-pages.server.ts), by Express path. */
export const sharedPageRoutes: SharedPageRoute[] = [{ path: "/lessons/:lessonId", keyFor: lessonPageKey }];
