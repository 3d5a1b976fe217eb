// Question banks and their versioned questions. A bank belongs to a unit; whoever holds the
// organiser role (or admin) over that unit manages it. Editing a question adds a version:
// answers already given keep pointing at the version that was asked.
import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { coversCode, notFound, scopePrefixes, type Viewer } from "~/auth/policy.server";
import { db } from "~/db/client.server";
import { questionBanks, questions, questionVersions, units } from "~/db/schema";
import { draftIdentity, draftToVersion, versionToDraft, type QuestionDraft } from "./draft";
import type { QuestionType } from "./grading";

export type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];
type Executor = typeof db | Tx;

/** Rows of a raw query; both drivers (PGlite, node-postgres) answer with `{ rows }`. */
export async function rowsOf<T>(query: PromiseLike<unknown>): Promise<T[]> {
  return ((await query) as { rows: T[] }).rows;
}

function likePrefix(code: string) {
  return `${code.replace(/[\\%_]/g, "\\$&")}%`;
}

export type BankRow = {
  id: number;
  name: string;
  description: string;
  unitId: number;
  unitName: string;
  unitCode: string;
  questions: number;
  manageable: boolean;
};

/**
 * The banks an organiser or admin sees: those of units in their scope (manageable), and those
 * of the units above their scope, which their members also use (read-only).
 */
export async function listBanks(viewer: Viewer): Promise<BankRow[]> {
  const prefixes = scopePrefixes(viewer, "organiser");
  if (prefixes.length === 0) return [];
  const ancestors = new Set<string>();
  for (const p of prefixes) for (let k = 3; k < p.length; k += 3) ancestors.add(p.slice(0, k));
  const conditions: SQL[] = prefixes.map((p) => sql`${units.code} like ${likePrefix(p)}`);
  if (ancestors.size) conditions.push(inArray(units.code, [...ancestors]));
  const rows = await db
    .select({
      id: questionBanks.id,
      name: questionBanks.name,
      description: questionBanks.description,
      unitId: units.id,
      unitName: units.name,
      unitCode: units.code,
      questions: sql<number>`(select count(*)::int from ${questions} where ${questions.bankId} = ${questionBanks.id} and not ${questions.archived})`,
    })
    .from(questionBanks)
    .innerJoin(units, eq(units.id, questionBanks.unitId))
    .where(or(...conditions))
    .orderBy(asc(units.code), asc(questionBanks.name), asc(questionBanks.id));
  return rows.map((r) => ({ ...r, questions: Number(r.questions), manageable: coversCode(viewer, r.unitCode, "organiser") }));
}

/** A bank the viewer manages; 404 for any other (so nothing leaks). */
export async function requireBank(viewer: Viewer, bankId: number) {
  const [row] = await db
    .select({ bank: questionBanks, unitCode: units.code, unitName: units.name })
    .from(questionBanks)
    .innerJoin(units, eq(units.id, questionBanks.unitId))
    .where(eq(questionBanks.id, bankId));
  if (!row || !coversCode(viewer, row.unitCode, "organiser")) notFound();
  return { ...row.bank, unitCode: row.unitCode, unitName: row.unitName };
}

export async function createBank(input: { unitId: number; name: string; description?: string }) {
  const [bank] = await db
    .insert(questionBanks)
    .values({ unitId: input.unitId, name: input.name.trim(), description: (input.description ?? "").trim() })
    .returning();
  return bank;
}

export async function updateBank(bankId: number, input: { name: string; description?: string }) {
  await db
    .update(questionBanks)
    .set({ name: input.name.trim(), description: (input.description ?? "").trim() })
    .where(eq(questionBanks.id, bankId));
}

