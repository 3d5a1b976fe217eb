// Login rate limiting: after repeated wrong passwords the account is locked with a wait message,
// and even the right password is refused while it lasts. Each project locks its own demo member,
// one that no other test uses.
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, fillLogin, perProject } from "./helpers";

const ACCOUNT_FAILURES_ALLOWED = 5;

test("repeated failed logins lock the account and say how long to wait", async ({ page }, testInfo) => {
  const employeeNo = perProject(testInfo, { mobile: "M0010", desktop: "M0011" });
  for (let attempt = 1; attempt < ACCOUNT_FAILURES_ALLOWED; attempt++) {
    await fillLogin(page, employeeNo, `Wrong@${attempt}000`);
    await expect(page.getByRole("alert")).toHaveText("账号或密码不正确");
  }
  await fillLogin(page, employeeNo, "Wrong@9999");
  await expect(page.getByRole("alert")).toHaveText(/^尝试次数过多，请 \d+ 分钟后再试$/);
  const message = (await page.getByRole("alert").textContent()) ?? "";
  const minutes = Number(/(\d+) 分钟/.exec(message)?.[1]);
  expect(minutes).toBeGreaterThan(0);
  expect(minutes).toBeLessThanOrEqual(15);

  // Locked: the right password does not get in either.
  await fillLogin(page, employeeNo, DEMO_PASSWORD);
  await expect(page.getByRole("alert")).toHaveText(/^尝试次数过多/);
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});
