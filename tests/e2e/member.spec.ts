// A member's journey: login → home (Chinese, then English and back) → password change → logout →
// login with the new password. Each project uses its own demo member and restores the password.
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, fillLogin, login, logout, perProject } from "./helpers";

test("member logs in, switches language, changes password, logs out and back in", async ({ page }, testInfo) => {
  const member = perProject(testInfo, {
    mobile: { employeeNo: "M0002", name: "张丽" },
    desktop: { employeeNo: "M0006", name: "黄海" },
  });
  const newPassword = `E2e${testInfo.project.name}2026`;

  await test.step("a visitor is sent to the login page", async () => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login(\?|$)/);
  });

  await test.step("login shows the Chinese home page", async () => {
    await login(page, member.employeeNo, member.name);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByText("所在组织")).toBeVisible();
  });

  await test.step("switch to English and back", async () => {
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `Hello, ${member.name}` })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
    await page.getByRole("button", { name: "中文" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `${member.name}，你好` })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  });

  await test.step("a wrong current password is refused next to its field", async () => {
    await page.getByRole("link", { name: "修改密码" }).click();
    await expect(page).toHaveURL(/\/password$/);
    await page.getByLabel("当前密码", { exact: true }).fill("Wrong@0000");
    await page.getByLabel("新密码", { exact: true }).fill(newPassword);
    await page.getByLabel("再次输入新密码", { exact: true }).fill(newPassword);
    await page.getByRole("button", { name: "保存新密码" }).click();
    const current = page.getByLabel("当前密码", { exact: true });
    await expect(current).toHaveAttribute("aria-invalid", "true");
    // The error is the field's own description, not a message elsewhere on the page.
    const describedBy = (await current.getAttribute("aria-describedby")) ?? "";
    expect(describedBy).not.toBe("");
    const errorId = describedBy.split(/\s+/).find((id) => id.endsWith("-error")) ?? describedBy.split(/\s+/)[0];
    await expect(page.locator(`[id="${errorId}"]`)).toHaveText("当前密码不正确");
    await expect(page.getByText("密码已修改")).toHaveCount(0);
  });

  await test.step("the right current password changes it", async () => {
    await page.getByLabel("当前密码", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByLabel("新密码", { exact: true }).fill(newPassword);
    await page.getByLabel("再次输入新密码", { exact: true }).fill(newPassword);
    await page.getByRole("button", { name: "保存新密码" }).click();
    await expect(page.getByRole("status")).toContainText("密码已修改");
  });

  await test.step("logout ends the session", async () => {
    await logout(page);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login(\?|$)/);
  });

  await test.step("the old password no longer works, the new one does", async () => {
    await fillLogin(page, member.employeeNo, DEMO_PASSWORD);
    await expect(page.getByRole("alert")).toContainText("账号或密码不正确");
    await expect(page).toHaveURL(/\/login/);
    await login(page, member.employeeNo, member.name, newPassword);
  });

  await test.step("cleanup: restore the demo password", async () => {
    await page.goto("/password");
    await page.getByLabel("当前密码", { exact: true }).fill(newPassword);
    await page.getByLabel("新密码", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByLabel("再次输入新密码", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "保存新密码" }).click();
    await expect(page.getByRole("status")).toContainText("密码已修改");
    await logout(page);
    await login(page, member.employeeNo, member.name, DEMO_PASSWORD);
  });
});
