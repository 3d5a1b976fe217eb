// The organiser of 运行一党支部 assigns the demo course 如何使用网上党校; a member of the branch
// reads its first lesson to the end; the assignment page and the unit dashboard show the member
// in progress; the not-finished list downloads as XLSX and opens with the member in it and nobody
// from outside the branch.
import fs from "node:fs/promises";
import ExcelJS from "exceljs";
import { expect, test, type Page } from "@playwright/test";
import { login, perProject } from "./helpers";

/** Reads the lesson to its end, keeping the page active until the minimum time has passed. */
async function readFirstLesson(page: Page) {
  await page.goto("/courses");
  await page.getByRole("searchbox", { name: "搜索课程名称" }).fill("如何使用");
  await page.getByRole("button", { name: "搜索" }).click();
  await page.getByRole("link", { name: "如何使用网上党校" }).click();
  await page.getByRole("listitem").filter({ hasText: "阅读" }).first().getByRole("link").click();
  await expect(page.getByTestId("reading-end")).toBeAttached();
  await expect(async () => {
    await page.mouse.wheel(0, 4000);
    await page.keyboard.press("End");
    await expect(page.getByTestId("lesson-done")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000, intervals: [500] });
}

test("an organiser assigns a course, a member studies it, the dashboard shows it and the XLSX opens", async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  const member = perProject(testInfo, {
    mobile: { employeeNo: "M0001", name: "李明", group: "甲班党小组" },
    desktop: { employeeNo: "M0006", name: "黄海", group: "乙班党小组" },
  });
  const title = `E2E学习任务-${testInfo.project.name}-${Date.now()}`;

  const assignmentUrl = await test.step("the organiser assigns the course to the branch", async () => {
    await login(page, "B1001", "王建国");
    await page.goto("/admin/assignments");
    await page.getByRole("link", { name: "布置学习任务" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "布置学习任务" })).toBeVisible();
    await page.getByLabel("任务名称").fill(title);
    await page.getByRole("checkbox", { name: /如何使用网上党校/ }).check();
    await page.getByRole("button", { name: "保存任务" }).click();
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(page).toHaveURL(/\/admin\/assignments\/\d+$/);
    // Everyone of the branch is assigned (the organiser and six members in the demo).
    await expect(page.getByTestId("assignment-figures")).toContainText(/应学\d+/);
    return page.url();
  });

  await test.step("a member of the branch reads the first lesson", async () => {
    const context = await browser.newContext();
    try {
      const memberPage = await context.newPage();
      await login(memberPage, member.employeeNo, member.name);
      await readFirstLesson(memberPage);
    } finally {
      await context.close();
    }
  });

  await test.step("the assignment page shows the member in progress", async () => {
    await page.goto(assignmentUrl);
    const row = page.getByTestId("member-list").getByRole("listitem").filter({ hasText: member.employeeNo });
    await expect(row).toContainText(/学习中 · 已学 [1-3]\/4 节/);
    await expect(page.getByTestId("member-list")).not.toContainText("M0007");
  });

  await test.step("the unit dashboard shows it for the member's group, and drills down to them", async () => {
    await page.getByRole("link", { name: "查看统计" }).click();
    await expect(page.getByRole("heading", { level: 1, name: /运行一党支部 · 学习统计/ })).toBeVisible();
    const groupRow = page.getByTestId("children-table").getByRole("row").filter({ hasText: member.group });
    // Columns: name, assigned, completed, in progress, …
    const inProgress = Number(await groupRow.getByRole("cell").nth(2).textContent());
    expect(inProgress).toBeGreaterThanOrEqual(1);
    // Sorting by a column is a link (keyboard reachable): sort by completion rate.
    await page.getByRole("link", { name: "按完成率排序" }).click();
    await expect(page).toHaveURL(/sort=rate/);
    await page.getByTestId("children-table").getByRole("link", { name: member.group, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "成员名单" })).toBeVisible();
    await expect(page.getByTestId("member-list")).toContainText(member.name);
    await expect(page.getByTestId("member-list").getByRole("listitem").filter({ hasText: member.name })).toContainText("学习中");
  });

  await test.step("the not-finished list downloads as XLSX and opens", async () => {
    await page.goto(assignmentUrl);
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "导出 XLSX" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${title}-运行一党支部-\\d{4}-\\d{2}-\\d{2}\\.xlsx$`));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await fs.readFile(await download.path())) as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0];
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ""))));
    expect(rows[0].slice(0, 3)).toEqual(["组织路径", "姓名", "工号"]);
    const mine = rows.find((r) => r[2] === member.employeeNo);
    expect(mine?.[0]).toBe(`示范集团党委 / 生产运行党总支 / 运行一党支部 / ${member.group}`);
    expect(mine?.[6]).toBe("学习中");
    // Only the branch: nobody from 检修党支部 (M0007–M0009) or 机关党支部 (M0010–M0012).
    expect(rows.slice(1).every((r) => r[0].startsWith("示范集团党委 / 生产运行党总支 / 运行一党支部"))).toBe(true);
    expect(rows.some((r) => /^M00(0[7-9]|1[0-2])$/.test(r[2]))).toBe(false);
  });
});
