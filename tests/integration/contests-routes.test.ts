// The contest pages as the browser reaches them: no answer key in what is sent before a question
// is answered, the answer endpoint's refusals, who may see and manage which contest, the live
// leaderboard across two app instances, and the results workbook.
import ExcelJS from "exceljs";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createContest, getContest } from "~/contests/contests.server";
import { createBoardHub } from "~/contests/live.server";
import type { Board } from "~/contests/scoring";
import { db, driver } from "~/db/client.server";
import { contestEntries, contests, users } from "~/db/schema";
import { makeMember } from "~/seed/factories.server";
import { createBus } from "~/realtime/bus.server";
import * as adminPage from "~/routes/admin.contests.$contestId";
import * as adminList from "~/routes/admin.contests._index";
import * as newPage from "~/routes/admin.contests.new";
import * as results from "~/routes/admin.contests.$contestId_.results[.xlsx]";
import * as answerRoute from "~/routes/contests.$contestId_.answer";
import * as livePage from "~/routes/contests.$contestId_.live";
import * as page from "~/routes/contests.$contestId";
import * as home from "~/routes/_index";
import { ageServed, contestForm, makeContestWorld, publishedContest, responseFor, SECRETS, viewerOf } from "../support/contests";
import { invoke, ORIGIN, sessionCookie } from "../support/routes";

let world: Awaited<ReturnType<typeof makeContestWorld>>;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  world = await makeContestWorld("路");
  cookies.organiser = await sessionCookie(world.organiser.id);
  cookies.otherOrganiser = await sessionCookie(world.otherOrganiser.id);
  cookies.outsider = await sessionCookie(world.outsider.id);
  for (const [i, m] of world.members.entries()) cookies[`m${i}`] = await sessionCookie(m.id);
});

