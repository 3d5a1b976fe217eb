import { expect, test } from "@playwright/test";
import { login, perProject } from "./helpers";

test("a member finds a course, reads a reading lesson to the end and it completes", async ({ page }, testInfo) => {
  const [employeeNo, name] = perProject(testInfo, { mobile: ["M0003", "陈刚"], desktop: ["M0004", "刘洋"] });
  await login(page, employeeNo, name);
  await page.getByRole("link", { name: "全部课程" }).click();
  await page.getByRole("searchbox", { name: "搜索课程名称" }).fill("如何使用");
  await page.getByRole("button", { name: "搜索" }).click();
  await page.getByRole("link", { name: "如何使用网上党校" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "如何使用网上党校" })).toBeVisible();

  const reading = page.getByRole("listitem").filter({ hasText: "阅读" }).first();
  await reading.getByRole("link").click();
  await expect(page.getByTestId("reading-end")).toBeAttached();
  await expect(page.getByTestId("lesson-done")).toHaveCount(0);
  // Read: scroll to the end and keep the page active until the minimum time has passed.
  await expect(async () => {
    await page.mouse.wheel(0, 4000);
    await page.keyboard.press("End");
    await expect(page.getByTestId("lesson-done")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000, intervals: [500] });

  // The completion was saved on the server: it is still there after a reload.
  await page.reload();
  await expect(page.getByTestId("lesson-done")).toBeVisible();
  await page.getByRole("link", { name: /← 如何使用网上党校/ }).click();
  await expect(page.getByText("✓ 已完成").first()).toBeVisible();
});

test("the study record shows the yearly requirement", async ({ page }, testInfo) => {
  const [employeeNo, name] = perProject(testInfo, { mobile: ["M0005", "杨帆"], desktop: ["M0012", "许晴"] });
  await login(page, employeeNo, name);
  await page.getByRole("link", { name: "我的学习档案" }).click();
  await expect(page.getByTestId("record-hours")).toHaveText(/要求 32 学时/);
  await expect(page.getByRole("progressbar")).toBeVisible();
});
