// Taking part in a contest: entering once, questions served one at a time, answers and timeouts.
//
// The server's clock decides. An entry row holds the question the member is on (current_index into
// their question order) and when it was served (current_served_at, the database's now()). An
// answer is one statement — one short transaction — that locks the entry row, checks that the
// answered question is the one served and that its time (plus ANSWER_GRACE_MS of network delay)
// is not up, advances to the next question (served at once) and inserts the answer row. A second
// answer to the same question, an answer to a question not yet served, or a late answer finds no
// row to update and changes nothing; the contest_answers primary key backs this up.
//
// Question versions are immutable once published, so each process caches a contest's questions
// (with their keys) in memory and grades without reading them again.
import { and, asc, eq, sql } from "drizzle-orm";
import pLimit from "p-limit";
import type { Viewer } from "~/auth/policy.server";
import { sessionMember, sessionStillValidSql } from "~/auth/remembered-sessions.server";
import { db, driver } from "~/db/client.server";
import { createBatcher } from "~/db/batcher.server";
import { hotQuery } from "~/db/hot-query.server";
import { contestAnswers, contestEntries, contests } from "~/db/schema";
import { awardContest } from "~/points/ledger.server";
import { rowsOf } from "~/quiz/banks.server";
import { grade, presentQuestion, responseProblem, type AnswerKey, type PresentedQuestion, type QuizResponse } from "~/quiz/grading";
import { unitById } from "~/org/unit-cache.server";
import { frozenQuestions, getContest, phaseOf, type ContestWithUnit, type Version } from "./contests.server";
import { contestChanged } from "./live.server";
import { ANSWER_GRACE_MS, optionOrder, questionOrder, type ScoringRule } from "./scoring";

// ---------------------------------------------------------------------------------------------
// The per-process cache of published contests' questions

type Content = { rule: ScoringRule; showResultsAtOnce: boolean; versions: Version[] };
const contents = new Map<number, Promise<Content | null>>();

