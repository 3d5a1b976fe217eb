// A live duel in Chromium between two browser contexts (both projects; at 360 px in "mobile"):
// two members ask for a duel, are matched, see the same questions at the same time, see each
// other answer, and both see the result. One of them answers by keyboard.
// Mobile: 冯敏 (M0010) and 何平 (M0011); desktop: 刘洋 (M0004) and 黄海 (M0006) — the projects
// share one server, so each plays with its own pair.
import { expect, test } from "@playwright/test";
import { login, perProject } from "./helpers";

test("two members play a duel to the end", async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  const [first, second] = perProject(testInfo, {
    mobile: [
      { employeeNo: "M0010", name: "冯敏" },
      { employeeNo: "M0011", name: "何平" },
    ],
    desktop: [
      { employeeNo: "M0004", name: "刘洋" },
      { employeeNo: "M0006", name: "黄海" },
    ],
  });
  const use = testInfo.project.use;
  const context = await browser.newContext({
    baseURL: use.baseURL,
    viewport: use.viewport,
    isMobile: use.isMobile,
    hasTouch: use.hasTouch,
    deviceScaleFactor: use.deviceScaleFactor,
    locale: use.locale,
    timezoneId: use.timezoneId,
  });
  try {
    const other = await context.newPage();
    await login(page, first.employeeNo, first.name);
    await login(other, second.employeeNo, second.name);

    await test.step("both ask for a duel from the home page and are matched", async () => {
      await page.getByRole("link", { name: "双人对战 / 四人赛" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "答题对战" })).toBeVisible();
      await page.getByRole("button", { name: "双人对战" }).click();
      await expect(page.getByRole("status")).toContainText("正在为你匹配2人对战的对手");
      await other.goto("/battle");
      await other.getByRole("button", { name: "双人对战" }).click();
      await expect(other).toHaveURL(/\/battle\/\d+$/);
      await expect(page).toHaveURL(other.url());
    });

    const total = 5;
    for (let n = 1; n <= total; n++) {
      await test.step(`question ${n}: the same question for both, each sees the other answer`, async () => {
        const heading = `第 ${n} 题（共 ${total} 题）`;
        await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible({ timeout: 20_000 });
        await expect(other.getByRole("heading", { level: 1, name: heading })).toBeVisible();
        await expect(other.getByTestId("battle-stem")).toHaveText((await page.getByTestId("battle-stem").textContent()) ?? "");
        // Nothing wider than the screen (360 px on the mobile project).
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(page.viewportSize()!.width);
        if (n === 1 && process.env.BATTLE_SCREENSHOT) await page.screenshot({ path: process.env.BATTLE_SCREENSHOT });
        await page.getByRole("group", { name: "选项" }).getByRole("button").first().click();
        await expect(page.getByText("已作答，等待其他选手…")).toBeVisible();
        await expect(other.getByTestId("battle-player").filter({ hasText: first.name })).toContainText("已作答");
        if (n === 2) {
          // By keyboard: the question heading has focus; the first choice is the next stop.
          await expect(other.getByRole("heading", { level: 1, name: heading })).toBeFocused();
          await other.keyboard.press("Tab");
          await other.keyboard.press("Enter");
        } else {
          await other.getByRole("group", { name: "选项" }).getByRole("button").last().click();
        }
        // Both answered: the question closes at once and its right answer is shown.
        await expect(page.getByText(new RegExp(`第 ${n} 题 正确答案：`))).toBeVisible();
        await expect(other.getByText(new RegExp(`第 ${n} 题 正确答案：`))).toBeVisible();
      });
    }

    await test.step("both see the result: places, rating changes and points", async () => {
      for (const p of [page, other]) {
        await expect(p.getByRole("heading", { level: 1, name: "对战结束" })).toBeVisible({ timeout: 20_000 });
        await expect(p.getByText(/^第 [12] 名$/)).toBeVisible();
        await expect(p.getByTestId("battle-player")).toHaveCount(2);
        await expect(p.getByTestId("battle-player").first()).toContainText(/积分 \d+ → \d+/);
        await expect(p.getByText(/本场获得 \d+ 学习积分|本场未获得学习积分/)).toBeVisible();
      }
      await page.getByRole("link", { name: "再来一局" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "答题对战" })).toBeVisible();
      await expect(page.getByRole("link", { name: /2人赛 · 第 [12] 名/ }).first()).toBeVisible();
    });
  } finally {
    await context.close();
  }
});
