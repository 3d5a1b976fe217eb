// Knowledge contests (知识竞赛), the organiser's side: a draft for a unit's subtree, its draw rule
// over the banks the organiser can see, a preview, publication (the drawn question versions are
// frozen in contest_questions and never change again) and closing (points for taking part and
// for the top 10 %, once). Who may do what: an organiser or admin whose scope covers the
// contest's unit; anyone else gets 404, so nothing leaks.
import { and, asc, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { coversCode, inScope, notFound, requireRole, type Viewer } from "~/auth/policy.server";
import { db } from "~/db/client.server";
import { contestEntries, contestQuestions, contests, questions, questionVersions, units, type DrawRule } from "~/db/schema";
import { awardContest } from "~/points/ledger.server";
import { listBanks } from "~/quiz/banks.server";
import { isQuestionType, QUESTION_TYPES, seededRng, seedFrom, shuffle, type QuestionType } from "~/quiz/grading";
import { chinaInstant, COUNT_FIELDS, parseTags, type ContestForm } from "./forms";
import { contestChanged } from "./live.server";
import { rankAll } from "./scoring";

export type Contest = typeof contests.$inferSelect;
export type Version = typeof questionVersions.$inferSelect;

/** A refused change: `field` is the form field it concerns, `key` the message. */
export class ContestError extends Error {
  constructor(
    public field: string,
    public key: string,
  ) {
    super(key);
  }
}

/** The phase a contest is in at `now`: drafts, not yet open, open, or over. */
export function phaseOf(contest: Pick<Contest, "status" | "opensAt" | "closesAt">, now = new Date()) {
  if (contest.status === "draft") return "draft" as const;
  if (contest.status === "closed" || now >= contest.closesAt) return "closed" as const;
  if (now < contest.opensAt) return "upcoming" as const;
  return "open" as const;
}
export type Phase = ReturnType<typeof phaseOf>;

// ---------------------------------------------------------------------------------------------
// Reading, with scope

export async function listManagedContests(viewer: Viewer) {
  return db
    .select({
      id: contests.id,
      title: contests.title,
      status: contests.status,
      opensAt: contests.opensAt,
      closesAt: contests.closesAt,
      unitName: units.name,
      entrants: sql<number>`(select count(*)::int from ${contestEntries} where ${contestEntries.contestId} = ${contests.id})`,
    })
    .from(contests)
    .innerJoin(units, eq(units.id, contests.unitId))
    .where(inScope(units.code, viewer, "organiser"))
    .orderBy(desc(contests.opensAt), desc(contests.id))
    .limit(200);
}

export async function getContest(contestId: number) {
  const [row] = await db
    .select({ contest: contests, unitCode: units.code, unitName: units.name })
    .from(contests)
    .innerJoin(units, eq(units.id, contests.unitId))
    .where(eq(contests.id, contestId));
  return row ? { ...row.contest, unitCode: row.unitCode, unitName: row.unitName } : null;
}
export type ContestWithUnit = NonNullable<Awaited<ReturnType<typeof getContest>>>;

/** A contest the viewer manages (organiser or admin over its unit); 404 otherwise. */
export async function requireManagedContest(viewer: Viewer, contestId: number) {
  requireRole(viewer, "organiser");
  const contest = await getContest(contestId);
  if (!contest || !coversCode(viewer, contest.unitCode, "organiser")) notFound();
  return contest;
}

/** A published or closed contest the viewer may take part in or watch: a member of its subtree, or one of its organisers. */
export async function requireVisibleContest(viewer: Viewer, contestId: number) {
  const contest = await getContest(contestId);
  if (!contest || contest.status === "draft") notFound();
  if (!viewer.unitCode.startsWith(contest.unitCode) && !coversCode(viewer, contest.unitCode, "organiser")) notFound();
  return contest;
}

// ---------------------------------------------------------------------------------------------
// Drafts

function drawRuleOf(form: ContestForm): DrawRule {
  const tags = parseTags(form.tags);
  return QUESTION_TYPES.filter((type) => form[COUNT_FIELDS[type]] > 0).map((type) => ({
    type,
    bankIds: [...new Set(form.bankIds)],
    ...(tags.length ? { tags } : {}),
    count: form[COUNT_FIELDS[type]],
  }));
}

function valuesOf(form: ContestForm) {
  return {
    unitId: form.unitId,
    title: form.title,
    description: form.description ?? "",
    opensAt: chinaInstant(form.opensAt),
    closesAt: chinaInstant(form.closesAt),
    drawRule: drawRuleOf(form),
    secondsPerQuestion: form.secondsPerQuestion,
    pointsPerCorrect: form.pointsPerCorrect,
    speedBonus: form.speedBonus === "on",
    showResultsAtOnce: form.showResultsAtOnce === "on",
  };
}

/** Banks must be ones the organiser can see (their scope's banks and those above it). */
async function assertBanksVisible(viewer: Viewer, bankIds: number[]) {
  const visible = new Set((await listBanks(viewer)).map((b) => b.id));
  if (bankIds.some((id) => !visible.has(id))) throw new ContestError("bankIds", "contest.v.banks");
}

/** The caller has checked that the unit lies in the viewer's scope. */
export async function createContest(viewer: Viewer, form: ContestForm) {
  await assertBanksVisible(viewer, form.bankIds);
  const [contest] = await db
    .insert(contests)
    .values({ ...valuesOf(form), createdBy: viewer.id })
    .returning();
  return contest;
}

/** Edits a draft; a published contest is refused (its questions and rules are fixed). */
export async function updateContest(viewer: Viewer, contestId: number, form: ContestForm) {
  await assertBanksVisible(viewer, form.bankIds);
  const [saved] = await db
    .update(contests)
    .set(valuesOf(form))
    .where(and(eq(contests.id, contestId), eq(contests.status, "draft")))
    .returning();
  if (!saved) throw new ContestError("title", "contest.error.notDraft");
  return saved;
}

/** Deletes a draft (nothing was taken yet). */
export async function deleteDraft(contestId: number) {
  const gone = await db
    .delete(contests)
    .where(and(eq(contests.id, contestId), eq(contests.status, "draft")))
    .returning({ id: contests.id });
  return gone.length > 0;
}

/** The form's values of a saved contest. */
export function formDefaults(contest: Contest) {
  const counts = Object.fromEntries(QUESTION_TYPES.map((t) => [COUNT_FIELDS[t], 0])) as Record<(typeof COUNT_FIELDS)[QuestionType], number>;
  for (const d of contest.drawRule) if (isQuestionType(d.type)) counts[COUNT_FIELDS[d.type]] = d.count;
  return {
    title: contest.title,
    description: contest.description,
    secondsPerQuestion: contest.secondsPerQuestion,
    pointsPerCorrect: contest.pointsPerCorrect,
    speedBonus: contest.speedBonus,
    showResultsAtOnce: contest.showResultsAtOnce,
    bankIds: [...new Set(contest.drawRule.flatMap((d) => d.bankIds))],
    tags: [...new Set(contest.drawRule.flatMap((d) => d.tags ?? []))].join("，"),
    ...counts,
  };
}

// ---------------------------------------------------------------------------------------------
// Drawing, preview, publication

type Executor = Pick<typeof db, "select">;

export type Draw = {
  versions: Version[];
  shortfalls: { type: QuestionType; wanted: number; found: number }[];
};

/**
 * Draws the questions of a contest by its rule: for each type, `count` current versions of
 * active questions of those banks (with one of the tags, if any). Seeded by the contest id, so
 * the preview shows what publication will freeze while the banks stay as they are.
 */
export async function drawContest(contest: Pick<Contest, "id" | "drawRule">, executor: Executor = db): Promise<Draw> {
  const bankIds = [...new Set(contest.drawRule.flatMap((d) => d.bankIds))];
  if (bankIds.length === 0) return { versions: [], shortfalls: [] };
  const pool = await executor
    .select({ bankId: questions.bankId, version: questionVersions })
    .from(questions)
    .innerJoin(questionVersions, and(eq(questionVersions.questionId, questions.id), eq(questionVersions.version, questions.currentVersion)))
    .where(and(eq(questions.archived, false), inArray(questions.bankId, bankIds)))
    .orderBy(asc(questions.id));
  const rng = seededRng(seedFrom(`contest-draw:${contest.id}`));
  const versions: Version[] = [];
  const shortfalls: Draw["shortfalls"] = [];
  for (const rule of contest.drawRule) {
    if (!isQuestionType(rule.type)) continue;
    const tags = rule.tags ?? [];
    const candidates = pool.filter(
      (p) =>
        p.version.type === rule.type &&
        rule.bankIds.includes(p.bankId) &&
        (tags.length === 0 || p.version.tags.some((t) => tags.includes(t))),
    );
    const chosen = shuffle(candidates, rng).slice(0, rule.count);
    versions.push(...chosen.map((c) => c.version));
    if (chosen.length < rule.count) shortfalls.push({ type: rule.type, wanted: rule.count, found: chosen.length });
  }
  return { versions, shortfalls };
}

/** The frozen questions of a published contest, by position. */
export async function frozenQuestions(contestId: number, executor: Executor = db): Promise<Version[]> {
  const rows = await executor
    .select({ version: questionVersions })
    .from(contestQuestions)
    .innerJoin(questionVersions, eq(questionVersions.id, contestQuestions.versionId))
    .where(eq(contestQuestions.contestId, contestId))
    .orderBy(asc(contestQuestions.position));
  return rows.map((r) => r.version);
}

/** Publishes a draft: draws, refuses a short draw, and freezes the questions. */
export async function publishContest(contestId: number) {
  return db.transaction(async (tx) => {
    const [contest] = await tx.select().from(contests).where(eq(contests.id, contestId)).for("update");
    if (!contest || contest.status !== "draft") throw new ContestError("publish", "contest.error.notDraft");
    const draw = await drawContest(contest, tx);
    if (draw.shortfalls.length > 0 || draw.versions.length === 0) throw new ContestError("publish", "contest.error.shortDraw");
    if (contest.closesAt <= new Date()) throw new ContestError("publish", "contest.error.alreadyOver");
    await tx.insert(contestQuestions).values(draw.versions.map((v, position) => ({ contestId, position, versionId: v.id })));
    await tx.update(contests).set({ status: "published" }).where(eq(contests.id, contestId));
    return draw.versions.length;
  });
}

// ---------------------------------------------------------------------------------------------
// Closing

/**
 * Closes a published contest (now, or because its time is up), once: unfinished entries end
 * where they are, every entrant gets the points for taking part and the top 10 % theirs, all in
 * one transaction with the status change, so a crash leaves either nothing or everything.
 * Returns false when the contest was not open to closing (a draft, or closed already).
 */
export async function closeContest(contestId: number, now = new Date()): Promise<boolean> {
  const closed = await db.transaction(async (tx) => {
    const [contest] = await tx
      .update(contests)
      .set({ status: "closed", closesAt: sql`least(${contests.closesAt}, ${now.toISOString()}::timestamptz)` })
      .where(and(eq(contests.id, contestId), eq(contests.status, "published")))
      .returning();
    if (!contest) return false;
    await tx
      .update(contestEntries)
      .set({ finishedAt: contest.closesAt, currentServedAt: null })
      .where(and(eq(contestEntries.contestId, contestId), sql`${contestEntries.finishedAt} is null`));
    const entries = await tx
      .select({ userId: contestEntries.userId, score: contestEntries.score, totalMs: contestEntries.totalMs })
      .from(contestEntries)
      .where(eq(contestEntries.contestId, contestId));
    for (const e of rankAll(entries)) {
      await awardContest({ userId: e.userId, contestId, rank: e.rank, entrants: entries.length, at: contest.closesAt, tx });
    }
    return true;
  });
  if (closed) contestChanged(contestId);
  return closed;
}

/** The contest as it stands now: one whose time is up is closed first (points awarded), whoever looks first. */
export async function settled(contest: ContestWithUnit, now = new Date()): Promise<ContestWithUnit> {
  if (contest.status !== "published" || contest.closesAt > now) return contest;
  await closeContest(contest.id, now);
  return (await getContest(contest.id)) ?? contest;
}

/** Closes every published contest whose time is up; cheap when there is none. */
export async function closeDueContests(now = new Date()) {
  const due = await db
    .select({ id: contests.id })
    .from(contests)
    .where(and(eq(contests.status, "published"), lte(contests.closesAt, now)));
  for (const c of due) await closeContest(c.id, now);
  return due.length;
}

/** Closes contests whose time is up every half minute (pages also close them when they look). */
export function startContestCloser(everyMs = 30_000) {
  const timer = setInterval(() => {
    closeDueContests().catch((error) => console.error(`contests: closing due contests failed: ${String(error)}`));
  }, everyMs);
  timer.unref();
}
