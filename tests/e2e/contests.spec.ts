// A knowledge contest end to end: the organiser of 检修党支部 creates and publishes a contest; two
// members of 电气党小组 take it in their own browsers; a leaderboard open in a third browser
// updates live; the organiser downloads the results and the workbook opens with both members.
import fs from "node:fs/promises";
import ExcelJS from "exceljs";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { login } from "./helpers";

/** China time for a datetime-local field. */
function chinaLocal(ms: number) {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
}

async function memberPage(browser: Browser, employeeNo: string, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, employeeNo, name);
  return page;
}

/** Answers whatever question is shown (first option, 正确, or some text) and waits for the next step. */
async function answerAll(page: Page, total: number) {
  for (let n = 1; n <= total; n++) {
    const form = page.locator("form").filter({ has: page.getByRole("button", { name: "提交答案" }) });
    await expect(form.getByText(`第 ${n} / ${total} 题`).first()).toBeVisible();
    await expect(page.getByTestId("countdown")).toContainText(/剩余 \d+ 秒/);
    const choice = form.locator("input[type=radio], input[type=checkbox]").first();
    if (await choice.count()) await choice.check();
    else await form.locator("input[type=text], input:not([type])").first().fill("答案");
    await form.getByRole("button", { name: "提交答案" }).click();
    if (n < total) await expect(page.getByTestId("feedback")).toBeVisible();
  }
  await expect(page.getByTestId("contest-result")).toContainText("我的成绩");
}

test("an organiser runs a contest, two members take it, the leaderboard follows live, the results download", async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  const title = `E2E知识竞赛-${testInfo.project.name}-${Date.now()}`;

  const contestId = await test.step("the organiser creates and publishes the contest", async () => {
    await login(page, "B2001", "孙为民");
    await page.goto("/admin/contests");
    await page.getByRole("link", { name: "新建竞赛" }).click();
    await page.getByLabel("竞赛名称").fill(title);
    await page.getByLabel("开始时间（北京时间）").fill(chinaLocal(Date.now() - 120_000));
    await page.getByLabel("结束时间（北京时间）").fill(chinaLocal(Date.now() + 3_600_000));
    await page.getByLabel("每题限时（秒）").fill("15");
    await page.getByRole("checkbox", { name: /示范题库/ }).check();
    await page.getByLabel("单选题").fill("2");
    await page.getByLabel("判断题").fill("1");
    await page.getByLabel("多选题").fill("0");
    await page.getByLabel("填空题").fill("0");
    await page.getByRole("button", { name: "保存草稿" }).click();
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(page.getByRole("heading", { name: /题目预览/ })).toBeVisible();
    await page.getByRole("button", { name: "发布竞赛" }).click();
    await expect(page.getByText(/进行中/).first()).toBeVisible();
    return Number(page.url().match(/\/admin\/contests\/(\d+)/)![1]);
  });

  const board = await memberPage(browser, "M0008", "吴强");
  await test.step("a leaderboard opens in a third browser", async () => {
    await board.goto(`/contests/${contestId}/leaderboard`);
    await expect(board.getByTestId("stat-entrants")).toHaveText("0");
    await expect(board.getByText("● 实时更新中")).toBeVisible();
  });

  await test.step("周静 takes the contest from the home page; the leaderboard updates without a reload", async () => {
    const member = await memberPage(browser, "M0007", "周静");
    const card = member.getByTestId("open-contests").getByRole("listitem").filter({ hasText: title });
    await card.getByRole("link", { name: "参加竞赛" }).click();
    await member.getByRole("button", { name: "开始答题" }).click();
    await answerAll(member, 3);
    await expect(board.getByTestId("stat-entrants")).toHaveText("1");
    await expect(board.getByTestId("stat-finished")).toHaveText("1");
    await expect(board.getByTestId("board-top")).toContainText("周静");
    await member.context().close();
  });

  await test.step("郑华 takes it in another browser; a reload returns to the same question", async () => {
    const member = await memberPage(browser, "M0009", "郑华");
    await member.goto(`/contests/${contestId}`);
    await member.getByRole("button", { name: "开始答题" }).click();
    await expect(member.getByText("第 1 / 3 题").first()).toBeVisible();
    const stem = (await member.locator("legend").first().textContent())!;
    await member.reload();
    await expect(member.locator("legend").first()).toHaveText(stem);
    await expect(member.getByTestId("countdown")).toContainText(/剩余 (1[0-5]|\d) 秒/);
    await answerAll(member, 3);
    await expect(board.getByTestId("stat-entrants")).toHaveText("2");
    await expect(board.getByTestId("board-top")).toContainText("郑华");
    await expect(board.getByTestId("board-units-participation")).toContainText("电气党小组");
    await member.context().close();
  });

  await test.step("the organiser sees the figures and downloads the results", async () => {
    await page.reload();
    await expect(page.getByTestId("stat-entrants")).toHaveText("2");
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "下载成绩（Excel）" }).click();
    const download = await downloading;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await fs.readFile(await download.path())) as unknown as ExcelJS.Buffer);
    const individuals = book.getWorksheet("个人成绩")!;
    const rows = Array.from({ length: individuals.rowCount - 1 }, (_, i) => individuals.getRow(i + 2).values as unknown[]);
    expect(rows.map((r) => r[2]).sort()).toEqual(["周静", "郑华"].sort());
    for (const r of rows) expect(String(r[4])).toMatch(/检修党支部 \/ 电气党小组$/);
    const units = book.getWorksheet("组织成绩")!;
    expect(units.getRow(2).values).toContain("电气党小组");
  });
  await board.context().close();
});
