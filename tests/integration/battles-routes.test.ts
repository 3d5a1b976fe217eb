// The battle pages through their loaders and actions with real sessions: asking for a match and
// being sent to the battle, answering, leaving, the live stream, and refusing outsiders.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { markPresent, timing } from "~/battles/battles.server";
import { db } from "~/db/client.server";
import { battlePlayers, battleQueue, battles, questionVersions } from "~/db/schema";
import { createBank, createQuestion } from "~/quiz/banks.server";
import * as lobby from "~/routes/battle._index";
import * as page from "~/routes/battle.$battleId";
import * as events from "~/routes/battle.$battleId_.events";
import { makeMember, makeUnitTree } from "~/seed/factories.server";
import { invoke, ORIGIN, sessionCookie } from "../support/routes";

const SECRET = "路由解析秘密";
const cookies: Record<"a" | "b" | "stranger", string> = { a: "", b: "", stranger: "" };
const ids = { a: 0, b: 0, stranger: 0 };

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "路由党委", kind: "committee", children: [{ name: "路由支部", kind: "branch" }] });
  const bank = await createBank({ unitId: tree.get("路由党委")!.id, name: "路由题库" });
  for (let i = 0; i < 6; i++) {
    await createQuestion(bank.id, {
      type: "single",
      stem: `路由单选${i}`,
      options: ["甲", "乙", "丙"],
      correct: [i % 3],
      explanation: `${SECRET}${i}`,
      difficulty: 3,
      tags: [],
      source: "",
    });
  }
  for (const who of ["a", "b", "stranger"] as const) {
    const m = await makeMember({ unitId: tree.get("路由支部")!.id });
    ids[who] = m.id;
    cookies[who] = await sessionCookie(m.id);
  }
});

const post = (handler: typeof lobby.action | typeof page.action, path: string, cookie: string, form: Record<string, string>, params = {}) =>
  invoke(handler, { path, method: "POST", cookie, form, params });

