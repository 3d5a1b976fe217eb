// Scoping: a member gets 403 on the admin pages; the organiser of 运行一党支部 sees only that
// branch's subtree and gets 404 for another branch's unit typed by URL.
import { expect, test } from "@playwright/test";
import { login } from "./helpers";

test("a member cannot open the admin pages", async ({ page }) => {
  await login(page, "M0001", "李明");
  // A member has no admin link in the header.
  await expect(page.getByRole("link", { name: "管理", exact: true })).toHaveCount(0);
  const response = await page.goto("/admin/units");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("403");
  await expect(page.getByText("你没有权限访问此页面")).toBeVisible();
  await expect(page.getByText("示范集团党委")).toHaveCount(0);
  await expect(page.getByText("运行一党支部")).toHaveCount(0);
});

test("a branch organiser sees only their subtree and gets 404 for another branch", async ({ page, browser }) => {
  // The admin looks up the id of 检修党支部 (another branch) in the full tree.
  const adminContext = await browser.newContext();
  let otherBranchHref: string;
  try {
    const admin = await adminContext.newPage();
    await login(admin, "A0001", "赵组织");
    await admin.goto("/admin/units");
    const link = admin.getByRole("link", { name: "检修党支部", exact: true });
    await expect(link).toBeVisible();
    otherBranchHref = (await link.getAttribute("href")) ?? "";
    expect(otherBranchHref).toMatch(/^\/admin\/units\/\d+$/);
  } finally {
    await adminContext.close();
  }

  await login(page, "B1001", "王建国");
  await page.getByRole("link", { name: "管理", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/units$/);
  await expect(page.getByRole("heading", { level: 1, name: "组织架构" })).toBeVisible();
  const tree = page.locator("main section ul").first();
  const names = (await tree.getByRole("link").allTextContents()).map((n) => n.trim());
  expect(names).toEqual(["运行一党支部", "甲班党小组", "乙班党小组"]);
  await expect(page.getByText("检修党支部")).toHaveCount(0);
  await expect(page.getByText("示范集团党委")).toHaveCount(0);

  // Their own branch opens; the other branch's page, typed by URL, is not found.
  await page.getByRole("link", { name: "运行一党支部", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "运行一党支部" })).toBeVisible();
  const response = await page.goto(otherBranchHref);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("404");
  await expect(page.getByText("页面不存在")).toBeVisible();
  await expect(page.getByText("检修党支部")).toHaveCount(0);
  await expect(page.getByText("电气党小组")).toHaveCount(0);
});