/** Deletes a bank that has never had a question; false otherwise (questions are archived, not deleted). */
export async function deleteBank(bankId: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [used] = await tx.select({ id: questions.id }).from(questions).where(eq(questions.bankId, bankId)).limit(1);
    if (used) return false;
    await tx.delete(questionBanks).where(eq(questionBanks.id, bankId));
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Questions

export type QuestionListItem = {
  id: number;
  version: number;
  type: QuestionType;
  stem: string;
  difficulty: number;
  tags: string[];
  archived: boolean;
};

export const PAGE_SIZE = 50;

export async function listQuestions(
  bankId: number,
  { search = "", type, archived = false, page = 1 }: { search?: string; type?: QuestionType; archived?: boolean; page?: number } = {},
) {
  const conditions = [eq(questions.bankId, bankId), eq(questions.archived, archived)];
  if (type) conditions.push(eq(questionVersions.type, type));
  const term = search.trim();
  if (term) conditions.push(ilike(questionVersions.stem, `%${term.replace(/[\\%_]/g, "\\$&")}%`));
  const where = and(...conditions);
  const join = and(eq(questionVersions.questionId, questions.id), eq(questionVersions.version, questions.currentVersion));
  const [items, [{ total }]] = await Promise.all([
    db
      .select({
        id: questions.id,
        version: questions.currentVersion,
        type: questionVersions.type,
        stem: questionVersions.stem,
        difficulty: questionVersions.difficulty,
        tags: questionVersions.tags,
        archived: questions.archived,
      })
      .from(questions)
      .innerJoin(questionVersions, join)
      .where(where)
      .orderBy(asc(questions.id))
      .limit(PAGE_SIZE)
      .offset((Math.max(1, page) - 1) * PAGE_SIZE),
    db
      .select({ total: sql<number>`count(*)::int` })
      .from(questions)
      .innerJoin(questionVersions, join)
      .where(where),
  ]);
  return { items: items as QuestionListItem[], total: Number(total), page: Math.max(1, page), pageSize: PAGE_SIZE };
}

/** A question of the bank with its current version; 404 when it is not in this bank. */
export async function requireQuestion(bankId: number, questionId: number) {
  const [row] = await db
    .select({ question: questions, version: questionVersions })
    .from(questions)
    .innerJoin(questionVersions, and(eq(questionVersions.questionId, questions.id), eq(questionVersions.version, questions.currentVersion)))
    .where(and(eq(questions.id, questionId), eq(questions.bankId, bankId)));
  if (!row) notFound();
  return row;
}

export async function questionHistory(questionId: number) {
  return db
    .select({ id: questionVersions.id, version: questionVersions.version, stem: questionVersions.stem, createdAt: questionVersions.createdAt })
    .from(questionVersions)
    .where(eq(questionVersions.questionId, questionId))
    .orderBy(desc(questionVersions.version));
}

function versionValues(draft: QuestionDraft, keepIds?: string[]) {
  const { options, answer } = draftToVersion(draft, keepIds);
  return {
    type: draft.type,
    stem: draft.stem.trim(),
    options,
    answer,
    explanation: draft.explanation.trim(),
    difficulty: draft.difficulty,
    tags: draft.tags,
    source: draft.source.trim(),
  };
}

export async function createQuestion(bankId: number, draft: QuestionDraft, executor: Executor = db) {
  const run = async (tx: Tx) => {
    const [q] = await tx.insert(questions).values({ bankId, currentVersion: 1 }).returning();
    const [v] = await tx
      .insert(questionVersions)
      .values({ questionId: q.id, version: 1, ...versionValues(draft) })
      .returning();
    return { question: q, version: v };
  };
  return executor === db ? db.transaction(run) : run(executor as Tx);
}

/**
 * Saves an edit as a new version (the old one stays, with every answer given to it). An edit
 * that changes nothing adds no version. Option ids stay with their positions.
 */
export async function updateQuestion(questionId: number, draft: QuestionDraft) {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ question: questions, version: questionVersions })
      .from(questions)
      .innerJoin(questionVersions, and(eq(questionVersions.questionId, questions.id), eq(questionVersions.version, questions.currentVersion)))
      .where(eq(questions.id, questionId))
      .for("update", { of: questions });
    if (!current) notFound();
    const before = versionToDraft(current.version);
    const same =
      draftIdentity(before) === draftIdentity(draft) &&
      before.explanation === draft.explanation.trim() &&
      before.difficulty === draft.difficulty &&
      JSON.stringify(before.tags) === JSON.stringify(draft.tags) &&
      before.source === draft.source.trim();
    if (same) return { version: current.version, changed: false };
    const keepIds = current.version.options.map((o) => o.id);
    const next = current.question.currentVersion + 1;
    const [v] = await tx
      .insert(questionVersions)
      .values({ questionId, version: next, ...versionValues(draft, keepIds) })
      .returning();
    await tx.update(questions).set({ currentVersion: next }).where(eq(questions.id, questionId));
    return { version: v, changed: true };
  });
}

/** Archived questions are drawn no more; answers and mistake-book entries stay. */
export async function setArchived(questionId: number, archived: boolean) {
  await db.update(questions).set({ archived }).where(eq(questions.id, questionId));
}

/** Current versions of a bank's active questions, in order, as drafts (export, duplicate checks). */
export async function bankDrafts(bankId: number, executor: Executor = db): Promise<{ id: number; draft: QuestionDraft }[]> {
  const rows = await executor
    .select({ id: questions.id, version: questionVersions })
    .from(questions)
    .innerJoin(questionVersions, and(eq(questionVersions.questionId, questions.id), eq(questionVersions.version, questions.currentVersion)))
    .where(and(eq(questions.bankId, bankId), eq(questions.archived, false)))
    .orderBy(asc(questions.id));
  return rows.map((r) => ({ id: r.id, draft: versionToDraft(r.version) }));
}

/**
 * Inserts many questions (version 1 each) with three statements whatever their number:
 * ids from the sequence, then `unnest` arrays into questions and question_versions.
 */
export async function insertDrafts(tx: Tx, bankId: number, drafts: QuestionDraft[]): Promise<number[]> {
  if (drafts.length === 0) return [];
  const idRows = await rowsOf<{ id: number }>(
    tx.execute(sql`select nextval(pg_get_serial_sequence('questions', 'id'))::int as id from generate_series(1, ${drafts.length})`),
  );
  const ids = idRows.map((r) => Number(r.id)).sort((a, b) => a - b);
  await tx.execute(sql`insert into ${questions} (id, bank_id, current_version) select unnest(${sql.param(ids)}::int[]), ${bankId}, 1`);
  const values = drafts.map((d) => versionValues(d));
  const col = <T>(pick: (v: (typeof values)[number]) => T) => sql.param(values.map(pick));
  await tx.execute(sql`
    insert into ${questionVersions} (question_id, version, type, stem, options, answer, explanation, difficulty, tags, source)
    select r.q, 1, r.t::question_type, r.s, r.o::jsonb, r.a::jsonb, r.e, r.d,
           array(select jsonb_array_elements_text(r.g::jsonb)), r.src
    from unnest(
      ${sql.param(ids)}::int[],
      ${col((v) => v.type)}::text[],
      ${col((v) => v.stem)}::text[],
      ${col((v) => JSON.stringify(v.options))}::text[],
      ${col((v) => JSON.stringify(v.answer))}::text[],
      ${col((v) => v.explanation)}::text[],
      ${col((v) => v.difficulty)}::int[],
      ${col((v) => JSON.stringify(v.tags))}::text[],
      ${col((v) => v.source)}::text[]
    ) as r(q, t, s, o, a, e, d, g, src)`);
  return ids;
}
