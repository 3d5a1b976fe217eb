// What the organiser's contest pages share: the form's choices (units in scope, visible banks)
// and saving a submitted form (new or edit) with the unit checked against the organiser's scope.
import { parseWithZod } from "@conform-to/zod";
import { requireUnitInScope, scopePrefixes, type Viewer } from "~/auth/policy.server";
import { listUnitsUnder } from "~/org/units.server";
import { listBanks } from "~/quiz/banks.server";
import { ContestError, createContest, updateContest } from "./contests.server";
import { contestSchema } from "./forms";

export async function formChoices(viewer: Viewer) {
  const [units, banks] = await Promise.all([listUnitsUnder(scopePrefixes(viewer, "organiser")), listBanks(viewer)]);
  return {
    units: units.map((u) => ({ id: u.id, name: u.name, depth: u.depth })),
    banks: banks.map((b) => ({ id: b.id, name: b.name, unitName: b.unitName, questions: b.questions })),
  };
}

/** Saves the form as a new draft, or over draft `contestId`; returns the contest or the form's reply. */
export async function saveContest(viewer: Viewer, formData: FormData, contestId?: number) {
  const submission = parseWithZod(formData, { schema: contestSchema });
  if (submission.status !== "success") return { reply: submission.reply() };
  await requireUnitInScope(viewer, submission.value.unitId, "organiser");
  try {
    const contest = contestId === undefined ? await createContest(viewer, submission.value) : await updateContest(viewer, contestId, submission.value);
    return { contest };
  } catch (error) {
    if (error instanceof ContestError) return { reply: submission.reply({ fieldErrors: { [error.field]: [error.key] } }) };
    throw error;
  }
}
