// Browser-safe facts about the organisation tree.
export const UNIT_KINDS = ["committee", "general_branch", "branch", "group"] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** Which kinds may sit directly under which (a committee may also hold branches directly). */
export const CHILD_KINDS: Record<UnitKind, UnitKind[]> = {
  committee: ["general_branch", "branch"],
  general_branch: ["branch"],
  branch: ["group"],
  group: [],
};

export const MEMBER_STATUSES = ["full", "probationary", "activist", "staff"] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** Labels used by the import template and exports (人员类别). */
export const STATUS_LABELS: Record<MemberStatus, string> = {
  full: "正式党员",
  probationary: "预备党员",
  activist: "入党积极分子",
  staff: "群众",
};

export const CODE_SEGMENT = 3;

/** Positions that carry the 56-hour credit requirement: secretaries and unit committee members. */
export function isCadrePosition(position: string) {
  return /书记|委员/.test(position);
}
