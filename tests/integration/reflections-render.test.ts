// Markdown safety (an XSS payload corpus through the renderer the server and the preview share)
// and near-copy detection on real-length Chinese posts (tests/fixtures/reflections).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reflectionSchema } from "~/reflections/forms";
import { mdxToPlainText } from "~/reflections/lesson-text.server";
import { markdownToText, reflectionLength, renderMarkdown } from "~/reflections/markdown";
import { fingerprint, highlight, mostSimilar, normalise, similarity, SIMILARITY_THRESHOLD } from "~/reflections/similarity";

const PAYLOADS = [
  `<script>alert(1)</script>`,
  `<SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
  `<scr<script>ipt>alert(1)</scr</script>ipt>`,
  `<img src=x onerror=alert(1)>`,
  `<img src="x" onerror="alert(1)" />`,
  `<svg onload=alert(1)>`,
  `<svg><script>alert(1)</script></svg>`,
  `<iframe src="javascript:alert(1)"></iframe>`,
  `<iframe srcdoc="<script>alert(1)</script>">`,
  `<a href="javascript:alert(1)">click</a>`,
  `<body onload=alert(1)>`,
  `<div style="background:url(javascript:alert(1))">x</div>`,
  `<div style="width: expression(alert(1))">x</div>`,
  `<style>@import 'javascript:alert(1)';</style>`,
  `<object data="javascript:alert(1)"></object>`,
  `<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">`,
  `<form action="javascript:alert(1)"><button>go</button></form>`,
  `<input autofocus onfocus=alert(1)>`,
  `<details open ontoggle=alert(1)>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
  `<!-- <img src=x onerror=alert(1)> -->`,
  `<!--><script>alert(1)</script>-->`,
  `<![CDATA[<script>alert(1)</script>]]>`,
  `<?xml version="1.0"?><script>alert(1)</script>`,
  `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
  `<base href="javascript:alert(1)//">`,
  `<link rel=stylesheet href="javascript:alert(1)">`,
  `[click](javascript:alert(1))`,
  `[click](JaVaScRiPt:alert(1))`,
  `[click](javascript&#58;alert(1))`,
  `[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))`,
  `[click](&#x6A;avascript:alert(1))`,
  `[click](jav&#x09;ascript:alert(1))`,
  `[click](java\tscript:alert(1))`,
  `[click](<javascript:alert(1)>)`,
  `[click]( javascript:alert(1) )`,
  `[click](vbscript:msgbox(1))`,
  `[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
  `[click](data:text/html,<script>alert(1)</script>)`,
  `[click](javascript:alert(1) "title")`,
  `[click]("onmouseover="alert(1))`,
  `[click](https://ok.example/" onmouseover="alert(1))`,
  `[x]: javascript:alert(1)\n\n[ref][x]`,
  `[x]: <javascript:alert(1)> "t"\n\n[x]`,
  `<javascript:alert(1)>`,
  `<vbscript:msgbox(1)>`,
  `<data:text/html,<script>alert(1)</script>>`,
  `![x](javascript:alert(1))`,
  `![x](https://evil.example/pixel.png "onerror=alert(1)")`,
  `![x" onerror="alert(1)](x)`,
  "```html\n<script>alert(1)</script>\n```",
  "```js\" onload=\"alert(1)\ncode\n```",
  "`<img src=x onerror=alert(1)>`",
  `**<img src=x onerror=alert(1)>**`,
  `> <script>alert(1)</script>`,
  `- <a href=javascript:alert(1)>x</a>`,
  `# <svg/onload=alert(1)>`,
  `&lt;script&gt;alert(1)&lt;/script&gt;`,
  `&#60;script&#62;alert(1)&#60;/script&#62;`,
  `<a href="&#1;javascript:alert(1)">x</a>`,
  `[a](\u0000javascript:alert(1))`,
  `[a](\u200bjavascript:alert(1))`,
  `<x onclick=alert(1)>click</x>`,
  `"><script>alert(1)</script>`,
  `'><img src=x onerror=alert(1)>`,
];

const ALLOWED_TAG = new RegExp(
  [
    String.raw`^</?(p|em|strong|del|code|pre|ul|li|blockquote|h3|h4|h5|h6)>$`,
    String.raw`^<ol( start="\d+")?>$`,
    String.raw`^</ol>$`,
    String.raw`^<(hr|br) />$`,
    String.raw`^<code class="language-[^"<>]*">$`,
    String.raw`^<a rel="nofollow noopener noreferrer ugc" href="[^"<>]*"( title="[^"<>]*")?>$`,
    String.raw`^</?a>$`,
  ].join("|"),
);

function decodeEntities(s: string) {
  return s
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Throws unless the HTML has only allowed tags and attributes and safe link targets. */
function assertSafe(html: string) {
  const tags = html.match(/<[^>]*>/g) ?? [];
  for (const tag of tags) expect(tag, html).toMatch(ALLOWED_TAG);
  const text = html.replace(/<[^>]*>/g, "");
  expect(text, html).not.toMatch(/[<>"]/);
  for (const [, href] of html.matchAll(/href="([^"]*)"/g)) {
    // What a browser would make of it: entities decoded, control characters and spaces dropped.
    // eslint-disable-next-line no-control-regex
    const url = decodeEntities(href).replace(/[\u0000-\u0020\u007f-\u00a0\u200b]/g, "").toLowerCase();
    expect(url, html).toMatch(/^(https?:|mailto:|#|\/|$|[^:]*(\/|$))/);
    expect(url).not.toMatch(/^(javascript|vbscript|data|file):/);
  }
  expect(html).not.toMatch(/<(script|img|svg|iframe|style|object|embed|form|input|meta|base|link|math|body|details)\b/i);
  expect(html).not.toMatch(/<[^>]*\son\w+\s*=/i);
}

describe("Markdown safety", () => {
  it(`renders ${PAYLOADS.length} XSS payloads harmlessly`, () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(30);
    for (const payload of PAYLOADS) {
      assertSafe(renderMarkdown(payload));
      // Inside surrounding text and lists too.
      assertSafe(renderMarkdown(`学习体会\n\n- ${payload}\n\n> ${payload}\n\n正文 ${payload} 结束`));
    }
    // All of them in one document.
    assertSafe(renderMarkdown(PAYLOADS.join("\n\n")));
  });

  it("keeps ordinary Markdown: emphasis, lists, quotes, safe links, headings moved down", () => {
    const html = renderMarkdown("# 标题\n\n**重点**和*强调*\n\n- 一\n- 二\n\n3. 三\n\n> 引用\n\n[党建网](https://www.example.cn/a?b=1&c=2) <https://example.cn>\n\n[邮件](mailto:a@example.cn) [本站](/courses)");
    assertSafe(html);
    expect(html).toContain("<h3>标题</h3>");
    expect(html).toContain("<strong>重点</strong>");
    expect(html).toContain("<em>强调</em>");
    expect(html).toContain('<ol start="3">');
    expect(html).toContain("<blockquote>");
    expect(html).toContain('href="https://www.example.cn/a?b=1&amp;c=2"');
    expect(html).toContain('href="mailto:a@example.cn"');
    expect(html).toContain('href="/courses"');
  });

  it("drops dangerous link targets and never renders images", () => {
    expect(renderMarkdown("[x](javascript:alert(1))")).toBe("<p><a>x</a></p>");
    expect(renderMarkdown("![图](https://example.cn/a.png)")).not.toContain("<img");
    expect(renderMarkdown("<b>粗</b>")).toBe("<p>&lt;b&gt;粗&lt;/b&gt;</p>");
  });

  it("counts what the reader sees: CJK characters and Latin words, not syntax or URLs", () => {
    expect(reflectionLength("**学习** [心得](https://example.cn/very/long/url)")).toBe(4);
    expect(reflectionLength("# 标题\n\n- JHA is useful")).toBe(5);
    expect(markdownToText("a &amp; b")).toContain("a & b");
    const schema = reflectionSchema(10);
    expect(schema.safeParse({ intent: "submit", title: "t", target: "l:1", body: "九个字九个字九个字" }).success).toBe(false);
    expect(schema.safeParse({ intent: "submit", title: "t", target: "l:1", body: "十个字十个字十个字十" }).success).toBe(true);
    expect(schema.safeParse({ intent: "draft", title: "t", target: "l:1" }).success).toBe(true);
    expect(schema.safeParse({ intent: "draft", title: "t", target: "x:1" }).success).toBe(false);
  });
});

const FIXTURES = path.resolve("tests/fixtures/reflections");
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");
const LESSON = mdxToPlainText(fs.readFileSync("content/courses/work-safety/01-hazard-identification.mdx", "utf8"));

describe("near-copy detection", () => {
  const honest = ["honest-a.md", "honest-b.md", "honest-c.md", "honest-d.md"];
  const copies: [string, string][] = [
    ["copy-of-a.md", "honest-a.md"],
    ["copy-of-b-heavier.md", "honest-b.md"],
  ];

  it("the samples are real-length posts (300–600 Chinese characters)", () => {
    for (const name of fs.readdirSync(FIXTURES)) {
      const n = reflectionLength(read(name));
      expect(n, name).toBeGreaterThanOrEqual(300);
      expect(n, name).toBeLessThanOrEqual(600);
    }
  });

  it("flags a lightly edited copy (words changed, sentences and paragraphs reordered)", () => {
    for (const [copy, original] of copies) {
      const score = similarity(fingerprint(read(copy)), fingerprint(read(original)));
      expect(score, `${copy} vs ${original}`).toBeGreaterThanOrEqual(SIMILARITY_THRESHOLD);
      expect(score).toBeGreaterThan(0.7);
    }
  });

  it("passes independent posts on the same lesson", () => {
    for (const a of honest)
      for (const b of honest) {
        if (a === b) continue;
        expect(similarity(fingerprint(read(a)), fingerprint(read(b))), `${a} vs ${b}`).toBeLessThan(0.25);
      }
    // A copy of one post is not a copy of the others.
    expect(similarity(fingerprint(read("copy-of-a.md")), fingerprint(read("honest-b.md")))).toBeLessThan(0.25);
  });

  it("flags a post copied from the lesson text, passes honest posts that quote it", () => {
    const lesson = fingerprint(LESSON);
    expect(similarity(fingerprint(read("lesson-copy.md")), lesson, { both: false })).toBeGreaterThanOrEqual(SIMILARITY_THRESHOLD);
    for (const name of honest) expect(similarity(fingerprint(read(name)), lesson, { both: false }), name).toBeLessThan(0.25);
  });

  it("picks the most similar candidate", () => {
    const best = mostSimilar(read("copy-of-a.md"), [
      { key: 1, text: read("honest-b.md") },
      { key: 2, text: read("honest-a.md") },
      { key: 3, text: read("honest-c.md") },
    ]);
    expect(best?.key).toBe(2);
  });

  it("ignores punctuation, spaces, width and Markdown when normalising", () => {
    expect(normalise("**安全 第一，ＡＢＣ**！").chars.join("")).toBe("安全第一abc");
    expect(similarity(fingerprint("短文"), fingerprint("短文"))).toBe(0);
  });

  it("marks the shared passages, joining across punctuation", () => {
    const original = read("honest-a.md");
    const segments = highlight(read("copy-of-a.md"), fingerprint(original).shingles);
    expect(segments.map((s) => s.text).join("")).toBe(read("copy-of-a.md"));
    const marked = segments.filter((s) => s.shared).map((s) => s.text).join("");
    expect(marked).toContain("绝大多数事故在发生之前都有苗头，关键是有没有一双能发现苗头的眼睛。");
    expect(marked).not.toContain("锅炉房");
    const none = highlight("完全不同的一段文字内容", fingerprint(original).shingles);
    expect(none.every((s) => !s.shared)).toBe(true);
  });
});
