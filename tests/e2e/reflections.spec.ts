// Reflections in Chromium (both projects; at 360 px in "mobile"): a member writes a reflection
// with a live preview (an XSS payload in it stays inert) and submits it; the branch organiser
// returns it with a comment; the member edits and resubmits; the organiser approves it; the
// points for the approval appear on the member's points page.
// Writer: 李明 (M0001, 运行一党支部 / 甲班党小组); reviewer: 王建国 (B1001, that branch's organiser).
// Each project writes its own post (a unique title), so the two runs do not meet.
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { login, logout } from "./helpers";

const BODY = fs.readFileSync(path.resolve("tests/fixtures/reflections/honest-a.md"), "utf8");
const XSS = [
  "<script>window.__xss = 1</script>",
  "<img src=x onerror=\"window.__xss = 1\">",
  "<svg onload=\"window.__xss = 1\">",
  "[点我](javascript:window.__xss=1)",
  "[点我](jav&#x09;ascript:window.__xss=1)",
  "<iframe src=\"javascript:window.__xss=1\"></iframe>",
  "![x](javascript:window.__xss=1)",
  "<a href=\"javascript:window.__xss=1\">x</a>",
].join("\n\n");

async function openOwnPost(page: Page, title: string) {
  await page.goto("/reflections");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
}

async function openReview(page: Page, title: string) {
  await page.goto("/admin/reflections");
  await page.getByRole("link", { name: title, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
}

test("a member writes and submits a reflection; it is returned, resubmitted and approved; points follow", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const title = `危险源辨识学习体会（${testInfo.project.name}-${Date.now().toString(36)}）`;
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });

  await test.step("the member writes with a live preview and submits", async () => {
    await login(page, "M0001", "李明");
    await page.goto("/reflections");
    await page.getByRole("link", { name: "写心得" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "写心得" })).toBeVisible();
    await page.getByLabel("标题").fill(title);
    await page.getByLabel("关联的课程或课时").selectOption({ label: "危险源辨识：先看见，才能防得住" });
    const body = page.getByLabel("正文（支持 Markdown）");
    const preview = page.locator("section[aria-labelledby=preview-heading]");

    // The preview renders Markdown with the server's renderer; HTML in it stays text.
    await body.fill(`# 我的体会\n\n**重点**\n\n${XSS}`);
    await expect(preview.getByRole("heading", { name: "我的体会" })).toBeVisible();
    await expect(preview.locator("strong")).toHaveText("重点");
    await expect(preview).toContainText("<script>window.__xss = 1</script>");
    await expect(preview.locator("script, img, svg, iframe, [onerror], [onload]")).toHaveCount(0);
    await expect(preview.locator('a[href^="javascript"], a[href*="script:"]')).toHaveCount(0);

    // Under the minimum: the count says how far to go and submitting is refused.
    await body.fill("只写了一句话。");
    await expect(page.getByTestId("reflection-count")).toContainText("还差");
    await page.getByRole("button", { name: "提交审核" }).click();
    await expect(page.getByText(/提交审核至少需要 200 字/)).toBeVisible();

    await body.fill(BODY);
    await expect(page.getByTestId("reflection-count")).not.toContainText("还差");
    await expect(preview.locator("strong")).toHaveText("作业前停一停");
    await page.getByRole("button", { name: "提交审核" }).click();
    await expect(page.getByRole("status")).toHaveText("已提交，等待组织审核");
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(page.getByTestId("reflection-status")).toHaveText("待审核");
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await logout(page);
  });

  await test.step("the organiser returns it with a comment", async () => {
    await login(page, "B1001", "王建国");
    await openReview(page, title);
    await expect(page.getByTestId("similarity")).toBeVisible();
    await page.getByLabel("退回意见").fill("请结合本班组的实际，再谈谈下一步的具体做法。");
    await page.getByRole("button", { name: "退回修改" }).click();
    await expect(page.getByRole("status")).toHaveText("已退回，作者修改后可重新提交");
    await logout(page);
  });

  await test.step("the member sees the comment, edits and resubmits", async () => {
    await login(page, "M0001", "李明");
    await openOwnPost(page, title);
    await expect(page.getByTestId("reflection-status")).toHaveText("已退回");
    await expect(page.getByTestId("review-comment")).toContainText("请结合本班组的实际");
    await page.getByRole("link", { name: "修改", exact: true }).click();
    await expect(page.getByTestId("returned-comment")).toContainText("请结合本班组的实际");
    await page.getByLabel("正文（支持 Markdown）").fill(`${BODY}\n\n## 下一步\n\n- 班前会上用小白板过一遍四个问题\n- 每月带两名年轻党员做一次危害分析`);
    await page.getByRole("button", { name: "提交审核" }).click();
    await expect(page.getByRole("status")).toHaveText("已提交，等待组织审核");
    await expect(page.getByTestId("reflection-status")).toHaveText("待审核");
    await logout(page);
  });

  await test.step("the organiser approves it", async () => {
    await login(page, "B1001", "王建国");
    await openReview(page, title);
    await expect(page.getByText("上次退回意见：请结合本班组的实际")).toBeVisible();
    await page.getByRole("button", { name: "通过", exact: true }).click();
    await expect(page.getByRole("status")).toHaveText("已通过审核");
    await logout(page);
  });

  await test.step("the points appear on the member's points page", async () => {
    await login(page, "M0001", "李明");
    await page.goto("/me/points");
    await expect(page.getByRole("heading", { level: 1, name: "我的学习积分" })).toBeVisible();
    const progress = page.getByTestId("progress-reflection");
    await expect(progress).toContainText(/心得体会 [2-5]\/5/);
    const entry = page.getByTestId("points-history").locator("li").filter({ hasText: `心得：${title}` });
    await expect(entry).toContainText("心得体会通过审核");
    await expect(entry).toContainText("+2");
    expect(Number(await page.getByTestId("total-today").innerText())).toBeGreaterThanOrEqual(2);
    // The approved post is in the member's list with its status.
    await openOwnPost(page, title);
    await expect(page.getByTestId("reflection-status")).toHaveText("已通过");
  });

  expect(dialogs).toEqual([]);
});
