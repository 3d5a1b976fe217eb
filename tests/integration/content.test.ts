// Content sync and readings: the demo courses register, a second sync is a no-op without
// compiling, changed files update, broken files are reported and never take the previous version
// down, studied lessons are never deleted, and a reading renders with its components.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReadingView } from "~/components/reading/reading-view";
import { loadReading } from "~/content/reading.server";
import { clearMemoryCache, mdxCacheStats } from "~/content/mdx.server";
import { syncContent, type SyncReport } from "~/content/sync.server";
import { minimumReadingSeconds } from "~/courses/rules";
import { db } from "~/db/client.server";
import { courses, lessonProgress, lessons } from "~/db/schema";
import { makeMember, makeUnitTree } from "~/seed/factories.server";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "content-sync-"));
process.env.MDX_CACHE_DIR = path.join(tmp, "mdx-cache");
process.env.CONTENT_ASSETS_DIR = path.join(tmp, "content-assets");

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const DEMO = ["party-informatization", "platform-guide", "work-safety"];

async function lessonsOf(slug: string) {
  const [course] = await db.select().from(courses).where(eq(courses.slug, slug));
  if (!course) return { course, rows: [] };
  const rows = await db.select().from(lessons).where(eq(lessons.courseId, course.id)).orderBy(asc(lessons.position));
  return { course, rows };
}

