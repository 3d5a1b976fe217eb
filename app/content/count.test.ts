import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countReadingText } from "./count";
import { compileReading } from "./mdx.server";

describe("countReadingText", () => {
  it("counts each CJK character once and ignores punctuation and spaces", () => {
    expect(countReadingText("学习在指尖，初心在心间。")).toBe(10);
    expect(countReadingText("，。！？、；：“”（）—— …")).toBe(0);
    expect(countReadingText("   \n\t")).toBe(0);
  });

  it("counts words, not letters, of Latin text", () => {
    expect(countReadingText("Hello world")).toBe(2);
    expect(countReadingText("don't stop")).toBe(2);
    expect(countReadingText("ISO-45001 and 3.5 hours, 1,000 people")).toBe(6);
  });

  it("counts mixed text by both rules, a word ending where CJK begins", () => {
    expect(countReadingText("使用 PPE 和 ISO-45001 标准，3.5 小时")).toBe(10);
    expect(countReadingText("abc中文def")).toBe(4);
    expect(countReadingText("第2节")).toBe(3);
  });
});

describe("characters of a compiled reading", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "reading-count-"));
    process.env.MDX_CACHE_DIR = path.join(dir, "cache");
    process.env.CONTENT_ASSETS_DIR = path.join(dir, "assets");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("counts the text a member reads, without frontmatter, markup, code or expressions", async () => {
    const file = path.join(dir, "count.mdx");
    fs.writeFileSync(
      file,
      [
        "---",
        "title: 不计入的标题",
        "course: x",
        "order: 1",
        "---",
        "",
        "## 安全生产", // 4
        "",
        "一段**文字** with [some](https://example.com) words.", // 4 + 3
        "",
        "<KeyPoint>要点</KeyPoint>", // 2
        "",
        '<Quote source="出处">引用</Quote>', // 2 + 2
        "",
        '这是<Term explain="不计入的解释">学时</Term>。', // 2 + 2
        "",
        "`行内代码` {1 + 1}",
        "",
        "```js",
        "const 代码块 = 1;",
        "```",
      ].join("\n"),
    );
    const reading = await compileReading(file);
    expect(reading.chars).toBe(4 + 7 + 2 + 4 + 4);
  });
});
