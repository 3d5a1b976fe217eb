// A member's quiz journey in Chromium (both projects; at 360 px in "mobile"): a lesson quiz failed,
// retried and passed; the daily quiz; practice in the mistake book until a question leaves it.
// Needs the demo data with the demo bank (seedDemoQuestions) and the work-safety course.
// Each project takes its own demo member: mobile 周静 (M0007), desktop 吴强 (M0008).
import { expect, test, type Locator, type Page } from "@playwright/test";
import { DEMO_QUESTIONS } from "../../app/quiz/demo-questions";
import type { QuestionDraft } from "../../app/quiz/draft";
import { login, perProject } from "./helpers";

const byStem = new Map(DEMO_QUESTIONS.map((q) => [q.stem, q]));

function escape(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Answers one question shown in `scope` (a fieldset), right or wrong, as a member would: by the texts. */
async function answer(scope: Locator, right: boolean) {
  const stem = (await scope.locator("legend > span").nth(1).innerText()).trim();
  const q: QuestionDraft | undefined = byStem.get(stem);
  expect(q, `a demo question: ${stem}`).toBeDefined();
  const option = (text: string) => scope.locator("label").filter({ hasText: new RegExp(`^[A-H]\\. ${escape(text)}$`) });
  switch (q!.type) {
    case "single":
    case "multiple": {
      // A wrong answer ticks an incorrect option, or only part of the key when every option is correct.
      const wrong = q!.options.findIndex((_, i) => !q!.correct.includes(i));
      const picks = right ? q!.correct : wrong >= 0 ? [wrong] : [q!.correct[0]];
      for (const i of picks) await option(q!.options[i]).click();
      break;
    }
    case "true_false":
      await scope.locator("label").filter({ hasText: new RegExp(`^${right === q!.value ? "正确" : "错误"}$`) }).click();
      break;
    case "fill_blank": {
      const blanks = q!.blanks!;
      for (let k = 0; k < blanks.length; k++) await scope.getByLabel(`第 ${k + 1} 空`).fill(right ? blanks[k][0] : "不知道");
      break;
    }
  }
  return q!;
}

async function expectNoAnswerKey(page: Page) {
  const html = await page.content();
  for (const q of DEMO_QUESTIONS) expect(html).not.toContain(q.explanation);
  expect(html).not.toContain("正确答案");
}

test("a member fails a lesson quiz, retries and passes, does the daily quiz and practises mistakes", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const member = perProject(testInfo, { mobile: { employeeNo: "M0007", name: "周静" }, desktop: { employeeNo: "M0008", name: "吴强" } });
  page.on("dialog", (dialog) => dialog.accept());
  await login(page, member.employeeNo, member.name);

  await test.step("open the work-safety quiz from its course", async () => {
    await page.goto("/courses");
    await page.getByRole("link", { name: "安全生产微课", exact: true }).click();
    await page.getByRole("link", { name: "安全生产微课测验" }).click();
    await expect(page).toHaveURL(/\/lessons\/\d+\/quiz$/);
    await expect(page.getByRole("heading", { level: 1, name: "安全生产微课测验" })).toBeVisible();
    await expect(page.getByText("共 5 题，60 分及格")).toBeVisible();
  });

  await test.step("first attempt: every answer wrong, not passed", async () => {
    await page.getByRole("button", { name: "开始答题" }).click();
    const questions = page.locator("main fieldset");
    await expect(questions).toHaveCount(5);
    await expectNoAnswerKey(page);
    const data = await page.request.get(`${new URL(page.url()).pathname}.data`);
    const body = await data.text();
    for (const q of DEMO_QUESTIONS) expect(body).not.toContain(q.explanation);
    for (let i = 0; i < 5; i++) await answer(questions.nth(i), false);
    await expect(page.getByText("已答 5 / 5 题")).toBeVisible();
    await page.getByRole("button", { name: "交卷" }).click();
    await expect(page.getByRole("heading", { name: "第 1 次作答结果" })).toBeVisible();
    await expect(page.getByText("0 分", { exact: true })).toBeVisible();
    await expect(page.getByText("未通过（60 分及格），看看解析再试一次吧。")).toBeVisible();
    await expect(page.getByText("回答错误")).toHaveCount(5);
    await expect(page.getByText("解析：").first()).toBeVisible();
  });

  await test.step("second attempt: every answer right, passed and the lesson complete", async () => {
    await page.getByRole("button", { name: "再考一次" }).click();
    const questions = page.locator("main fieldset");
    await expect(questions).toHaveCount(5);
    await expectNoAnswerKey(page);
    for (let i = 0; i < 5; i++) await answer(questions.nth(i), true);
    await page.getByRole("button", { name: "交卷" }).click();
    await expect(page.getByRole("heading", { name: "第 2 次作答结果" })).toBeVisible();
    await expect(page.getByText("100 分", { exact: true })).toBeVisible();
    await expect(page.getByText("恭喜，通过了！")).toBeVisible();
    await expect(page.getByText("本课已完成。")).toBeVisible();
    await expect(page.getByText("回答正确")).toHaveCount(5);
  });

  await test.step("the daily quiz: five questions, one at a time, with feedback; once a day", async () => {
    await page.goto("/quiz/daily");
    await expect(page.getByRole("heading", { level: 1, name: "每日答题" })).toBeVisible();
    for (let i = 0; i < 5; i++) {
      await expect(page.getByRole("button", { name: "提交答案" })).toBeVisible();
      await expect(page.getByText(`第 ${i + 1} / 5 题`).first()).toBeVisible();
      await expectNoAnswerKey(page);
      const right = i !== 0;
      await answer(page.locator("main fieldset"), right);
      await page.getByRole("button", { name: "提交答案" }).click();
      await expect(page.getByRole("heading", { level: 2, name: right ? "回答正确" : "回答错误" })).toBeVisible();
      await expect(page.getByText("正确答案").first()).toBeVisible();
      await page.getByRole("link", { name: i < 4 ? "下一题" : "查看今日成绩" }).click();
    }
    await expect(page.getByText("今日答题已完成：答对 4 / 5 题。明天再来！")).toBeVisible();
    await page.reload();
    await expect(page.getByText("今日答题已完成：答对 4 / 5 题。明天再来！")).toBeVisible();
    await expect(page.getByRole("button", { name: "提交答案" })).toHaveCount(0);
  });

  await test.step("the mistake book: practise until a question leaves it", async () => {
    await page.getByRole("link", { name: "去错题本练习" }).click();
    await expect(page.getByRole("heading", { level: 1, name: /错题本/ })).toBeVisible();
    const count = Number(/共 (\d+) 题/.exec(await page.locator("h1").innerText())![1]);
    expect(count).toBeGreaterThanOrEqual(5);
    // A wrong answer keeps the question in the book.
    await answer(page.locator("main fieldset"), false);
    await page.getByRole("button", { name: "提交答案" }).click();
    await expect(page.getByText("这道题还在错题本中，之后会再练到。")).toBeVisible();
    await page.getByRole("link", { name: "下一题" }).click();
    // Right answers, round the book, until one question has been right twice in a row.
    let removed = false;
    for (let i = 0; i < count * 2 + 2 && !removed; i++) {
      await expect(page.getByRole("button", { name: "提交答案" })).toBeVisible();
      await expectNoAnswerKey(page);
      await answer(page.locator("main fieldset"), true);
      await page.getByRole("button", { name: "提交答案" }).click();
      await expect(page.getByRole("heading", { level: 2, name: "回答正确" })).toBeVisible();
      removed = (await page.getByText("连续答对 2 次，这道题已移出错题本。").count()) > 0;
      await page.getByRole("link", { name: "下一题" }).click();
    }
    expect(removed).toBe(true);
    await expect(page.locator("h1")).toContainText(`共 ${count - 1} 题`);
  });
});

test("the quiz pages fit a 360 px screen", async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== "mobile", "phone layout only");
  await login(page, "M0009", "郑华");
  for (const path of ["/quiz/daily", "/quiz/mistakes"]) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
});