describe("the demo content", () => {
  let first: SyncReport;
  beforeAll(async () => {
    first = await syncContent();
  });

  it("registers the three demo courses with their lessons", async () => {
    expect(first.errors).toEqual([]);
    expect(first.courses.map((c) => [c.slug, c.status])).toEqual(DEMO.map((slug) => [slug, "added"]));
    for (const slug of DEMO) {
      const { course, rows } = await lessonsOf(slug);
      expect(course.published).toBe(true);
      expect(course.tags.length).toBeGreaterThan(0);
      expect(course.unitId).toBeNull();
      expect(rows.map((r) => r.position)).toEqual(rows.map((_, i) => i + 1));

      const readings = rows.filter((r) => r.kind === "reading");
      expect(readings.length).toBeGreaterThanOrEqual(1);
      for (const r of readings) {
        expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
        expect(r.contentPath).toMatch(new RegExp(`^content/courses/${slug}/[\\w-]+\\.mdx$`));
        expect(r.readingChars).toBeGreaterThanOrEqual(800);
        expect(r.readingChars).toBeLessThanOrEqual(2000);
        expect(r.durationSeconds).toBe(minimumReadingSeconds(r.readingChars!));
        expect(r.title).toMatch(/\p{Script=Han}/u);
      }
      const videos = rows.filter((r) => r.kind === "video");
      expect(videos.length).toBeGreaterThanOrEqual(1);
      for (const v of videos) {
        expect(v.videoAssetId).toBeNull();
        expect(v.durationSeconds).toBeGreaterThanOrEqual(30);
        expect(v.durationSeconds).toBeLessThanOrEqual(60);
      }
      const quizzes = rows.filter((r) => r.kind === "quiz");
      expect(quizzes).toHaveLength(1);
      expect(quizzes[0].quizRule).toEqual({ passMark: 60 });

      // What the seed needs to generate the demo videos.
      const reported = first.courses.find((c) => c.slug === slug)!;
      for (const v of reported.lessons.filter((l) => l.kind === "video")) {
        expect(v.demoVideo?.caption).toMatch(/\p{Script=Han}/u);
        expect(v.demoVideo?.seconds).toBeGreaterThanOrEqual(30);
        expect(v.demoVideo?.seconds).toBeLessThanOrEqual(60);
      }
    }
    expect(first.lessons).toMatchObject({ added: 13, updated: 0, unchanged: 0, removed: 0, retained: 0, failed: 0 });
  });

  it("a second sync reports everything unchanged and compiles nothing, also after a restart", async () => {
    const compiles = mdxCacheStats.compiles;
    const diskHits = mdxCacheStats.diskHits;
    clearMemoryCache(); // a new process: only the disk cache is left
    const second = await syncContent();
    expect(second.errors).toEqual([]);
    expect(second.courses.every((c) => c.status === "unchanged")).toBe(true);
    expect(second.lessons).toMatchObject({ added: 0, updated: 0, unchanged: 13 });
    expect(mdxCacheStats.compiles).toBe(compiles);
    expect(mdxCacheStats.diskHits).toBe(diskHits + 7);
    expect(second.courses.flatMap((c) => c.lessons.map((l) => l.id))).toEqual(first.courses.flatMap((c) => c.lessons.map((l) => l.id)));

    const memoryHits = mdxCacheStats.memoryHits;
    const third = await syncContent();
    expect(third.lessons.unchanged).toBe(13);
    expect(mdxCacheStats.compiles).toBe(compiles);
    expect(mdxCacheStats.memoryHits).toBe(memoryHits + 7);
  });

  it("loadReading serves the registered reading from the cache", async () => {
    const { rows } = await lessonsOf("platform-guide");
    const reading = rows.find((r) => r.kind === "reading")!;
    const compiles = mdxCacheStats.compiles;
    const loaded = await loadReading(reading.id);
    expect(loaded).not.toBeNull();
    expect(loaded!.chars).toBe(reading.readingChars);
    expect(loaded!.minimumSeconds).toBe(minimumReadingSeconds(reading.readingChars!));
    expect(loaded!.frontmatter).toMatchObject({ title: reading.title, course: "platform-guide", order: reading.position });
    expect(await loadReading(reading)).toEqual(loaded);
    expect(mdxCacheStats.compiles).toBe(compiles);
    expect(await loadReading(rows.find((r) => r.kind === "video")!.id)).toBeNull();
    expect(await loadReading(987_654)).toBeNull();
  });

  it("renders a reading with the KeyPoint, Quote, Term and Figure markup", async () => {
    const { rows } = await lessonsOf("platform-guide");
    const lesson = rows.find((r) => r.contentPath?.endsWith("03-hours-points-quiz.mdx"))!;
    const { code } = (await loadReading(lesson.id))!;
    const html = renderToString(createElement(ReadingView, { code }));
    // KeyPoint: a labelled aside
    expect(html).toMatch(/<aside aria-labelledby="[^"]+"[^>]*>\s*<p id="[^"]+"[^>]*>要点<\/p>/);
    // Quote: a figure with the quotation and its cited source
    expect(html).toMatch(/<figure[^>]*><blockquote[^>]*>[\s\S]*?<\/blockquote><figcaption[^>]*>[\s\S]*?<cite[^>]*>运行一党支部书记（示例）<\/cite>/);
    // Term: a <dfn> holding a disclosure button, the explanation hidden until opened
    expect(html).toMatch(/<dfn[^>]*><button type="button" aria-expanded="false" aria-controls="([^"]+)" aria-describedby="\1"[^>]*>学时<\/button><\/dfn>/);
    expect(html).toMatch(/<span id="[^"]+" role="note" hidden=""[^>]*><span class="sr-only">释义：<\/span>按课程时长折算的学习时间/);
    // Figure: a lazy image with its size (read from the PNG) and a caption
    expect(html).toMatch(/<figure[^>]*><img src="data:image\/png;base64,[^"]+" alt="柱状图示意[^"]*" width="480" height="240" loading="lazy"/);
    expect(html).toContain("<figcaption");
    // Markdown elements get the reading typography
    expect(html).toMatch(/<h2 class="[^"]*font-bold[^"]*">学时怎么算<\/h2>/);
    expect(html).toMatch(/<div class="reading [^"]*leading-\[1\.8\]/);

    const english = renderToString(createElement(ReadingView, { code, locale: "en" }));
    expect(english).toContain(">Key point</p>");
    expect(english).toContain('<span class="sr-only">Meaning: </span>');
  });
});

