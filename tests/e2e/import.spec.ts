// A committee admin downloads the import template, fills in two members of 甲班党小组 (code
// 001001001001) the way a person would in a spreadsheet, uploads it, and finds them in the tree.
// Each project imports its own two people (employee numbers and phones unique per run).
import ExcelJS from "exceljs";
import fs from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { fillLogin, login } from "./helpers";

const COLUMNS = ["姓名", "工号", "手机号", "所在组织编码", "人员类别", "入党日期", "职务"];
const GROUP_CODE = "001001001001";
const GROUP_NAME = "甲班党小组";
const INITIAL_PASSWORD = "Start2026go";

test("admin imports members from the template and sees them in the tree", async ({ page, browser }, testInfo) => {
  test.setTimeout(60_000);
  const stamp = Date.now().toString(36).toUpperCase();
  const tag = testInfo.project.name === "mobile" ? "M" : "D";
  const people = [
    { name: `导入${tag}甲`, employeeNo: `E2E${tag}${stamp}1`, phone: `139${String(Date.now() % 1e7).padStart(7, "0")}1`, status: "正式党员", joined: new Date(Date.UTC(2016, 6, 1)), position: "组织委员" },
    { name: `导入${tag}乙`, employeeNo: `E2E${tag}${stamp}2`, phone: `139${String(Date.now() % 1e7).padStart(7, "0")}2`, status: "预备党员", joined: null, position: "" },
  ];

  await login(page, "A0001", "赵组织");
  await page.getByRole("link", { name: "管理", exact: true }).click();
  await page.getByRole("link", { name: "导入导出" }).click();
  await expect(page).toHaveURL(/\/admin\/import$/);

  const template = await test.step("download the template", async () => {
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "下载导入模板" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await fs.readFile(await download.path())) as unknown as ExcelJS.Buffer);
    return workbook;
  });

  const file = await test.step("fill in two members", async () => {
    const sheet = template.worksheets[0];
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    expect(header).toEqual(COLUMNS);
    // Nothing but the header: a template with sample rows would import them too.
    expect(sheet.actualRowCount).toBe(1);
    people.forEach((p, i) => {
      const row = sheet.getRow(2 + i);
      row.values = [p.name, p.employeeNo, p.phone, GROUP_CODE, p.status, p.joined ?? undefined, p.position || undefined];
      row.commit();
    });
    return Buffer.from(await template.xlsx.writeBuffer());
  });

  await test.step("upload it with an initial password", async () => {
    await page.getByLabel("选择文件（XLSX 或 CSV）").setInputFiles({
      name: "党员导入.xlsx",
      mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      buffer: file,
    });
    await page.getByLabel("导入人员的初始密码").fill(INITIAL_PASSWORD);
    await page.getByRole("button", { name: "检查并导入" }).click();
    await expect(page.getByRole("status")).toContainText("已导入 2 人");
  });

  await test.step("the unit is in the tree and lists the new members", async () => {
    await page.goto("/admin/units");
    const unitLink = page.getByRole("link", { name: GROUP_NAME, exact: true });
    await expect(unitLink).toBeVisible();
    await expect(unitLink.locator("xpath=..")).toContainText(GROUP_CODE);
    const href = (await unitLink.getAttribute("href")) ?? "";
    const unitId = /\/admin\/units\/(\d+)$/.exec(href)?.[1];
    expect(unitId).toBeTruthy();
    await unitLink.click();
    await expect(page.getByRole("heading", { level: 1, name: GROUP_NAME })).toBeVisible();
    await page.getByRole("link", { name: "查看人员" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/members\\?unit=${unitId}$`));
    for (const p of people) {
      await expect(page.getByText(p.name, { exact: true })).toBeVisible();
      await expect(page.getByText(p.employeeNo)).toBeVisible();
    }
  });

  await test.step("an imported member must set a new password at first login", async () => {
    const context = await browser.newContext();
    try {
      const member = await context.newPage();
      await fillLogin(member, people[0].employeeNo, INITIAL_PASSWORD);
      await expect(member).toHaveURL(/\/password$/);
      await expect(member.getByText("首次登录或密码已被重置，请先设置新密码。")).toBeVisible();
      // Until then the home page is closed to them.
      await member.goto("/");
      await expect(member).toHaveURL(/\/password$/);
    } finally {
      await context.close();
    }
  });
});
