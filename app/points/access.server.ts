// Who may change the points rules: the rules hold for the whole installation, so only an admin
// whose grant is at a top-level unit (a committee at the root of the tree).
import { forbidden, type Viewer } from "~/auth/policy.server";
import { CODE_SEGMENT } from "~/org/kinds";

export function isRuleAdmin(viewer: Viewer) {
  return viewer.grants.some((g) => g.role === "admin" && g.unitCode.length === CODE_SEGMENT);
}

export function requireRuleAdmin(viewer: Viewer) {
  if (!isRuleAdmin(viewer)) forbidden();
}
