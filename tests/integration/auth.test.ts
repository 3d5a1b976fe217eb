import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { attemptLogin } from "~/auth/login.server";
import { getViewer, sessionRefreshCookie } from "~/auth/session.server";
import { LIMITS } from "~/auth/throttle.server";
import { moveUnit, renameUnit } from "~/org/units.server";
import { db } from "~/db/client.server";
import { loginThrottle, sessions, users } from "~/db/schema";
import { DEFAULT_TEST_PASSWORD, makeMember, makeUnitTree } from "~/seed/factories.server";
import * as loginRoute from "~/routes/login";
import * as homeRoute from "~/routes/_index";
import * as passwordRoute from "~/routes/password";
import * as logoutRoute from "~/routes/logout";
import { invoke, sessionCookie } from "../support/routes";

let unitId: number;

beforeAll(async () => {
  const tree = await makeUnitTree({ name: "测试党委", kind: "committee", children: [{ name: "一支部", kind: "branch" }] });
  unitId = tree.get("一支部")!.id;
});

describe("login", () => {
  it("accepts the employee number or the phone, and sets an HttpOnly SameSite=Lax session cookie", async () => {
    await makeMember({ unitId, employeeNo: "L100", phone: "13900000100" });
    for (const identifier of ["L100", "13900000100"]) {
      const out = await invoke(loginRoute.action, { path: "/login", method: "POST", form: { identifier, password: DEFAULT_TEST_PASSWORD } });
      expect(out.status).toBe(302);
      expect(out.location).toBe("/");
    }
    const response = await loginRoute.action({
      request: new Request("http://localhost:3000/login", {
        method: "POST",
        headers: { origin: "http://localhost:3000", host: "localhost:3000" },
        body: new URLSearchParams({ identifier: "L100", password: DEFAULT_TEST_PASSWORD }),
      }),
      params: {},
      context: { clientIp: "10.0.0.1" },
    });
    const cookie = (response as Response).headers.get("set-cookie")!;
    expect(cookie).toMatch(/^dx_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it("refuses a wrong password and a disabled account with the same message", async () => {
    const user = await makeMember({ unitId, employeeNo: "L101" });
    const wrong = await invoke(loginRoute.action, { path: "/login", method: "POST", form: { identifier: "L101", password: "nope-1234" } });
    expect(wrong.status).toBe(200);
    expect(JSON.stringify(wrong.body)).toContain("账号或密码不正确");
    await db.update(users).set({ disabled: true }).where(eq(users.id, user.id));
    const disabled = await invoke(loginRoute.action, { path: "/login", method: "POST", form: { identifier: "L101", password: DEFAULT_TEST_PASSWORD } });
    expect(JSON.stringify(disabled.body)).toContain("账号或密码不正确");
  });

  it("refuses a login POST from another origin", async () => {
    await makeMember({ unitId, employeeNo: "L102" });
    const out = await invoke(loginRoute.action, {
      path: "/login",
      method: "POST",
      form: { identifier: "L102", password: DEFAULT_TEST_PASSWORD },
      headers: { origin: "https://evil.example" },
    });
    expect(out.status).toBe(403);
  });

  it("sends a visitor without a session to the login page, keeping where they wanted to go", async () => {
    const out = await invoke(passwordRoute.loader, { path: "/password" });
    expect(out.status).toBe(302);
    expect(out.location).toBe("/login?redirectTo=%2Fpassword");
  });

  it("does not redirect to another site after login", async () => {
    await makeMember({ unitId, employeeNo: "L103" });
    const out = await invoke(loginRoute.action, {
      path: "/login",
      method: "POST",
      form: { identifier: "L103", password: DEFAULT_TEST_PASSWORD, redirectTo: "//evil.example/" },
    });
    expect(out.location).toBe("/");
  });
});

describe("login rate limiting", () => {
  it("locks an account after repeated failures, with the wait time, even for the right password", async () => {
    await makeMember({ unitId, employeeNo: "L200" });
    const limit = LIMITS.account.failures;
    for (let i = 0; i < limit - 1; i++) {
      const r = await attemptLogin("L200", "wrong-pass-1", `10.1.0.${i}`);
      expect(r).toEqual({ ok: false, reason: "invalid" });
    }
    const last = await attemptLogin("L200", "wrong-pass-1", "10.1.0.99");
    expect(last.ok).toBe(false);
    expect(last.ok === false && last.reason).toBe("locked");
    const right = await attemptLogin("L200", DEFAULT_TEST_PASSWORD, "10.1.0.100");
    expect(right.ok === false && right.reason === "locked" && right.waitSeconds).toBeGreaterThan(14 * 60);

    const page = await invoke(loginRoute.action, { path: "/login", method: "POST", form: { identifier: "L200", password: DEFAULT_TEST_PASSWORD } });
    expect(JSON.stringify(page.body)).toMatch(/请 1[45] 分钟后再试/);
  });

  it("locks an IP that tries many accounts", async () => {
    const ip = "10.2.0.1";
    for (let i = 0; i < LIMITS.ip.failures; i++) await attemptLogin(`nobody${i}`, "wrong-pass-1", ip);
    await makeMember({ unitId, employeeNo: "L201" });
    const blocked = await attemptLogin("L201", DEFAULT_TEST_PASSWORD, ip);
    expect(blocked.ok === false && blocked.reason).toBe("locked");
    const elsewhere = await attemptLogin("L201", DEFAULT_TEST_PASSWORD, "10.2.0.2");
    expect(elsewhere.ok).toBe(true);
  });

  it("lets the account in again once the lock has passed", async () => {
    await makeMember({ unitId, employeeNo: "L202" });
    for (let i = 0; i < LIMITS.account.failures; i++) await attemptLogin("L202", "wrong-pass-1", "10.3.0.1");
    expect((await attemptLogin("L202", DEFAULT_TEST_PASSWORD, "10.3.0.2")).ok).toBe(false);
    await db.update(loginThrottle).set({ lockedUntil: new Date(Date.now() - 1000) }).where(eq(loginThrottle.key, "account:l202"));
    expect((await attemptLogin("L202", DEFAULT_TEST_PASSWORD, "10.3.0.2")).ok).toBe(true);
  });
});

describe("forced password change", () => {
  it("sends an imported member to /password until they set a new one", async () => {
    const user = await makeMember({ unitId, employeeNo: "L300", mustChangePassword: true });
    const login = await invoke(loginRoute.action, { path: "/login", method: "POST", form: { identifier: "L300", password: DEFAULT_TEST_PASSWORD } });
    expect(login.location).toBe("/password");
    const cookie = await sessionCookie(user.id);
    const home = await invoke(homeRoute.loader, { path: "/", cookie });
    expect(home.status).toBe(302);
    expect(home.location).toBe("/password");

    const weak = await invoke(passwordRoute.action, {
      path: "/password",
      method: "POST",
      cookie,
      form: { currentPassword: DEFAULT_TEST_PASSWORD, newPassword: "short", confirmPassword: "short" },
    });
    expect(JSON.stringify(weak.body)).toContain("v.password");

    const wrongCurrent = await invoke(passwordRoute.action, {
      path: "/password",
      method: "POST",
      cookie,
      form: { currentPassword: "not-it-123", newPassword: "NewPass123", confirmPassword: "NewPass123" },
    });
    expect(JSON.stringify(wrongCurrent.body)).toContain("password.wrongCurrent");

    const ok = await invoke(passwordRoute.action, {
      path: "/password",
      method: "POST",
      cookie,
      form: { currentPassword: DEFAULT_TEST_PASSWORD, newPassword: "NewPass123", confirmPassword: "NewPass123" },
    });
    expect((ok.body as { saved: boolean }).saved).toBe(true);
    const after = await invoke(homeRoute.loader, { path: "/", cookie });
    expect(after.status).toBe(200);
    expect(await attemptLogin("L300", "NewPass123", "10.4.0.1")).toMatchObject({ ok: true, mustChangePassword: false });
  });

  it("signs out the member's other sessions when the password changes", async () => {
    const user = await makeMember({ unitId, employeeNo: "L301" });
    const here = await sessionCookie(user.id);
    const elsewhere = await sessionCookie(user.id);
    await invoke(passwordRoute.action, {
      path: "/password",
      method: "POST",
      cookie: here,
      form: { currentPassword: DEFAULT_TEST_PASSWORD, newPassword: "Another123", confirmPassword: "Another123" },
    });
    expect((await invoke(homeRoute.loader, { path: "/", cookie: here })).status).toBe(200);
    expect((await invoke(homeRoute.loader, { path: "/", cookie: elsewhere })).location).toBe("/login");
  });
});

describe("logout", () => {
  it("ends the session in the database", async () => {
    const user = await makeMember({ unitId, employeeNo: "L400" });
    const cookie = await sessionCookie(user.id);
    const out = await invoke(logoutRoute.action, { path: "/logout", method: "POST", cookie });
    expect(out.location).toBe("/login");
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect((await invoke(homeRoute.loader, { path: "/", cookie })).location).toBe("/login");
  });
});

describe("session", () => {
  const requestWith = (cookie: string) => new Request("http://localhost:3000/", { headers: { cookie } });

  it("resolves the member with home unit and grants in one lookup", async () => {
    const tree = await makeUnitTree({ name: "会话党委", kind: "committee", children: [{ name: "会话支部", kind: "branch" }] });
    const branch = tree.get("会话支部")!;
    const user = await makeMember({ unitId: branch.id, grants: [{ unitId: branch.id, role: "organiser" }] });
    const viewer = await getViewer(requestWith(await sessionCookie(user.id)));
    expect(viewer).toMatchObject({ id: user.id, unitId: branch.id, unitCode: branch.code, unitName: "会话支部" });
    expect(viewer?.grants).toEqual([{ unitId: branch.id, role: "organiser", unitCode: branch.code, unitName: "会话支部" }]);
    const plain = await makeMember({ unitId });
    expect((await getViewer(requestWith(await sessionCookie(plain.id))))?.grants).toEqual([]);
  });

  it("follows a renamed or moved unit (unit codes are kept per process)", async () => {
    const tree = await makeUnitTree({
      name: "改名党委",
      kind: "committee",
      children: [{ name: "甲总支", kind: "general_branch", children: [{ name: "甲支部", kind: "branch" }] }, { name: "乙总支", kind: "general_branch" }],
    });
    const branch = tree.get("甲支部")!;
    const user = await makeMember({ unitId: branch.id, grants: [{ unitId: branch.id, role: "organiser" }] });
    const cookie = await sessionCookie(user.id);
    expect((await getViewer(requestWith(cookie)))?.unitName).toBe("甲支部");
    await renameUnit(branch.id, "丙支部");
    const moved = await moveUnit(branch.id, tree.get("乙总支")!.id);
    const viewer = await getViewer(requestWith(cookie));
    expect(viewer).toMatchObject({ unitName: "丙支部", unitCode: moved.code });
    expect(viewer?.grants).toEqual([{ unitId: branch.id, role: "organiser", unitCode: moved.code, unitName: "丙支部" }]);
  });

  it("deletes an expired session, and extends one past half its life with a new cookie", async () => {
    const user = await makeMember({ unitId });
    const expired = await sessionCookie(user.id);
    const expiredId = expired.split("=")[1];
    await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, expiredId));
    expect(await getViewer(requestWith(expired))).toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.id, expiredId))).toHaveLength(0);

    const old = await sessionCookie(user.id);
    const oldId = old.split("=")[1];
    await db.update(sessions).set({ expiresAt: new Date(Date.now() + 5 * 24 * 3600_000) }).where(eq(sessions.id, oldId));
    const request = requestWith(old);
    expect((await getViewer(request))?.id).toBe(user.id);
    expect(await sessionRefreshCookie(request)).toMatch(new RegExp(`^dx_session=${oldId};`));
    const [row] = await db.select().from(sessions).where(eq(sessions.id, oldId));
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600_000);

    // A fresh session is left alone.
    const fresh = requestWith(await sessionCookie(user.id));
    expect((await getViewer(fresh))?.id).toBe(user.id);
    expect(await sessionRefreshCookie(fresh)).toBeNull();
  });

  it("refuses a disabled member's session and an unknown cookie", async () => {
    const user = await makeMember({ unitId });
    const cookie = await sessionCookie(user.id);
    await db.update(users).set({ disabled: true }).where(eq(users.id, user.id));
    expect(await getViewer(requestWith(cookie))).toBeNull();
    expect(await getViewer(requestWith("dx_session=nosuchsession"))).toBeNull();
  });
});