async function post(contestId: number, cookie: string, body: unknown) {
  const request = new Request(`${ORIGIN}/contests/${contestId}/answer`, {
    method: "POST",
    headers: { origin: ORIGIN, host: "localhost:3000", cookie, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const res = (await answerRoute.action({ request, params: { contestId: String(contestId) }, context: {} })) as Response;
  return { status: res.status, body: await res.json() };
}

const openPage = (contestId: number, cookie: string) => invoke(page.loader, { path: `/contests/${contestId}`, cookie, params: { contestId: String(contestId) } });
const enter = (contestId: number, cookie: string) => invoke(page.action, { path: `/contests/${contestId}`, method: "POST", cookie, params: { contestId: String(contestId) }, form: {} });

function noSecrets(value: unknown) {
  const text = JSON.stringify(value);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/"answer"|"explanation"/);
}

describe("contest pages", () => {
  it("sends no answer key before a question is answered, and the explanations after", async () => {
    const contest = await publishedContest(world, { secondsPerQuestion: 30 });
    const cookie = cookies.m0;
    const intro = await openPage(contest.id, cookie);
    expect(intro.body).toMatchObject({ state: "intro" });
    expect((await enter(contest.id, cookie)).status).toBe(302);
    const total = 5;
    for (let i = 0; i < total; i++) {
      const shown = await openPage(contest.id, cookie);
      expect(shown.body).toMatchObject({ state: "question", question: { index: i } });
      noSecrets(shown.body);
      const answered = await post(contest.id, cookie, { intent: "answer", index: i, response: await responseFor(contest.id, world.members[0].id, i) });
      expect(answered.status).toBe(200);
      expect(answered.body.ok).toBe(true);
      noSecrets(answered.body.next);
    }
    const done = await openPage(contest.id, cookie);
    expect(done.body).toMatchObject({ state: "finished", result: { reveal: true, rank: 1 } });
    expect(JSON.stringify(done.body)).toMatch(/秘析/);
  });

  it("refuses entering twice, answering twice, ahead, late and malformed — with clear errors", async () => {
    const contest = await publishedContest(world, { secondsPerQuestion: 10 });
    const member = world.members[1];
    const cookie = cookies.m1;
    expect((await post(contest.id, cookie, { intent: "answer", index: 0, response: { value: true } })).body).toEqual({ ok: false, error: "notEntered" });
    await enter(contest.id, cookie);
    expect((await enter(contest.id, cookie)).status).toBe(302);
    expect(await db.select().from(contestEntries).where(and(eq(contestEntries.userId, member.id), eq(contestEntries.contestId, contest.id)))).toHaveLength(1);
    await openPage(contest.id, cookie);
    const first = await post(contest.id, cookie, { intent: "answer", index: 0, response: await responseFor(contest.id, member.id, 0) });
    expect(first.status).toBe(200);
    expect(await post(contest.id, cookie, { intent: "answer", index: 0, response: await responseFor(contest.id, member.id, 0) })).toEqual({ status: 409, body: { ok: false, error: "alreadyAnswered" } });
    expect(await post(contest.id, cookie, { intent: "answer", index: 3, response: await responseFor(contest.id, member.id, 3) })).toEqual({ status: 409, body: { ok: false, error: "notServed" } });
    expect((await post(contest.id, cookie, "{not json")).status).toBe(400);
    expect((await post(contest.id, cookie, { intent: "answer", index: 1, response: { choices: ["x"], extra: 1 } })).status).toBe(400);
    expect((await post(contest.id, cookie, { intent: "timeout", index: 1 })).body).toEqual({ ok: false, error: "early" });
    await ageServed(contest.id, member.id, 12_500);
    expect(await post(contest.id, cookie, { intent: "answer", index: 1, response: await responseFor(contest.id, member.id, 1) })).toEqual({ status: 409, body: { ok: false, error: "late" } });
    const skipped = await post(contest.id, cookie, { intent: "timeout", index: 1 });
    expect(skipped.body).toMatchObject({ ok: true, index: 1, next: { index: 2 } });
  });

  it("starts in one request: entered once, the first question served without its key, the clock running from then", async () => {
    const contest = await publishedContest(world, { secondsPerQuestion: 30 });
    const member = world.members[2];
    const cookie = cookies.m2;
    const started = await post(contest.id, cookie, { intent: "start" });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ ok: true, score: 0, question: { index: 0, total: 5, seconds: 30 } });
    expect(started.body.question.remainingMs).toBeGreaterThan(28_000);
    noSecrets(started.body);
    const [entry] = await db.select().from(contestEntries).where(and(eq(contestEntries.userId, member.id), eq(contestEntries.contestId, contest.id)));
    expect(entry.currentServedAt).not.toBeNull();

    // Pressed again (a second tab, a retry): the same question with the time that is left, still one entry.
    await ageServed(contest.id, member.id, 5_000);
    const again = await post(contest.id, cookie, { intent: "start" });
    expect(again.body).toMatchObject({ ok: true, question: { index: 0 } });
    expect(again.body.question.remainingMs).toBeLessThanOrEqual(25_000);
    expect(await db.select().from(contestEntries).where(and(eq(contestEntries.userId, member.id), eq(contestEntries.contestId, contest.id)))).toHaveLength(1);
    expect((await post(contest.id, cookie, { intent: "answer", index: 0, response: await responseFor(contest.id, member.id, 0) })).body).toMatchObject({ ok: true, next: { index: 1 } });
    // The page shows the same state.
    expect((await openPage(contest.id, cookie)).body).toMatchObject({ state: "question", question: { index: 1 } });
    // Once the contest has closed, pressing start again leads to the result, not a refusal.
    await db.update(contests).set({ closesAt: new Date(Date.now() - 1000) }).where(eq(contests.id, contest.id));
    expect(await post(contest.id, cookie, { intent: "start" })).toEqual({ status: 200, body: { ok: true, question: null, score: 0 } });
  });

  it("admits a crowd pressing start together: each entered once with their own first question, an outsider refused", async () => {
    const contest = await publishedContest(world, { secondsPerQuestion: 30 });
    const presses = ["m0", "m1", "m2", "m3", "m3", "outsider"].map((who) => post(contest.id, cookies[who], { intent: "start" }));
    const replies = await Promise.all(presses);
    for (const reply of replies.slice(0, 5)) expect(reply).toMatchObject({ status: 200, body: { ok: true, question: { index: 0, total: 5 } } });
    expect(replies[5]).toEqual({ status: 404, body: { ok: false, error: "notFound" } });
    const entries = await db.select().from(contestEntries).where(eq(contestEntries.contestId, contest.id));
    expect(entries.map((e) => e.userId).sort()).toEqual(world.members.map((m) => m.id).sort());
    expect(entries.every((e) => e.currentServedAt !== null)).toBe(true);
    // Each member's first question is their own (their order), and they can answer it.
    for (const [i, member] of world.members.entries()) {
      const answered = await post(contest.id, cookies[`m${i}`], { intent: "answer", index: 0, response: await responseFor(contest.id, member.id, 0) });
      expect(answered.body).toMatchObject({ ok: true, next: { index: 1 } });
    }
  });

  it("refuses a start from outside the subtree, before opening, for a missing contest, signed out or malformed", async () => {
    const contest = await publishedContest(world);
    expect(await post(contest.id, cookies.outsider, { intent: "start" })).toEqual({ status: 404, body: { ok: false, error: "notFound" } });
    expect(await db.select().from(contestEntries).where(and(eq(contestEntries.userId, world.outsider.id), eq(contestEntries.contestId, contest.id)))).toHaveLength(0);
    const upcoming = await publishedContest(world);
    await db.update(contests).set({ opensAt: new Date(Date.now() + 3600_000) }).where(eq(contests.id, upcoming.id));
    expect(await post(upcoming.id, cookies.m2, { intent: "start" })).toEqual({ status: 409, body: { ok: false, error: "notOpen" } });
    expect((await post(999_999, cookies.m2, { intent: "start" })).status).toBe(404);
    expect((await post(contest.id, "", { intent: "start" })).status).toBe(401);
    expect((await post(contest.id, "dx_session=forged", { intent: "start" })).status).toBe(401);
    expect((await post(contest.id, cookies.m2, { intent: "start", index: 3 })).status).toBe(400);
  });

  it("refuses answers without a valid session, from a disabled account, or from another origin", async () => {
    const contest = await publishedContest(world);
    const body = { intent: "answer", index: 0, response: { value: true } };
    const refused = async (cookie: string, origin = ORIGIN) => {
      const request = new Request(`${ORIGIN}/contests/${contest.id}/answer`, {
        method: "POST",
        headers: { origin, host: "localhost:3000", cookie, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const response = (await answerRoute.action({ request, params: { contestId: String(contest.id) }, context: {} })) as Response;
      return response.status;
    };
    expect(await refused("")).toBe(401);
    expect(await refused("dx_session=forged")).toBe(401);
    expect(await refused(cookies.m0, "https://evil.example")).toBe(403);
    const disabled = await makeMember({ unitId: world.id("一组") });
    const cookie = await sessionCookie(disabled.id);
    await db.update(users).set({ disabled: true }).where(eq(users.id, disabled.id));
    expect(await refused(cookie)).toBe(401);

    // A session this process has seen answer is re-checked by the answer statement itself.
    const member = await makeMember({ unitId: world.id("一组") });
    const memberCookie = await sessionCookie(member.id);
    await enter(contest.id, memberCookie);
    await openPage(contest.id, memberCookie);
    expect((await post(contest.id, memberCookie, { intent: "answer", index: 0, response: await responseFor(contest.id, member.id, 0) })).status).toBe(200);
    await db.update(users).set({ disabled: true }).where(eq(users.id, member.id));
    const before = await db.select().from(contestEntries).where(eq(contestEntries.userId, member.id));
    expect(await post(contest.id, memberCookie, { intent: "answer", index: 1, response: await responseFor(contest.id, member.id, 1) })).toEqual({ status: 401, body: { ok: false, error: "session" } });
    expect(await db.select().from(contestEntries).where(eq(contestEntries.userId, member.id))).toEqual(before);
    expect(await refused(memberCookie)).toBe(401);
  });

  it("keeps contests to their subtree: organisers of other units and outsiders get 404", async () => {
    const contest = await publishedContest(world);
    const params = { contestId: String(contest.id) };
    expect((await invoke(adminPage.loader, { path: `/admin/contests/${contest.id}`, cookie: cookies.organiser, params })).status).toBe(200);
    expect((await invoke(adminPage.loader, { path: `/admin/contests/${contest.id}`, cookie: cookies.otherOrganiser, params })).status).toBe(404);
    expect((await invoke(adminPage.action, { path: `/admin/contests/${contest.id}`, method: "POST", cookie: cookies.otherOrganiser, params, form: { intent: "close" } })).status).toBe(404);
    expect((await getContest(contest.id))!.status).toBe("published");
    expect((await invoke(results.loader, { path: `/admin/contests/${contest.id}/results.xlsx`, cookie: cookies.otherOrganiser, params })).status).toBe(404);
    const list = await invoke(adminList.loader, { path: "/admin/contests", cookie: cookies.otherOrganiser });
    expect((list.body as { contests: { id: number }[] }).contests.map((c) => c.id)).not.toContain(contest.id);

    expect((await openPage(contest.id, cookies.outsider)).status).toBe(404);
    expect((await enter(contest.id, cookies.outsider)).status).toBe(404);
    expect(await db.select().from(contestEntries).where(eq(contestEntries.userId, world.outsider.id))).toHaveLength(0);
    const homeData = (await invoke(home.loader, { path: "/", cookie: cookies.outsider })).body as { contests: { id: number }[] };
    expect(homeData.contests.map((c) => c.id)).not.toContain(contest.id);
    const memberHome = (await invoke(home.loader, { path: "/", cookie: cookies.m3 })).body as { contests: { id: number }[] };
    expect(memberHome.contests.map((c) => c.id)).toContain(contest.id);

    // Creating a contest for a unit outside the organiser's scope is refused.
    const form = contestForm(world.id("他支部"), world.bank.id);
    const fields = new FormData();
    for (const [k, v] of Object.entries(form)) if (v !== undefined) for (const x of Array.isArray(v) ? v : [v]) fields.append(k, String(x));
    expect((await invoke(newPage.action, { path: "/admin/contests/new", method: "POST", cookie: cookies.organiser, form: fields })).status).toBe(404);
  });

  it("lets the organiser create, publish, close and download the results", async () => {
    const fields = new FormData();
    const form = contestForm(world.id("本支部"), world.bank.id, { title: "表单竞赛" });
    for (const [k, v] of Object.entries(form)) if (v !== undefined) for (const x of Array.isArray(v) ? v : [v]) fields.append(k, String(x));
    const created = await invoke(newPage.action, { path: "/admin/contests/new", method: "POST", cookie: cookies.organiser, form: fields });
    expect(created.status).toBe(302);
    const id = created.location!.split("/").pop()!;
    const params = { contestId: id };
    const draft = await invoke(adminPage.loader, { path: `/admin/contests/${id}`, cookie: cookies.organiser, params });
    expect((draft.body as { preview: unknown[] }).preview).toHaveLength(5);
    expect((await invoke(adminPage.action, { path: `/admin/contests/${id}`, method: "POST", cookie: cookies.organiser, params, form: { intent: "publish" } })).status).toBe(302);

    // An invalid form: errors, nothing saved.
    const bad = new FormData();
    bad.set("title", "");
    const refused = await invoke(newPage.action, { path: "/admin/contests/new", method: "POST", cookie: cookies.organiser, form: bad });
    expect(refused.status).toBe(200);
    expect(JSON.stringify(refused.body)).toContain("contest.v.title");

    const contestId = Number(id);
    await enter(contestId, cookies.m2);
    await openPage(contestId, cookies.m2);
    await post(contestId, cookies.m2, { intent: "answer", index: 0, response: await responseFor(contestId, world.members[2].id, 0) });
    expect((await invoke(adminPage.action, { path: `/admin/contests/${id}`, method: "POST", cookie: cookies.organiser, params, form: { intent: "close" } })).status).toBe(302);
    expect((await getContest(contestId))!.status).toBe("closed");

    const request = new Request(`${ORIGIN}/admin/contests/${id}/results.xlsx`, { headers: { cookie: cookies.organiser, host: "localhost:3000" } });
    const res = (await results.loader({ request, params, context: {} })) as Response;
    expect(res.headers.get("content-type")).toContain("spreadsheetml");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const individuals = book.worksheets[0];
    expect(individuals.getRow(2).getCell(2).value).toBe(world.members[2].name);
    expect(String(individuals.getRow(2).getCell(4).value)).toBe("路党委 / 路本支部 / 路一组");
    const units = book.worksheets[1];
    const rows = Array.from({ length: units.rowCount - 1 }, (_, i) => units.getRow(i + 2).values as unknown[]);
    expect(rows.map((r) => r[2]).sort()).toEqual(["路一组", "路二组"]);
    const group1 = rows.find((r) => r[2] === "路一组")!;
    expect(group1.slice(3, 6)).toEqual([1, 3, 33.3]);
  });

  it("streams the board as server-sent events", async () => {
    const contest = await publishedContest(world);
    const controller = new AbortController();
    const request = new Request(`${ORIGIN}/contests/${contest.id}/live`, { headers: { cookie: cookies.m0, host: "localhost:3000" }, signal: controller.signal });
    const res = (await livePage.loader({ request, params: { contestId: String(contest.id) }, context: {} })) as Response;
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value);
    expect(text).toMatch(/^event: board\ndata: \{"contestId":\d+/);
    controller.abort();
    expect((await invoke(livePage.loader, { path: `/contests/${contest.id}/live`, cookie: cookies.outsider, params: { contestId: String(contest.id) } })).status).toBe(404);
  });

  it("updates the leaderboards of two app instances on one database within 2 s", async () => {
    const contest = await publishedContest(world);
    // Two instances: each its own bus (on PostgreSQL its own LISTEN connection) and its own hub.
    // On PGlite both share the one in-process database: the single-instance path.
    const buses = [createBus(db, driver), createBus(db, driver)];
    const hubs = buses.map((b) => createBoardHub(b));
    const seen: Board[][] = [[], []];
    const stops = await Promise.all(hubs.map((h, i) => h.watch(contest.id, (board) => seen[i].push(board))));
    expect(seen.map((s) => s[0].entrants)).toEqual([0, 0]);
    const started = Date.now();
    await enter(contest.id, cookies.m3);
    const deadline = started + 2_000;
    while (Date.now() < deadline && !seen.every((s) => s.some((b) => b.entrants === 1))) await new Promise((r) => setTimeout(r, 25));
    expect(seen.map((s) => s.at(-1)!.entrants)).toEqual([1, 1]);
    for (const stop of stops) stop();
    await Promise.all(buses.map((b) => b.close()));
  });

  it("creates drafts only from banks the organiser can see", async () => {
    const organiser = await viewerOf(world.organiser.id);
    const draft = await createContest(organiser, contestForm(world.id("本支部"), world.bank.id));
    expect(draft.status).toBe("draft");
    // A draft is not visible to members.
    expect((await openPage(draft.id, cookies.m0)).status).toBe(404);
  });
});
