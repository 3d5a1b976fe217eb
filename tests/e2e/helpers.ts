// Shared steps for the end-to-end tests. The server is seeded with the demo organisation.
import { expect, type Page, type TestInfo } from "@playwright/test";

export const DEMO_PASSWORD = "Demo@2026";

/**
 * Both projects (mobile, desktop) run every test against the same server and database, so a test
 * that changes a member's state takes a different demo member in each project.
 */
export function perProject<T>(testInfo: TestInfo, choices: { mobile: T; desktop: T }): T {
  const name = testInfo.project.name as keyof typeof choices;
  if (!(name in choices)) throw new Error(`No choice for project ${testInfo.project.name}`);
  return choices[name];
}

export async function fillLogin(page: Page, identifier: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("工号或手机号").fill(identifier);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
}

/** Logs in and waits for the home page greeting. */
export async function login(page: Page, identifier: string, name: string, password = DEMO_PASSWORD) {
  await fillLogin(page, identifier, password);
  await expect(page.getByRole("heading", { level: 1, name: `${name}，你好` })).toBeVisible();
}

export async function logout(page: Page) {
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/login$/);
}