describe("a content root with changes and mistakes", () => {
  const root = path.join(tmp, "courses");
  const lab = path.join(root, "sync-lab");
  const file = (name: string) => path.join(lab, name);
  const write = (name: string, text: string) => fs.writeFileSync(file(name), text);
  const svg = (fill: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="${fill}"/></svg>`;
  const reading = (order: number, title: string, body: string) => `---\ntitle: ${title}\ncourse: sync-lab\norder: ${order}\ntags: [实验]\n---\n\n${body}\n`;
  const manifest = (entries: unknown[]) =>
    JSON.stringify({ title: "同步实验课", summary: "测试用", tags: ["实验"], published: true, lessons: entries }, null, 2);
  const A = { kind: "reading", file: "a.mdx" };
  const VIDEO = { kind: "video", title: "示范视频", demoVideo: { caption: "字幕", seconds: 30 } };
  const B = { kind: "reading", file: "b.mdx" };
  const QUIZ = { kind: "quiz", title: "实验测验", quizRule: { passMark: 80 } };
  const byTitle = async () => new Map((await lessonsOf("sync-lab")).rows.map((r) => [r.title, r]));

  beforeAll(async () => {
    fs.mkdirSync(lab, { recursive: true });
    write("course.json", manifest([A, VIDEO, B, QUIZ]));
    write("a.mdx", reading(1, "第一篇", "第一篇的正文，讲交接班。\n\n<KeyPoint>当面交清。</KeyPoint>"));
    write("b.mdx", reading(3, "第二篇", '第二篇的正文。\n\n<Figure src="pic.svg" alt="示意图" caption="图注" />'));
    write("pic.svg", svg("#c8161d"));
    const report = await syncContent({ root });
    expect(report.errors).toEqual([]);
    expect(report.lessons.added).toBe(4);
  });

  it("a changed file updates its hash, characters and duration, and nothing else", async () => {
    const before = await byTitle();
    write("a.mdx", reading(1, "第一篇", "第一篇的正文，讲交接班，现在多了一些内容：设备状态、安全措施、异常情况。\n\n<KeyPoint>当面交清。</KeyPoint>"));
    const report = await syncContent({ root });
    expect(report.errors).toEqual([]);
    expect(report.lessons).toMatchObject({ added: 0, updated: 1, unchanged: 3 });
    const after = await byTitle();
    const a0 = before.get("第一篇")!;
    const a1 = after.get("第一篇")!;
    expect(a1.id).toBe(a0.id);
    expect(a1.contentHash).not.toBe(a0.contentHash);
    expect(a1.readingChars).toBeGreaterThan(a0.readingChars!);
    expect(a1.durationSeconds).toBe(minimumReadingSeconds(a1.readingChars!));
    expect(after.get("第二篇")!.contentHash).toBe(before.get("第二篇")!.contentHash);

    // An image is part of its reading's hash.
    write("pic.svg", svg("#000000"));
    const images = await syncContent({ root });
    expect(images.lessons).toMatchObject({ updated: 1, unchanged: 3 });
    expect((await byTitle()).get("第二篇")!.contentHash).not.toBe(before.get("第二篇")!.contentHash);
  });

  it("a broken file is reported with file and line, the others still register, the previous version stays", async () => {
    const before = (await byTitle()).get("第一篇")!;
    const previous = (await loadReading(before.id))!;
    // Line 10 opens a tag that is never closed.
    write("a.mdx", reading(1, "第一篇", "改坏了的正文。\n\n<KeyPoint>\n没有闭合"));
    // A second course in the same root, and a third whose course.json is not JSON.
    fs.mkdirSync(path.join(root, "sync-other"), { recursive: true });
    fs.writeFileSync(path.join(root, "sync-other", "course.json"), JSON.stringify({ title: "另一门课", tags: [], published: false, lessons: [{ kind: "reading", file: "x.mdx" }] }));
    fs.writeFileSync(path.join(root, "sync-other", "x.mdx"), "---\ntitle: 另一篇\ncourse: sync-other\norder: 1\n---\n\n正文。\n");
    fs.mkdirSync(path.join(root, "sync-bad-json"), { recursive: true });
    fs.writeFileSync(path.join(root, "sync-bad-json", "course.json"), '{\n  "title": "坏的",\n  "lessons": [\n    { "kind": "reading", }\n  ]\n}\n');

    const report = await syncContent({ root }).finally(() => fs.rmSync(path.join(root, "sync-bad-json"), { recursive: true }));
    const broken = report.errors.find((e) => e.file.endsWith("sync-lab/a.mdx"))!;
    expect(broken).toMatchObject({ file: file("a.mdx"), line: 10, column: 1 });
    expect(broken.message).toMatch(/KeyPoint/);
    const badJson = report.errors.find((e) => e.file.endsWith("sync-bad-json/course.json"))!;
    expect(badJson.line).toBe(4);
    expect(badJson.message).toMatch(/invalid JSON/);
    expect(report.errors).toHaveLength(2);

    expect(report.courses.find((c) => c.slug === "sync-other")!.status).toBe("added");
    expect(report.courses.find((c) => c.slug === "sync-bad-json")!.status).toBe("failed");
    const labLessons = report.courses.find((c) => c.slug === "sync-lab")!.lessons;
    expect(labLessons.map((l) => [l.title, l.status])).toEqual([
      ["第一篇", "kept-previous"],
      ["示范视频", "unchanged"],
      ["第二篇", "unchanged"],
      ["实验测验", "unchanged"],
    ]);

    const after = (await byTitle()).get("第一篇")!;
    expect(after).toEqual(before);
    clearMemoryCache();
    expect(await loadReading(after.id)).toEqual(previous);
  });

  it("a frontmatter that disagrees with course.json is an error at its line", async () => {
    write("a.mdx", reading(2, "第一篇", "修好了的正文。"));
    const report = await syncContent({ root });
    expect(report.errors).toEqual([
      { file: file("a.mdx"), line: 4, column: 1, message: expect.stringMatching(/order 2 .*lesson 1/) as unknown as string },
    ]);
    write("a.mdx", reading(1, "第一篇", "修好了的正文。"));
    const fixed = await syncContent({ root });
    expect(fixed.errors).toEqual([]);
    expect(fixed.lessons.updated).toBe(1);
  });

  it("reorders without losing rows, deletes unstudied removed lessons and keeps studied ones", async () => {
    const before = await byTitle();
    const tree = await makeUnitTree({ name: "内容同步测试党委", kind: "committee", children: [{ name: "内容同步测试支部", kind: "branch" }] });
    const member = await makeMember({ unitId: tree.get("内容同步测试支部")!.id });
    await db.insert(lessonProgress).values({ userId: member.id, lessonId: before.get("第一篇")!.id, activeSeconds: 30 });

    // Drop the studied reading and the unstudied video; the quiz moves to the front.
    write("course.json", manifest([QUIZ, { ...B }]));
    write("b.mdx", reading(2, "第二篇", '第二篇的正文。\n\n<Figure src="pic.svg" alt="示意图" caption="图注" />'));
    const report = await syncContent({ root });
    expect(report.errors).toEqual([]);
    expect(report.lessons).toMatchObject({ removed: 1, retained: 1 });
    expect(report.retained).toEqual([expect.objectContaining({ course: "sync-lab", lessonId: before.get("第一篇")!.id, title: "第一篇" })]);
    expect(report.retained[0].reason).toMatch(/progress/);

    const { rows } = await lessonsOf("sync-lab");
    expect(rows.map((r) => [r.position, r.title, r.id])).toEqual([
      [1, "实验测验", before.get("实验测验")!.id],
      [2, "第二篇", before.get("第二篇")!.id],
      [3, "第一篇", before.get("第一篇")!.id],
    ]);
    expect(rows.find((r) => r.kind === "quiz")!.quizRule).toEqual({ passMark: 80 });
    const progress = await db.select().from(lessonProgress).where(eq(lessonProgress.userId, member.id));
    expect(progress).toHaveLength(1);
  });

  it("the command line prints the errors and exits non-zero", () => {
    const broken = path.join(tmp, "cli", "cli-course");
    fs.mkdirSync(broken, { recursive: true });
    fs.writeFileSync(path.join(broken, "course.json"), JSON.stringify({ title: "命令行", lessons: [{ kind: "reading", file: "r.mdx" }] }));
    fs.writeFileSync(path.join(broken, "r.mdx"), "---\ntitle: 命令行\ncourse: cli-course\norder: 1\n---\n\n<Unknown />\n");
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: "memory://", LOG_REQUESTS: "false" };
    delete env.DATABASE_URL;
    const run = spawnSync(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), "scripts/content-sync.ts", "--root", path.join(tmp, "cli")], {
      env,
      encoding: "utf8",
      timeout: 80_000,
    });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(`${path.join(broken, "r.mdx")}:7:1`);
    expect(run.stderr).toMatch(/Unknown component <Unknown>/);
  }, 90_000);
});
