// Reflections (心得体会): a member writes a post in Markdown about a course or lesson, saves drafts,
// submits it; organisers whose scope holds the post's unit approve it, return it with a comment
// (the member edits and resubmits) or feature it. Points for approval and featuring go through
// the ledger in the same transaction as the review.
//
// Who sees what (every function here takes the viewer):
// - the author: all their own posts, any status; edits drafts and returned posts;
// - an organiser (or admin) whose scope covers the post's unit: every post there except drafts,
//   and reviews them — but never their own post (someone above them does);
// - any member: approved posts of their own branch (their branch's subtree, see
//   ~/points/scope.server), and featured posts of their whole committee;
// - likes and comments: on approved posts the viewer can see.
// Anything else is "not found", so nothing leaks.
import { and, asc, desc, eq, inArray, ne, sql, type SQL } from "drizzle-orm";
import { coversCode, forbidden, inScope, notFound, type Viewer } from "~/auth/policy.server";
import { canStudyLesson, getCourse } from "~/courses/catalogue.server";
import { db } from "~/db/client.server";
import { qualified } from "~/db/sql.server";
import { courses, lessons, reflectionComments, reflectionLikes, reflections, units, users } from "~/db/schema";
import { awardPoints } from "~/points/ledger.server";
import { branchCodeOf, committeeCodeOf } from "~/points/scope.server";
import { DEFAULT_MIN_CHARS, type ReviewTab } from "./forms";
import { readingsFor, readingText } from "./lesson-text.server";
import { markdownToText } from "./markdown";
import { fingerprint, highlight, similarity, SIMILARITY_THRESHOLD, type Segment } from "./similarity";

export type ReflectionStatus = (typeof reflections.$inferSelect)["status"];

/** Minimum length to submit (CJK characters + Latin words), from REFLECTION_MIN_CHARS. */
export function reflectionMinChars(env: Record<string, string | undefined> = process.env) {
  const n = Number(env.REFLECTION_MIN_CHARS);
  return env.REFLECTION_MIN_CHARS && Number.isInteger(n) && n >= 0 && n <= 10_000 ? n : DEFAULT_MIN_CHARS;
}