/** Opens the live stream and reads until a `state` event arrives; returns it and the abort switch. */
async function openStream(battleId: number, cookie: string) {
  const controller = new AbortController();
  const request = new Request(`${ORIGIN}/battle/${battleId}/events`, { headers: { cookie, host: "localhost:3000" }, signal: controller.signal });
  const response = (await events.loader({ request, params: { battleId: String(battleId) }, context: { clientIp: "127.0.0.1" } })) as Response;
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const nextState = async () => {
    for (;;) {
      const match = /event: state\ndata: (.*)\n\n/.exec(text);
      if (match) {
        text = text.slice(match.index + match[0].length);
        return JSON.parse(match[1]);
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      text += decoder.decode(value);
    }
  };
  return { nextState, abort: () => controller.abort() };
}

describe("battle pages", () => {
  let battleId = 0;

  it("refuses a bad request to the lobby and changes nothing", async () => {
    const out = await post(lobby.action, "/battle", cookies.a, { intent: "join", size: "3" });
    expect(out.status).toBe(400);
    expect(await db.select().from(battleQueue)).toEqual([]);
  });

  it("matches two members who ask, and sends both to the battle", async () => {
    const first = await post(lobby.action, "/battle", cookies.a, { intent: "join", size: "2" });
    expect(first.status).toBe(200);
    expect((first.body as { queue: { state: string } }).queue.state).toBe("waiting");
    const lobbyPage = await invoke(lobby.loader, { path: "/battle", cookie: cookies.a });
    expect((lobbyPage.body as { queue: { state: string } }).queue.state).toBe("waiting");
    const second = await post(lobby.action, "/battle", cookies.b, { intent: "join", size: "2" });
    expect(second.status).toBe(302);
    battleId = Number(second.location!.split("/").pop());
    expect(second.location).toBe(`/battle/${battleId}`);
    const polled = await post(lobby.action, "/battle", cookies.a, { intent: "poll" });
    expect(polled.location).toBe(`/battle/${battleId}`);
    // Their battle pages are open (the live stream marks them present; b's is not opened here).
    await markPresent(battleId, ids.a);
    await markPresent(battleId, ids.b);
    // Back at the lobby while the battle runs: sent to it.
    expect((await invoke(lobby.loader, { path: "/battle", cookie: cookies.b })).location).toBe(`/battle/${battleId}`);
  });

  it("lets only the players see the battle, without the answer key", async () => {
    const params = { battleId: String(battleId) };
    expect((await invoke(page.loader, { path: `/battle/${battleId}`, cookie: cookies.stranger, params })).status).toBe(404);
    expect((await invoke(events.loader, { path: `/battle/${battleId}/events`, cookie: cookies.stranger, params })).status).toBe(404);
    expect((await post(page.action, `/battle/${battleId}`, cookies.stranger, { intent: "answer", index: "0", choice: "a" }, params)).status).toBe(
      404,
    );
    expect((await post(page.action, `/battle/${battleId}`, cookies.stranger, { intent: "leave" }, params)).status).toBe(404);
    const seen = await invoke(page.loader, { path: `/battle/${battleId}`, cookie: cookies.a, params });
    expect(seen.status).toBe(200);
    expect((seen.body as { view: { phase: string } }).view.phase).toBe("starting");
    expect(JSON.stringify(seen.body)).not.toContain(SECRET);
    for (const bad of ["x", "0", "-3"])
      expect((await invoke(page.loader, { path: `/battle/${bad}`, cookie: cookies.a, params: { battleId: bad } })).status).toBe(404);
  });

  it("takes answers once, only for the question being shown", async () => {
    const params = { battleId: String(battleId) };
    const path = `/battle/${battleId}`;
    expect(await post(page.action, path, cookies.a, { intent: "answer", index: "0", choice: "a" }, params)).toMatchObject({
      status: 409,
      body: { error: "notServed" },
    });
    // The start countdown is over.
    await db
      .update(battles)
      .set({ currentServedAt: new Date(Date.now() - 1_000) })
      .where(eq(battles.id, battleId));
    const [b] = await db.select().from(battles).where(eq(battles.id, battleId));
    const [v] = await db.select().from(questionVersions).where(eq(questionVersions.id, b.versionIds[0]));
    const right = v.answer.choices![0];
    expect(await post(page.action, path, cookies.a, { intent: "answer", index: "0", choice: right, value: "true" }, params)).toMatchObject({
      status: 400,
    });
    expect(await post(page.action, path, cookies.a, { intent: "answer", index: "0", choice: "zz" }, params)).toMatchObject({
      status: 400,
      body: { error: "tampered" },
    });
    expect(await post(page.action, path, cookies.a, { intent: "answer", index: "0", choice: right }, params)).toMatchObject({
      status: 200,
      body: { ok: true },
    });
    expect(await post(page.action, path, cookies.a, { intent: "answer", index: "0", choice: right }, params)).toMatchObject({
      status: 409,
      body: { error: "already" },
    });
    expect(await post(page.action, path, cookies.a, { intent: "answer", index: "1", choice: right }, params)).toMatchObject({
      status: 409,
      body: { error: "notServed" },
    });
    const [me] = await db.select().from(battlePlayers).where(eq(battlePlayers.userId, ids.a));
    expect(me.score).toBe(3);
  });

  it("streams the battle live, and marks a player gone when the stream closes", async () => {
    const a = await openStream(battleId, cookies.a);
    const first = await a.nextState();
    expect(first).toMatchObject({ id: battleId, phase: "question", myAnswered: true });
    expect(JSON.stringify(first)).not.toContain(SECRET);
    // b answers: a hears of it and, both having answered, sees the reveal with the key.
    const [b] = await db.select().from(battles).where(eq(battles.id, battleId));
    const [v] = await db.select().from(questionVersions).where(eq(questionVersions.id, b.versionIds[0]));
    const wrong = v.options.find((o) => o.id !== v.answer.choices![0])!.id;
    await post(page.action, `/battle/${battleId}`, cookies.b, { intent: "answer", index: "0", choice: wrong }, { battleId: String(battleId) });
    let next = await a.nextState();
    while (next.phase !== "reveal") next = await a.nextState();
    expect(next.reveal.explanation).toContain(SECRET);
    expect(next.reveal.results).toContainEqual({ userId: ids.b, answered: true, correct: false, points: 0 });
    a.abort();
    await new Promise((r) => setTimeout(r, 200));
    const [row] = await db.select().from(battlePlayers).where(eq(battlePlayers.userId, ids.a));
    expect(row.leftAt).not.toBeNull();
    expect(row.forfeited).toBe(false);
    // Coming back within the grace clears it.
    const again = await openStream(battleId, cookies.a);
    await again.nextState();
    const [back] = await db.select().from(battlePlayers).where(eq(battlePlayers.userId, ids.a));
    expect(back.leftAt).toBeNull();
    again.abort();
    expect(timing.leaveGraceMs).toBeGreaterThan(0);
  });

  it("tells a waiting member after 30 s that no opponent was found", async () => {
    expect((await post(lobby.action, "/battle", cookies.stranger, { intent: "join", size: "4" })).body).toMatchObject({
      queue: { state: "waiting", size: 4 },
    });
    await db
      .update(battleQueue)
      .set({ enqueuedAt: new Date(Date.now() - 31_000) })
      .where(eq(battleQueue.userId, ids.stranger));
    expect((await post(lobby.action, "/battle", cookies.stranger, { intent: "poll" })).body).toEqual({ queue: { state: "noOpponent", size: 4 } });
    expect((await invoke(lobby.loader, { path: "/battle", cookie: cookies.stranger })).body).toMatchObject({ queue: { state: "idle" } });
  });

  it("lets a player leave: the battle ends and both are free again", async () => {
    const params = { battleId: String(battleId) };
    const out = await post(page.action, `/battle/${battleId}`, cookies.b, { intent: "leave" }, params);
    expect(out).toMatchObject({ status: 302, location: "/battle" });
    const [b] = await db.select().from(battles).where(eq(battles.id, battleId));
    expect(b.status).toBe("finished");
    const lobbyPage = await invoke(lobby.loader, { path: "/battle", cookie: cookies.b });
    expect(lobbyPage.status).toBe(200);
    expect((lobbyPage.body as { recent: { id: number; place: number }[] }).recent[0]).toMatchObject({ id: battleId, place: 2 });
    const finished = await invoke(page.loader, { path: `/battle/${battleId}`, cookie: cookies.a, params });
    expect((finished.body as { view: { phase: string; pointsEarned: number } }).view).toMatchObject({ phase: "finished", pointsEarned: 2 });
  });
});
