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

/** Opens a course's video lesson, waiting for its demo video to be transcoded. */
async function openVideoLesson(page: import("@playwright/test").Page, course = "如何使用网上党校", lesson = /一分钟看懂学习首页/) {
  await page.goto("/courses");
  await page.getByRole("link", { name: course }).click();
  await page.getByRole("link", { name: lesson }).click();
  await expect(page).toHaveURL(/\/lessons\/\d+$/);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("lesson-video")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 150_000, intervals: [2_000] });
  const video = page.getByTestId("lesson-video");
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  return video;
}

test("a member plays a transcoded video at 2× until it completes, and earns the course's credit hours", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const [employeeNo, name] = perProject(testInfo, { mobile: ["M0003", "陈刚"], desktop: ["M0004", "刘洋"] });
  await login(page, employeeNo, name);
  const video = await openVideoLesson(page, "短视频测试课", /十秒短视频/);
  await page.getByRole("button", { name: "2×" }).click();
  await expect(page.getByRole("button", { name: "2×" })).toHaveAttribute("aria-pressed", "true");
  await video.evaluate(async (v: HTMLVideoElement) => {
    v.muted = true;
    await v.play();
  });
  expect(await video.evaluate((v: HTMLVideoElement) => v.playbackRate)).toBe(2);
  await expect(page.getByTestId("lesson-done")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("课程已完成，获得 0.25 学时")).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("lesson-done")).toBeVisible();
  await page.goto("/me/record");
  await expect(page.getByTestId("record-hours")).toHaveText(/已获得 0.25 学时/);
  await expect(page.getByRole("link", { name: "短视频测试课" })).toBeVisible();
});

test("a member who seeks to the end does not complete the video", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const [employeeNo, name] = perProject(testInfo, { mobile: ["M0005", "杨帆"], desktop: ["M0012", "许晴"] });
  await login(page, employeeNo, name);
  const video = await openVideoLesson(page);
  await video.evaluate(async (v: HTMLVideoElement) => {
    v.muted = true;
    await v.play();
    v.currentTime = Math.max(0, v.duration - 3);
    await new Promise((resolve) => {
      v.addEventListener("ended", resolve, { once: true });
      setTimeout(resolve, 8_000);
    });
    v.pause();
  });
  // The player reports on pause and on the end; give the report time to reach the server.
  await page.waitForTimeout(2_000);
  await page.reload();
  await expect(page.getByTestId("lesson-video")).toBeVisible();
  await expect(page.getByTestId("watched")).toContainText(/已观看 \d+%/);
  const percent = Number((await page.getByTestId("watched").textContent())?.match(/已观看 (\d+)%/)?.[1]);
  // The seconds played after the seek were counted, the skipped ones were not.
  expect(percent).toBeGreaterThan(0);
  expect(percent).toBeLessThan(90);
  await expect(page.getByTestId("lesson-done")).toHaveCount(0);
  // The page is shared between members; the player resumes from this member's own place, near the end.
  await expect.poll(() => page.getByTestId("lesson-video").evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 10_000 }).toBeGreaterThan(4);
});
