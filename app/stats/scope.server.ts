// Which part of the tree a list shows: the unit asked for in the URL when the viewer may see it
// and it lies within reach, else the viewer's whole part. Shared by pages and their exports.
import { coversCode, notFound, parseId, requireUnitInScope, type Viewer } from "~/auth/policy.server";
import { visibleRootCode } from "~/assignments/assignments.server";
import { listUnitsUnder } from "~/org/units.server";
import { ASSIGNMENT_FILTERS, type AssignmentFilter } from "./metrics";

export function parseFilter(value: string | null, fallback: AssignmentFilter = "unfinished"): AssignmentFilter {
  return value && (ASSIGNMENT_FILTERS as readonly string[]).includes(value) ? (value as AssignmentFilter) : fallback;
}

/** For an assignment's member list: a unit in the viewer's part of the assignment's subtree. */
export async function assignmentListScope(viewer: Viewer, assignment: { unitCode: string }, url: URL) {
  const rootCode = visibleRootCode(viewer, assignment.unitCode);
  if (!rootCode) notFound();
  const unitParam = url.searchParams.get("unit");
  const units = await listUnitsUnder([rootCode]);
  const unit = unitParam ? await requireUnitInScope(viewer, parseId(unitParam), "organiser") : units[0];
  const chosen = unit && unit.code.startsWith(rootCode) && coversCode(viewer, unit.code, "organiser") ? unit : units[0];
  return { units, unit: { id: chosen.id, name: chosen.name, code: chosen.code }, filter: parseFilter(url.searchParams.get("status")) };
}

export const listScopeForExport = assignmentListScope;