export class ReflectionError extends Error {
  constructor(public key: "stale" | "target") {
    super(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Targets: the courses and lessons the member can see.

export async function listTargets(viewer: Viewer) {
  const rows = await db
    .select({ courseId: courses.id, courseTitle: courses.title, lessonId: lessons.id, lessonTitle: lessons.title, kind: lessons.kind })
    .from(courses)
    .leftJoin(lessons, eq(lessons.courseId, courses.id))
    .where(
      and(
        eq(courses.published, true),
        sql`(${qualified(courses.unitId)} is null or exists (select 1 from ${units} u where u.id = ${qualified(courses.unitId)} and ${viewer.unitCode} like u.code || '%'))`,
      ),
    )
    .orderBy(asc(courses.id), asc(lessons.position));
  const out: { id: number; title: string; lessons: { id: number; title: string; kind: string }[] }[] = [];
  for (const row of rows) {
    let course = out.at(-1);
    if (!course || course.id !== row.courseId) {
      course = { id: row.courseId, title: row.courseTitle, lessons: [] };
      out.push(course);
    }
    if (row.lessonId !== null) course.lessons.push({ id: row.lessonId, title: row.lessonTitle!, kind: row.kind! });
  }
  return out;
}

/** "c:12" / "l:34" to the course and lesson, if the member can see them. */
export async function resolveTarget(viewer: Viewer, target: string): Promise<{ courseId: number; lessonId: number | null } | null> {
  const match = /^([cl]):(\d{1,9})$/.exec(target);
  if (!match) return null;
  const id = Number(match[2]);
  if (match[1] === "c") return (await getCourse(viewer, id)) ? { courseId: id, lessonId: null } : null;
  if (!(await canStudyLesson(viewer, id))) return null;
  const [lesson] = await db.select({ courseId: lessons.courseId }).from(lessons).where(eq(lessons.id, id));
  return lesson ? { courseId: lesson.courseId, lessonId: id } : null;
}

export function targetOf(r: { courseId: number | null; lessonId: number | null }) {
  return r.lessonId ? `l:${r.lessonId}` : r.courseId ? `c:${r.courseId}` : "";
}

// ---------------------------------------------------------------------------------------------
// Near-copy detection.

/** How many earlier posts a submission is compared with (same lesson/course first, then the newest). */
export const SIMILARITY_CANDIDATES = 1000;

export type SimilarityResult = { score: number; similarToId: number | null };

/**
 * The highest similarity of a text to the earlier posts of the committee (submitted, returned or
 * approved; not `excludeId`) and to the text of the readings it is about. `similarToId` is the
 * post's id, or minus the lesson id when the lesson text is the closest.
 */
export async function detectSimilarity(input: {
  body: string;
  committeeCode: string;
  courseId: number | null;
  lessonId: number | null;
  excludeId?: number;
}): Promise<SimilarityResult> {
  const mine = fingerprint(input.body);
  let best: SimilarityResult = { score: 0, similarToId: null };
  const consider = (score: number, id: number) => {
    if (score > best.score) best = { score, similarToId: id };
  };
  const sameTarget = input.lessonId
    ? sql`${reflections.lessonId} = ${input.lessonId}`
    : input.courseId
      ? sql`${reflections.courseId} = ${input.courseId}`
      : sql`false`;
  const others = await db
    .select({ id: reflections.id, body: reflections.body })
    .from(reflections)
    .innerJoin(units, eq(units.id, reflections.unitId))
    .where(
      and(
        inArray(reflections.status, ["submitted", "returned", "approved"]),
        input.excludeId ? ne(reflections.id, input.excludeId) : undefined,
        sql`${units.code} like ${`${input.committeeCode}%`}`,
      ),
    )
    .orderBy(sql`(${sameTarget}) desc`, desc(reflections.id))
    .limit(SIMILARITY_CANDIDATES);
  for (const other of others) consider(similarity(mine, fingerprint(other.body)), other.id);
  for (const reading of await readingsFor(input)) {
    // Only "how much of the post is lesson text": the lesson is far longer than any post.
    consider(similarity(mine, fingerprint(reading.text), { both: false }), -reading.lessonId);
  }
  return { score: Math.round(best.score * 1000) / 1000, similarToId: best.similarToId };
}

// ---------------------------------------------------------------------------------------------
// Writing.

export type SaveInput = { title: string; body: string; target: string; intent: "draft" | "submit" };

/** Creates (no `id`) or updates the member's post; submitting also measures its similarity. */
export async function saveReflection(viewer: Viewer, input: SaveInput, id?: number) {
  const target = await resolveTarget(viewer, input.target);
  if (!target) throw new ReflectionError("target");
  const now = new Date();
  let existing: typeof reflections.$inferSelect | undefined;
  if (id !== undefined) {
    [existing] = await db.select().from(reflections).where(eq(reflections.id, id));
    if (!existing) notFound();
    if (existing.userId !== viewer.id) notFound();
    if (existing.status !== "draft" && existing.status !== "returned") throw new ReflectionError("stale");
  }
  const submit = input.intent === "submit";
  const found = submit
    ? await detectSimilarity({ body: input.body, committeeCode: committeeCodeOf(viewer.unitCode), ...target, excludeId: id })
    : null;
  const values = {
    title: input.title,
    body: input.body,
    courseId: target.courseId,
    lessonId: target.lessonId,
    unitId: viewer.unitId,
    updatedAt: now,
    ...(found ? { status: "submitted" as const, submittedAt: now, similarity: found.score, similarToId: found.similarToId } : {}),
  };
  if (!existing) {
    const [row] = await db
      .insert(reflections)
      .values({ ...values, userId: viewer.id, status: submit ? "submitted" : "draft" })
      .returning({ id: reflections.id, status: reflections.status });
    return row;
  }
  // Only while it is still editable: a review that landed meanwhile wins.
  const [row] = await db
    .update(reflections)
    .set(values)
    .where(and(eq(reflections.id, existing.id), inArray(reflections.status, ["draft", "returned"])))
    .returning({ id: reflections.id, status: reflections.status });
  if (!row) throw new ReflectionError("stale");
  return row;
}

export async function deleteDraft(viewer: Viewer, id: number) {
  const [row] = await db
    .delete(reflections)
    .where(and(eq(reflections.id, id), eq(reflections.userId, viewer.id), eq(reflections.status, "draft")))
    .returning({ id: reflections.id });
  if (!row) notFound();
}

// ---------------------------------------------------------------------------------------------
// Reading one post.

async function loadRow(id: number) {
  const [row] = await db
    .select({
      r: reflections,
      authorName: users.name,
      unitCode: units.code,
      unitName: units.name,
      courseTitle: courses.title,
      lessonTitle: lessons.title,
    })
    .from(reflections)
    .innerJoin(users, eq(users.id, reflections.userId))
    .innerJoin(units, eq(units.id, reflections.unitId))
    .leftJoin(courses, eq(courses.id, reflections.courseId))
    .leftJoin(lessons, eq(lessons.id, reflections.lessonId))
    .where(eq(reflections.id, id));
  return row ?? null;
}

type Row = NonNullable<Awaited<ReturnType<typeof loadRow>>>;

export type Access = { author: boolean; reviewer: boolean; view: boolean; edit: boolean; interact: boolean };

async function accessTo(viewer: Viewer, row: Row): Promise<Access> {
  const author = row.r.userId === viewer.id;
  const reviewer = !author && row.r.status !== "draft" && coversCode(viewer, row.unitCode, "organiser");
  let view = author || reviewer;
  if (!view && row.r.status === "approved") {
    if (row.r.featured && row.unitCode.startsWith(committeeCodeOf(viewer.unitCode))) view = true;
    else view = row.unitCode.startsWith(await branchCodeOf(viewer.unitCode));
  }
  return {
    author,
    reviewer,
    view,
    edit: author && (row.r.status === "draft" || row.r.status === "returned"),
    interact: view && row.r.status === "approved",
  };
}

/** The post with the viewer's access, or 404 when the viewer may not see it. */
export async function requireReflection(viewer: Viewer, id: number) {
  const row = await loadRow(id);
  if (!row) notFound();
  const access = await accessTo(viewer, row);
  if (!access.view) notFound();
  return { row, access };
}

export async function reflectionPage(viewer: Viewer, id: number) {
  const { row, access } = await requireReflection(viewer, id);
  const [likes, comments] = await Promise.all([
    db
      .select({ total: sql<number>`count(*)::int`, mine: sql<boolean>`coalesce(bool_or(${reflectionLikes.userId} = ${viewer.id}), false)` })
      .from(reflectionLikes)
      .where(eq(reflectionLikes.reflectionId, id)),
    access.interact || access.reviewer
      ? db
          .select({ id: reflectionComments.id, body: reflectionComments.body, createdAt: reflectionComments.createdAt, userId: reflectionComments.userId, name: users.name })
          .from(reflectionComments)
          .innerJoin(users, eq(users.id, reflectionComments.userId))
          .where(eq(reflectionComments.reflectionId, id))
          .orderBy(asc(reflectionComments.id))
          .limit(500)
      : Promise.resolve([]),
  ]);
  const canModerate = coversCode(viewer, row.unitCode, "organiser");
  return {
    reflection: summarise(row),
    body: row.r.body,
    reviewComment: access.author || access.reviewer ? row.r.reviewComment : null,
    access,
    likes: { total: Number(likes[0]?.total ?? 0), mine: Boolean(likes[0]?.mine) },
    comments: comments.map((c) => ({ ...c, createdAt: c.createdAt.toISOString(), canDelete: c.userId === viewer.id || canModerate })),
  };
}

function summarise(row: Row) {
  return {
    id: row.r.id,
    title: row.r.title,
    status: row.r.status,
    featured: row.r.featured,
    authorName: row.authorName,
    unitName: row.unitName,
    courseId: row.r.courseId,
    lessonId: row.r.lessonId,
    target: row.lessonTitle ? `${row.courseTitle ?? ""} · ${row.lessonTitle}` : (row.courseTitle ?? ""),
    submittedAt: row.r.submittedAt?.toISOString() ?? null,
    approvedAt: row.r.approvedAt?.toISOString() ?? null,
    updatedAt: row.r.updatedAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Lists.

const EXCERPT = 90;

function excerpt(body: string) {
  const text = markdownToText(body).replace(/\s+/g, " ").trim();
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
}

async function listWhere(where: SQL | undefined, order: SQL[], { limit, offset = 0 }: { limit: number; offset?: number }) {
  const rows = await db
    .select({
      id: reflections.id,
      title: reflections.title,
      body: reflections.body,
      status: reflections.status,
      featured: reflections.featured,
      similarity: reflections.similarity,
      submittedAt: reflections.submittedAt,
      approvedAt: reflections.approvedAt,
      updatedAt: reflections.updatedAt,
      authorName: users.name,
      unitName: units.name,
      likes: sql<number>`(select count(*)::int from ${reflectionLikes} l where l.reflection_id = ${reflections}.id)`,
      comments: sql<number>`(select count(*)::int from ${reflectionComments} c where c.reflection_id = ${reflections}.id)`,
    })
    .from(reflections)
    .innerJoin(users, eq(users.id, reflections.userId))
    .innerJoin(units, eq(units.id, reflections.unitId))
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .offset(offset);
  return rows.map(({ body, ...r }) => ({
    ...r,
    excerpt: excerpt(body),
    likes: Number(r.likes),
    comments: Number(r.comments),
    submittedAt: r.submittedAt?.toISOString() ?? null,
    approvedAt: r.approvedAt?.toISOString() ?? null,
    updatedAt: r.updatedAt.toISOString(),
  }));
}

export type ReflectionListItem = Awaited<ReturnType<typeof listWhere>>[number];

export function myReflections(viewer: Viewer) {
  return listWhere(eq(reflections.userId, viewer.id), [desc(reflections.updatedAt)], { limit: 100 });
}

export const FEED_PAGE_SIZE = 20;

/** Approved posts of the viewer's branch, newest first. */
export async function branchFeed(viewer: Viewer, page = 1) {
  const branch = await branchCodeOf(viewer.unitCode);
  return listWhere(and(eq(reflections.status, "approved"), sql`${units.code} like ${`${branch}%`}`), [desc(reflections.approvedAt), desc(reflections.id)], {
    limit: FEED_PAGE_SIZE + 1,
    offset: (page - 1) * FEED_PAGE_SIZE,
  });
}

/** Featured posts of the viewer's committee: for the front page ("党委精选心得"). */
export function featuredReflections(viewer: Pick<Viewer, "unitCode">, limit = 5) {
  return listWhere(
    and(eq(reflections.status, "approved"), eq(reflections.featured, true), sql`${units.code} like ${`${committeeCodeOf(viewer.unitCode)}%`}`),
    [desc(reflections.approvedAt), desc(reflections.id)],
    { limit },
  );
}

/** The organiser's queue: posts of their scope in one status, never their own. */
export function reviewQueue(viewer: Viewer, status: ReviewTab) {
  return listWhere(
    and(eq(reflections.status, status), inScope(units.code, viewer, "organiser"), ne(reflections.userId, viewer.id)),
    status === "submitted" ? [asc(reflections.submittedAt), asc(reflections.id)] : [desc(reflections.updatedAt)],
    { limit: 200 },
  );
}

// ---------------------------------------------------------------------------------------------
// Review.

async function requireReviewable(viewer: Viewer, id: number) {
  const row = await loadRow(id);
  if (!row || row.r.status === "draft" || !coversCode(viewer, row.unitCode, "organiser")) notFound();
  if (row.r.userId === viewer.id) forbidden();
  return row;
}

export async function reviewPage(viewer: Viewer, id: number) {
  const row = await requireReviewable(viewer, id);
  return { reflection: summarise(row), body: row.r.body, reviewComment: row.r.reviewComment, similarity: await similarityReport(viewer, row) };
}

export type ReviewAction = { kind: "approve" } | { kind: "return"; comment: string } | { kind: "feature"; featured: boolean };

/** Approves, returns or (un)features; throws ReflectionError("stale") when the status moved on. */
export async function reviewReflection(viewer: Viewer, id: number, action: ReviewAction, now = new Date()) {
  const row = await requireReviewable(viewer, id);
  return db.transaction(async (tx) => {
    if (action.kind === "approve") {
      const [done] = await tx
        .update(reflections)
        .set({ status: "approved", approvedAt: now, reviewedBy: viewer.id, updatedAt: now })
        .where(and(eq(reflections.id, id), eq(reflections.status, "submitted")))
        .returning({ id: reflections.id });
      if (!done) throw new ReflectionError("stale");
      return awardPoints({ userId: row.r.userId, ruleCode: "reflection_approved", sourceKey: `reflection:${id}`, at: now, tx });
    }
    if (action.kind === "return") {
      const [done] = await tx
        .update(reflections)
        .set({ status: "returned", reviewComment: action.comment, reviewedBy: viewer.id, updatedAt: now })
        .where(and(eq(reflections.id, id), eq(reflections.status, "submitted")))
        .returning({ id: reflections.id });
      if (!done) throw new ReflectionError("stale");
      return null;
    }
    const [done] = await tx
      .update(reflections)
      .set({ featured: action.featured, reviewedBy: viewer.id })
      .where(and(eq(reflections.id, id), eq(reflections.status, "approved")))
      .returning({ id: reflections.id });
    if (!done) throw new ReflectionError("stale");
    // Featuring again after taking it off earns nothing twice (same source key).
    return action.featured ? awardPoints({ userId: row.r.userId, ruleCode: "reflection_featured", sourceKey: `reflection:${id}`, at: now, tx }) : null;
  });
}

/** Below this the reviewer is told there is nothing notable to compare. */
export const SHOW_COMPARISON_FROM = 0.2;

export type SimilarityReport = {
  percent: number;
  flagged: boolean;
  kind: "none" | "post" | "lesson" | "hidden";
  title: string | null;
  name: string | null;
  mine: Segment[] | null;
  other: Segment[] | null;
};

async function similarityReport(viewer: Viewer, row: Row): Promise<SimilarityReport | null> {
  if (row.r.similarity === null) return null;
  const score = row.r.similarity;
  const base = { percent: Math.round(score * 100), flagged: score >= SIMILARITY_THRESHOLD, title: null, name: null, mine: null, other: null };
  const id = row.r.similarToId;
  if (id === null || score < SHOW_COMPARISON_FROM) return { ...base, kind: "none" };
  if (id < 0) {
    const [lesson] = await db.select({ title: lessons.title, contentPath: lessons.contentPath }).from(lessons).where(eq(lessons.id, -id));
    const text = lesson?.contentPath ? await readingText(lesson.contentPath) : null;
    if (!lesson || !text) return { ...base, kind: "none" };
    return {
      ...base,
      kind: "lesson",
      title: lesson.title,
      mine: highlight(row.r.body, fingerprint(text).shingles),
      other: highlight(text.trim(), fingerprint(row.r.body).shingles),
    };
  }
  const other = await loadRow(id);
  if (!other) return { ...base, kind: "none" };
  const mine = highlight(row.r.body, fingerprint(other.r.body).shingles);
  const visible =
    coversCode(viewer, other.unitCode, "organiser") ||
    (other.r.status === "approved" && other.r.featured && other.unitCode.startsWith(committeeCodeOf(row.unitCode)));
  if (!visible) return { ...base, kind: "hidden", mine };
  return { ...base, kind: "post", title: other.r.title, name: other.authorName, mine, other: highlight(other.r.body, fingerprint(row.r.body).shingles) };
}

// ---------------------------------------------------------------------------------------------
// Likes and comments.

export async function toggleLike(viewer: Viewer, id: number) {
  const { access } = await requireReflection(viewer, id);
  if (!access.interact) forbidden();
  const inserted = await db.insert(reflectionLikes).values({ reflectionId: id, userId: viewer.id }).onConflictDoNothing().returning();
  if (inserted.length === 0) await db.delete(reflectionLikes).where(and(eq(reflectionLikes.reflectionId, id), eq(reflectionLikes.userId, viewer.id)));
  return inserted.length > 0;
}

export async function addComment(viewer: Viewer, id: number, body: string) {
  const { access } = await requireReflection(viewer, id);
  if (!access.interact) forbidden();
  const [row] = await db.insert(reflectionComments).values({ reflectionId: id, userId: viewer.id, body }).returning();
  return row;
}

/** The comment's author or an organiser whose scope holds the post. */
export async function deleteComment(viewer: Viewer, reflectionId: number, commentId: number) {
  const { row } = await requireReflection(viewer, reflectionId);
  const [comment] = await db
    .select()
    .from(reflectionComments)
    .where(and(eq(reflectionComments.id, commentId), eq(reflectionComments.reflectionId, reflectionId)));
  if (!comment) notFound();
  if (comment.userId !== viewer.id && !coversCode(viewer, row.unitCode, "organiser")) forbidden();
  await db.delete(reflectionComments).where(eq(reflectionComments.id, commentId));
}