/** A published or closed contest's scoring rule and questions (immutable), or null for a draft or none. */
export function contestContent(contestId: number): Promise<Content | null> {
  let found = contents.get(contestId);
  if (!found) {
    found = (async () => {
      const [c] = await db.select().from(contests).where(eq(contests.id, contestId));
      if (!c || c.status === "draft") return null;
      return {
        rule: { secondsPerQuestion: c.secondsPerQuestion, pointsPerCorrect: c.pointsPerCorrect, speedBonus: c.speedBonus },
        showResultsAtOnce: c.showResultsAtOnce,
        versions: await frozenQuestions(contestId),
      };
    })();
    contents.set(contestId, found);
    // A draft is not cached: it may be published a moment later.
    void found.then((c) => c ?? contents.delete(contestId), () => contents.delete(contestId));
    if (contents.size > 500) contents.delete(contents.keys().next().value!);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Open contests for the home page

/** Published contests open now for the member's unit, with whether they have taken part. */
export async function openContestsFor(viewer: Pick<Viewer, "id" | "unitCode">, now = new Date()) {
  return rowsOf<{ id: number; title: string; closes_at: Date | string; entered: boolean; finished: boolean }>(
    db.execute(sql`
      select c.id, c.title, c.closes_at,
        (e.id is not null) as entered, (e.finished_at is not null) as finished
      from contests c
      join units u on u.id = c.unit_id
      left join contest_entries e on e.contest_id = c.id and e.user_id = ${viewer.id}
      where c.status = 'published' and c.opens_at <= ${now.toISOString()}::timestamptz and c.closes_at > ${now.toISOString()}::timestamptz
        and ${viewer.unitCode} like u.code || '%'
      order by c.closes_at
      limit 10`),
  ).then((rows) => rows.map((r) => ({ id: r.id, title: r.title, closesAt: new Date(r.closes_at), entered: r.entered, finished: r.finished })));
}

// ---------------------------------------------------------------------------------------------
// Entering

export type EnterResult = { status: "entered" | "already" } | { status: "refused"; reason: "notOpen" | "notEligible" };

// The entries that reach the database together (group commit, as for answers: a crowd pressing
// start at once is a few statements), written only while the contest is published and open and
// for a member of its subtree — checked again here, on the database's clock, after the callers'
// checks that name the reason. `serve`: the first question is served (the member's clock starts)
// as they enter. A member already entered gets no row.
const ENTER_SQL = `
  with r as (
    select * from jsonb_to_recordset($1::jsonb) as t(contest_id int, user_id int, unit_id int, question_order int[], serve boolean)
  )
  insert into contest_entries (contest_id, user_id, unit_id, question_order, current_served_at)
  select r.contest_id, r.user_id, r.unit_id, r.question_order, case when r.serve then now() end
  from r
  join contests k on k.id = r.contest_id
  join units cu on cu.id = k.unit_id
  join units mu on mu.id = r.unit_id
  where k.status = 'published' and k.opens_at <= now() and now() < k.closes_at
    and starts_with(mu.code, cu.code)
  on conflict do nothing
  returning contest_id, user_id`;

type EntryItem = { contest_id: number; user_id: number; unit_id: number; question_order: number[]; serve: boolean };

const entryWrites = createBatcher(
  async (items: EntryItem[]) => {
    const rows = await hotQuery<{ contest_id: number; user_id: number }>("contest_enter", ENTER_SQL, [JSON.stringify(items)]);
    // Two presses of one member in a group: the insert skips the second row; only the first entered.
    const entered = new Set(rows.map((row) => `${row.contest_id}:${row.user_id}`));
    return items.map((item) => entered.delete(`${item.contest_id}:${item.user_id}`));
  },
  { concurrency: driver.kind === "pg" ? 3 : 1 },
);

/** Writes the member's entry (once); whether it was written now. */
async function writeEntry(member: { id: number; unitId: number }, contestId: number, content: Content, serve: boolean) {
  const question_order = questionOrder(contestId, member.id, content.versions.length);
  const entered = await entryWrites.write({ contest_id: contestId, user_id: member.id, unit_id: member.unitId, question_order, serve });
  if (entered) contestChanged(contestId);
  return entered;
}

/**
 * Enters the member once, by the page's form: a second press changes nothing. Their clock does not
 * start here but when their first question is served.
 */
export async function enterContest(viewer: Pick<Viewer, "id" | "unitId" | "unitCode">, contest: ContestWithUnit, now = new Date()): Promise<EnterResult> {
  if (!viewer.unitCode.startsWith(contest.unitCode)) return { status: "refused", reason: "notEligible" };
  if (phaseOf(contest, now) !== "open") return { status: "refused", reason: "notOpen" };
  const content = await contestContent(contest.id);
  if (!content) return { status: "refused", reason: "notOpen" };
  return { status: (await writeEntry(viewer, contest.id, content, false)) ? "entered" : "already" };
}

// ---------------------------------------------------------------------------------------------
// The question being played

/** A served question as the browser gets it: no answer key, no explanation. */
export type ServedQuestion = PresentedQuestion & { index: number; total: number; remainingMs: number; seconds: number };

type EntryState = {
  id: number;
  current_index: number;
  served: boolean;
  elapsed_ms: number | null;
  finished: boolean;
  score: number;
  total_ms: number;
  correct_count: number;
};

// Every contest page load reads the entry (and serves the first question): prepared statements.
const ENTRY_STATE_SQL = `
  select id, current_index, current_served_at is not null as served, finished_at is not null as finished,
    (extract(epoch from (now() - current_served_at)) * 1000)::float8 as elapsed_ms, score, total_ms, correct_count
  from contest_entries where contest_id = $1::int and user_id = $2::int`;

const SERVE_FIRST_SQL = `
  update contest_entries set current_served_at = now()
  where id = $1::int and current_served_at is null and finished_at is null`;

async function entryState(contestId: number, userId: number): Promise<EntryState | null> {
  const [row] = await hotQuery<EntryState>("contest_entry_state", ENTRY_STATE_SQL, [contestId, userId]);
  return row ? { ...row, score: Number(row.score), elapsed_ms: row.elapsed_ms === null ? null : Number(row.elapsed_ms) } : null;
}

function served(contestId: number, userId: number, content: Content, index: number, elapsedMs: number): ServedQuestion {
  const position = questionOrder(contestId, userId, content.versions.length)[index];
  const v = content.versions[position];
  const seconds = content.rule.secondsPerQuestion;
  return {
    ...presentQuestion(v, optionOrder(contestId, userId, position, v.options)),
    index,
    total: content.versions.length,
    seconds,
    remainingMs: Math.max(0, Math.round(seconds * 1000 - elapsedMs)),
  };
}

export type PlayState =
  | { state: "notEntered" }
  | { state: "question"; question: ServedQuestion; score: number }
  | { state: "finished" };

/**
 * Where the member stands: the question being played with the time left on the server's clock
 * (serving the first question on first sight, and moving past a question whose time ran out while
 * they were away), or finished.
 */
export async function playState(viewer: Pick<Viewer, "id">, contest: ContestWithUnit, now = new Date()): Promise<PlayState> {
  const content = await contestContent(contest.id);
  if (!content) return { state: "notEntered" };
  for (let attempt = 0; attempt < 3; attempt++) {
    const entry = await entryState(contest.id, viewer.id);
    if (!entry) return { state: "notEntered" };
    if (entry.finished || phaseOf(contest, now) === "closed") return { state: "finished" };
    if (!entry.served) {
      // The first question: the member's own clock starts now.
      await hotQuery("contest_serve_first", SERVE_FIRST_SQL, [entry.id]);
      continue;
    }
    const limit = content.rule.secondsPerQuestion * 1000 + ANSWER_GRACE_MS;
    if (entry.elapsed_ms! > limit) {
      await timeOut(viewer, contest.id, entry.current_index);
      continue;
    }
    return { state: "question", question: served(contest.id, viewer.id, content, entry.current_index, entry.elapsed_ms!), score: entry.score };
  }
  // Three changes in a row under our feet: let the page ask again.
  return { state: "finished" };
}

export type Started = { ok: true; question: ServedQuestion | null; score: number } | { ok: false; error: "notFound" | "notOpen" };

/**
 * Start pressed: enters the member (once) and serves their first question, starting their clock,
 * in one request (the direct answer endpoint's "start") and, for a new entrant, one grouped statement.
 * Pressed again, it gives back the question being played with the time that is left. `question`
 * null: the member has finished (or the page should look again). `member`: as their session was
 * looked up for this request. A contest outside the member's subtree is not found, as its page.
 */
export async function startPlaying(member: { id: number; unitId: number }, contestId: number, now = new Date()): Promise<Started> {
  const content = await contestContent(contestId);
  if (content && (await writeEntry(member, contestId, content, true))) return { ok: true, question: served(contestId, member.id, content, 0, 0), score: 0 };
  // Entered before (then the question being played, or the result), or refused: the page's own
  // path says which.
  const [contest, unit] = await Promise.all([getContest(contestId), unitById(member.unitId)]);
  if (!contest || contest.status === "draft" || !unit) return { ok: false, error: "notFound" };
  let state = await playState(member, contest, now);
  if (state.state === "notEntered") {
    const entered = await enterContest({ id: member.id, unitId: member.unitId, unitCode: unit.code }, contest, now);
    if (entered.status === "refused") return { ok: false, error: entered.reason === "notEligible" ? "notFound" : entered.reason };
    state = await playState(member, contest, now);
  }
  return state.state === "question" ? { ok: true, question: state.question, score: state.score } : { ok: true, question: null, score: 0 };
}

// ---------------------------------------------------------------------------------------------
// Answering

// Taking part earns points when a member finishes. The award (a transaction of several statements)
// is written after the last answer is acknowledged, one at a time and at most one per
// AWARD_SPACING_MS; while this process takes more than BUSY_ANSWERS_PER_S answers, awards wait
// (up to AWARD_MAX_WAIT_MS): they are background work, and the answers of those still playing
// come first. Closing the contest awards every entrant again (idempotently), so an award a crash
// lost is written then.
const awardsInOrder = pLimit(1);
const AWARD_SPACING_MS = 10;
const AWARD_MAX_WAIT_MS = 60_000;
const BUSY_ANSWERS_PER_S = 200;

// Answers this process took in this second and the one before.
const answerCounts = { second: 0, thisSecond: 0, lastSecond: 0 };
function answerCountsNow() {
  const second = Math.floor(Date.now() / 1000);
  if (second !== answerCounts.second) {
    answerCounts.lastSecond = second === answerCounts.second + 1 ? answerCounts.thisSecond : 0;
    answerCounts.thisSecond = 0;
    answerCounts.second = second;
  }
  return answerCounts;
}
const countAnswer = () => void (answerCountsNow().thisSecond += 1);
const busyAnswering = () => {
  const { thisSecond, lastSecond } = answerCountsNow();
  return Math.max(thisSecond, lastSecond) > BUSY_ANSWERS_PER_S;
};

function awardOnFinish(userId: number, contestId: number) {
  const at = new Date();
  void awardsInOrder(async () => {
    while (busyAnswering() && Date.now() - at.getTime() < AWARD_MAX_WAIT_MS) await new Promise((resolve) => setTimeout(resolve, 250));
    await awardContest({ userId, contestId, at });
    await new Promise((resolve) => setTimeout(resolve, AWARD_SPACING_MS));
  }).catch((error: unknown) =>
    console.error(`contests: points of user ${userId} for contest ${contestId} not written yet (closing writes them): ${String(error)}`),
  );
}

/** Resolves once the awards of the members who finished so far are written. */
export function finishAwardsWritten(): Promise<void> {
  return awardsInOrder(() => undefined);
}

export type AnswerError = "notEntered" | "closed" | "alreadyAnswered" | "notServed" | "late" | "tampered" | "finished";

export type Answered = {
  ok: true;
  index: number;
  /** Whether it was right and what it earned: only when the contest shows results at once. */
  correct: boolean | null;
  points: number | null;
  score: number | null;
  finished: boolean;
  next: ServedQuestion | null;
};

type Advanced = { id: number; current_index: number; score: number; total_ms: number; finished: boolean; elapsed: number; points: number };

/**
 * The answer statement, for all the answers that reach the database together (group commit,
 * app/db/batcher.server.ts): one round trip, one implicit transaction. Per answer (`k`): the
 * contest, member, index answered, question time (ms), that plus the grace, the grace, number of
 * questions, right?, points per right answer, speed bonus on?, contest position, response, and the
 * session the answer came with (null: the caller checked who answers). The points are
 * answerPoints() of scoring.ts, on the database's clock. Two copies of one answer in a group
 * advance the entry once: the other finds no row, like a second request would.
 */
const ANSWER_SQL = `
  with r as (
    select * from jsonb_to_recordset($1::jsonb) as t(
      k int, contest_id int, user_id int, idx int, limit_ms int, window_ms int, grace_ms int, total int,
      correct boolean, per_correct int, bonus boolean, position int, response jsonb, session text)
  ), old as (
    select r.k, ce.id, r.idx, r.total, r.correct, r.per_correct, r.bonus, r.limit_ms, r.position, r.response,
           least(r.limit_ms, greatest(0, round(extract(epoch from (now() - ce.current_served_at)) * 1000)))::int as elapsed
    from r
    -- Each answer's entry by its key (a lateral lookup: a join would scan all entries), locked.
    join lateral (
      select ce.id, ce.current_served_at from contest_entries ce
      where ce.contest_id = r.contest_id and ce.user_id = r.user_id and ce.current_index = r.idx
        and ce.finished_at is null and ce.current_served_at is not null
      limit 1
      for update
    ) ce on true
    where now() <= ce.current_served_at + r.window_ms * interval '1 millisecond'
      and coalesce((select true from contests c where c.id = r.contest_id and c.status = 'published'
                      and now() < c.closes_at + r.grace_ms * interval '1 millisecond' limit 1), false)
      and (r.session is null or ${sessionStillValidSql("r.session", "r.user_id")})
  ), upd as (
    update contest_entries ce set
      current_index = ce.current_index + 1,
      current_served_at = case when ce.current_index + 1 < old.total then now() end,
      finished_at = case when ce.current_index + 1 >= old.total then now() end,
      score = ce.score + p.points,
      total_ms = ce.total_ms + old.elapsed,
      correct_count = ce.correct_count + case when old.correct then 1 else 0 end
    from old cross join lateral (
      select case when old.correct
        then old.per_correct + case when old.bonus then round(1000.0 * (old.limit_ms - old.elapsed) / old.limit_ms)::int else 0 end
        else 0 end as points
    ) p
    -- = any(...) has the planner fetch the entries by key rather than scan them all.
    where ce.id = any (array(select id from old)) and ce.id = old.id and ce.current_index = old.idx
    returning old.k, ce.id, ce.current_index, ce.score, ce.total_ms, ce.finished_at is not null as finished, old.elapsed, p.points,
              old.position, old.response, old.correct
  ), ins as (
    insert into contest_answers (entry_id, position, response, correct, elapsed_ms, score)
    select id, position, response, correct, elapsed, points from upd
  )
  select k, id, current_index, score, total_ms, finished, elapsed, points from upd`;

type AnswerItem = {
  contest_id: number;
  user_id: number;
  idx: number;
  limit_ms: number;
  window_ms: number;
  grace_ms: number;
  total: number;
  correct: boolean;
  per_correct: number;
  bonus: boolean;
  position: number;
  response: QuizResponse;
  session: string | null;
};

const answerWrites = createBatcher(
  async (items: AnswerItem[]) => {
    const rows = await hotQuery<Advanced & { k: number }>("contest_answer", ANSWER_SQL, [JSON.stringify(items.map((item, k) => ({ ...item, k })))]);
    const byK = new Map(rows.map((row) => [Number(row.k), row]));
    return items.map((_, k) => byK.get(k));
  },
  // As for progress reports: a few groups at once on PostgreSQL, one on PGlite.
  { concurrency: driver.kind === "pg" ? 3 : 1 },
);

/**
 * Answers question `index` (of the member's order). With `session` (a session id), the statement
 * itself also checks that this session is still valid for this member (see answerer.server.ts).
 */
export async function answerQuestion(
  viewer: Pick<Viewer, "id">,
  contestId: number,
  index: number,
  response: QuizResponse,
  session: string | null = null,
): Promise<Answered | { ok: false; error: AnswerError | "session" }> {
  const content = await contestContent(contestId);
  if (!content) return { ok: false, error: "notEntered" };
  const total = content.versions.length;
  if (!Number.isInteger(index) || index < 0 || index >= total) return { ok: false, error: "notServed" };
  const position = questionOrder(contestId, viewer.id, total)[index];
  const version = content.versions[position];
  if (responseProblem(version, response)) return { ok: false, error: "tampered" };
  const { correct } = grade(version, response);
  const { secondsPerQuestion, pointsPerCorrect, speedBonus } = content.rule;
  const limitMs = secondsPerQuestion * 1000;
  const row = await answerWrites.write({
    contest_id: contestId,
    user_id: viewer.id,
    idx: index,
    limit_ms: limitMs,
    window_ms: limitMs + ANSWER_GRACE_MS,
    grace_ms: ANSWER_GRACE_MS,
    total,
    correct,
    per_correct: pointsPerCorrect,
    bonus: speedBonus,
    position,
    response,
    session,
  });
  if (!row) {
    if (session && (await sessionMember(session))?.id !== viewer.id) return { ok: false, error: "session" };
    return { ok: false, error: await whyRefused(viewer.id, contestId, index, limitMs) };
  }
  contestChanged(contestId);
  countAnswer();
  if (row.finished) awardOnFinish(viewer.id, contestId);
  return afterAdvance(viewer.id, contestId, content, row, correct);
}

async function whyRefused(userId: number, contestId: number, index: number, limitMs: number): Promise<AnswerError> {
  const [c] = await db.select({ status: contests.status, closesAt: contests.closesAt }).from(contests).where(eq(contests.id, contestId));
  const entry = await entryState(contestId, userId);
  if (!entry) return "notEntered";
  if (!c || c.status !== "published" || c.closesAt <= new Date()) return "closed";
  if (entry.finished) return "finished";
  if (index < entry.current_index) return "alreadyAnswered";
  if (index > entry.current_index || !entry.served) return "notServed";
  return entry.elapsed_ms !== null && entry.elapsed_ms > limitMs + ANSWER_GRACE_MS ? "late" : "notServed";
}

function afterAdvance(userId: number, contestId: number, content: Content, row: Advanced, correct: boolean): Answered {
  const showAtOnce = content.showResultsAtOnce;
  return {
    ok: true,
    index: row.current_index - 1,
    correct: showAtOnce ? correct : null,
    points: showAtOnce ? Number(row.points) : null,
    score: showAtOnce ? Number(row.score) : null,
    finished: row.finished,
    next: row.finished ? null : served(contestId, userId, content, row.current_index, 0),
  };
}

/**
 * Moves past question `index` when its time (and the grace) is up: it scores nothing and counts
 * its full time; the next question is served now. Refused (changes nothing) while time is left.
 */
export async function timeOut(viewer: Pick<Viewer, "id">, contestId: number, index: number): Promise<Answered | { ok: false; error: AnswerError | "early" }> {
  const content = await contestContent(contestId);
  if (!content) return { ok: false, error: "notEntered" };
  const total = content.versions.length;
  if (!Number.isInteger(index) || index < 0 || index >= total) return { ok: false, error: "notServed" };
  const position = questionOrder(contestId, viewer.id, total)[index];
  const limitMs = content.rule.secondsPerQuestion * 1000;
  const [row] = await rowsOf<Advanced>(
    db.execute(sql`
      with old as (
        select ce.id from contest_entries ce
        where ce.contest_id = ${contestId} and ce.user_id = ${viewer.id} and ce.current_index = ${index}
          and ce.finished_at is null and ce.current_served_at is not null
          and now() > ce.current_served_at + (${limitMs + ANSWER_GRACE_MS}::int * interval '1 millisecond')
        for update of ce
      ), upd as (
        update contest_entries ce set
          current_index = ce.current_index + 1,
          current_served_at = case when ce.current_index + 1 < ${total}::int then now() end,
          finished_at = case when ce.current_index + 1 >= ${total}::int then now() end,
          total_ms = ce.total_ms + ${limitMs}::int
        from old where ce.id = old.id
        returning ce.id, ce.current_index, ce.score, ce.total_ms, ce.finished_at is not null as finished, ${limitMs}::int as elapsed, 0 as points
      ), ins as (
        insert into contest_answers (entry_id, position, response, correct, elapsed_ms, score)
        select id, ${position}::int, null, false, elapsed, 0 from upd
      )
      select * from upd`),
  );
  if (!row) {
    const entry = await entryState(contestId, viewer.id);
    if (entry && entry.current_index === index && !entry.finished && entry.served) return { ok: false, error: "early" };
    return { ok: false, error: await whyRefused(viewer.id, contestId, index, limitMs) };
  }
  contestChanged(contestId);
  if (row.finished) awardOnFinish(viewer.id, contestId);
  return afterAdvance(viewer.id, contestId, content, row, false);
}

// ---------------------------------------------------------------------------------------------
// Results

export type ResultItem = PresentedQuestion & {
  index: number;
  response: QuizResponse | null;
  correct: boolean;
  points: number;
  elapsedMs: number;
  answer: AnswerKey;
  explanation: string;
};

/**
 * The member's result: score, rank among the entrants, and — when the contest shows results at
 * once, or once it is over — each question with the right answer and its explanation.
 */
export async function myResult(viewer: Pick<Viewer, "id">, contest: ContestWithUnit, now = new Date()) {
  const [entry] = await db
    .select()
    .from(contestEntries)
    .where(and(eq(contestEntries.contestId, contest.id), eq(contestEntries.userId, viewer.id)));
  if (!entry) return null;
  const [standing] = await rowsOf<{ rank: number; entrants: number }>(
    db.execute(sql`
      select
        (select count(*)::int + 1 from contest_entries o where o.contest_id = ${contest.id}
           and (o.score > ${entry.score} or (o.score = ${entry.score} and o.total_ms < ${entry.totalMs}))) as rank,
        (select count(*)::int from contest_entries o where o.contest_id = ${contest.id}) as entrants`),
  );
  const over = phaseOf(contest, now) === "closed";
  const reveal = contest.showResultsAtOnce || over;
  const content = await contestContent(contest.id);
  let items: ResultItem[] = [];
  if (reveal && content && entry.finishedAt) {
    const answers = await db.select().from(contestAnswers).where(eq(contestAnswers.entryId, entry.id)).orderBy(asc(contestAnswers.answeredAt));
    const byPosition = new Map(answers.map((a) => [a.position, a]));
    items = entry.questionOrder.map((position, index) => {
      const v = content.versions[position];
      const a = byPosition.get(position);
      return {
        ...presentQuestion(v, optionOrder(contest.id, viewer.id, position, v.options)),
        index,
        response: (a?.response as QuizResponse | null) ?? null,
        correct: a?.correct ?? false,
        points: a?.score ?? 0,
        elapsedMs: a?.elapsedMs ?? 0,
        answer: v.answer,
        explanation: v.explanation,
      };
    });
  }
  return {
    finished: entry.finishedAt !== null,
    reveal,
    score: reveal ? entry.score : null,
    correctCount: reveal ? entry.correctCount : null,
    totalMs: entry.totalMs,
    rank: reveal ? Number(standing.rank) : null,
    entrants: Number(standing.entrants),
    total: entry.questionOrder.length,
    items,
  };
}
