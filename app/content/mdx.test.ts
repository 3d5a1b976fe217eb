import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { locateJsonPath } from "./json-locate";
import {
  clearMemoryCache,
  compileReading,
  COMPILER_VERSION,
  getCompiledReading,
  INLINE_IMAGE_LIMIT,
  MdxCompileError,
  mdxCacheDir,
  mdxCacheStats,
  readingCacheKey,
} from "./mdx.server";

const svg = (fill: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="${fill}"/></svg>`;

describe("readingCacheKey", () => {
  const image = { path: "a.svg", bytes: Buffer.from(svg("#c8161d")) };

  it("is a sha256 that depends only on its inputs", () => {
    const key = readingCacheKey("正文", [image]);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(readingCacheKey("正文", [{ ...image, bytes: Buffer.from(image.bytes) }])).toBe(key);
  });

  it("changes with the source, an image's bytes or path, and the compiler version", () => {
    const key = readingCacheKey("正文", [image]);
    expect(readingCacheKey("正文。", [image])).not.toBe(key);
    expect(readingCacheKey("正文", [{ ...image, bytes: Buffer.from(svg("#000")) }])).not.toBe(key);
    expect(readingCacheKey("正文", [{ ...image, path: "b.svg" }])).not.toBe(key);
    expect(readingCacheKey("正文", [image], `${COMPILER_VERSION}+1`)).not.toBe(key);
    expect(readingCacheKey("正文", [])).not.toBe(key);
  });

  it("does not depend on the order the images were found in", () => {
    const other = { path: "b.png", bytes: Buffer.from([1, 2, 3]) };
    expect(readingCacheKey("x", [image, other])).toBe(readingCacheKey("x", [other, image]));
  });
});

describe("mdxCacheDir", () => {
  it("lives in the data directory, or .cache/mdx for an in-memory database", () => {
    expect(mdxCacheDir({ DATA_DIR: "/srv/data" })).toBe(path.resolve("/srv/data/.mdx-cache"));
    expect(mdxCacheDir({ DATA_DIR: "memory://" })).toBe(path.resolve(".cache/mdx"));
    expect(mdxCacheDir({})).toBe(path.resolve("data/.mdx-cache"));
    expect(mdxCacheDir({ MDX_CACHE_DIR: "/tmp/x", DATA_DIR: "/srv/data" })).toBe(path.resolve("/tmp/x"));
  });
});

describe("compileReading", () => {
  let dir: string;
  const write = (name: string, content: string | Buffer) => {
    fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };
  const reading = (body: string) => `---\ntitle: 测试\ncourse: lab\norder: 1\n---\n\n${body}\n`;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "reading-mdx-"));
    process.env.MDX_CACHE_DIR = path.join(dir, ".cache");
    process.env.CONTENT_ASSETS_DIR = path.join(dir, "assets");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => clearMemoryCache());

  it("keys the result by the source and the bytes of the images it imports", async () => {
    write("used.svg", svg("#c8161d"));
    write("unused.svg", svg("#000000"));
    const source = reading('正文\n\n<Figure src="used.svg" alt="图" caption="说明" />');
    const file = write("key.mdx", source);
    const first = await compileReading(file);
    expect(first.key).toBe(readingCacheKey(source, [{ path: "used.svg", bytes: fs.readFileSync(path.join(dir, "used.svg")) }]));
    expect(first.code).toContain("data:image/svg+xml");
    expect(first.code).toMatch(/width:"120",height:"60"/);

    write("unused.svg", svg("#111111"));
    expect((await compileReading(file)).key).toBe(first.key);

    write("used.svg", svg("#222222"));
    const changed = await compileReading(file);
    expect(changed.key).not.toBe(first.key);
  });

  it("compiles once: later calls come from memory, and after a restart from disk", async () => {
    const file = write("cached.mdx", reading("缓存测试"));
    const before = mdxCacheStats.compiles;
    const first = await compileReading(file);
    expect(mdxCacheStats.compiles).toBe(before + 1);

    const memoryHits = mdxCacheStats.memoryHits;
    expect((await compileReading(file)).key).toBe(first.key);
    expect(mdxCacheStats.memoryHits).toBe(memoryHits + 1);

    clearMemoryCache(); // as a restart would
    const diskHits = mdxCacheStats.diskHits;
    const again = await compileReading(file);
    expect(again).toEqual(first);
    expect(mdxCacheStats.diskHits).toBe(diskHits + 1);
    expect(mdxCacheStats.compiles).toBe(before + 1);

    clearMemoryCache();
    expect(await getCompiledReading(first.key)).toEqual(first);
    expect(await getCompiledReading("0".repeat(64))).toBeNull();
    expect(await getCompiledReading("../../etc/passwd")).toBeNull();
  });

  it("shares one compile between concurrent requests", async () => {
    const file = write("concurrent.mdx", reading("并发"));
    const before = mdxCacheStats.compiles;
    const results = await Promise.all([compileReading(file), compileReading(file), compileReading(file)]);
    expect(new Set(results.map((r) => r.key)).size).toBe(1);
    expect(mdxCacheStats.compiles).toBe(before + 1);
  });

  it("inlines small images and writes large ones once to the assets folder under their hash", async () => {
    const big = Buffer.alloc(INLINE_IMAGE_LIMIT + 100, 7);
    big.write("\x89PNG\r\n\x1a\n", 0, "latin1");
    write("big.png", big);
    write("small.svg", svg("#c8161d"));
    const file = write("images.mdx", reading('![小图](small.svg)\n\n<Figure src="./big.png" alt="大图" />'));
    const compiled = await compileReading(file);
    expect(compiled.assets).toHaveLength(1);
    const [asset] = compiled.assets;
    expect(asset).toMatch(/^[A-Z0-9]+\.png$/);
    expect(fs.readFileSync(path.join(dir, "assets", asset)).equals(big)).toBe(true);
    expect(compiled.code).toContain(`/content-assets/${asset}`);
    expect(compiled.code).toContain("data:image/svg+xml");

    // A missing emitted file invalidates the disk entry: it is rebuilt, not served broken.
    fs.rmSync(path.join(dir, "assets", asset));
    clearMemoryCache();
    expect(await getCompiledReading(compiled.key)).toBeNull();
    await compileReading(file);
    expect(fs.existsSync(path.join(dir, "assets", asset))).toBe(true);
  });

  it("reports a broken file with its path, line and column", async () => {
    const cases: [string, string, number, RegExp][] = [
      ["syntax.mdx", reading("第一段\n\n<KeyPoint>\n没有闭合"), 9, /KeyPoint|end of file|closing/i],
      ["unknown.mdx", reading("正文\n\n<Chart data={1} />"), 9, /Unknown component <Chart>/],
      ["image.mdx", reading('正文\n\n<Figure src="nowhere.png" alt="x" />'), 9, /Image not found: nowhere\.png/],
      ["attr.mdx", reading("正文\n\n这是<Term>学时</Term>。"), 9, /<Term> needs its explain/],
      ["heading.mdx", reading("# 大标题"), 7, /##/],
      ["import.mdx", reading('import fs from "node:fs"'), 7, /import and export are not allowed/],
      ["expression.mdx", reading("正文 {1 +}"), 7, /expression/i],
      ["yaml.mdx", "---\ntitle: [坏\ncourse: lab\n---\n\n正文\n", 2, /frontmatter/],
      ["name.mdx", reading("正文 {undefinedName}"), 7, /"undefinedName" is not defined/],
      ["call.mdx", reading('<Figure src="x.svg" alt="x" width={size()} />'), 7, /<Figure width>: .*not defined|only constants/],
      ["spread.mdx", reading("<KeyPoint {...props}>x</KeyPoint>"), 7, /spread/],
    ];
    for (const [name, content, line, message] of cases) {
      const file = write(name, content);
      const error = await compileReading(file).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(MdxCompileError);
      const e = error as MdxCompileError;
      expect(e.file, name).toBe(file.startsWith(process.cwd()) ? path.relative(process.cwd(), file) : file);
      expect(e.line, `${name}: ${e.message}`).toBeGreaterThanOrEqual(line);
      expect(e.line, `${name}: ${e.message}`).toBeLessThanOrEqual(line + 2);
      expect(e.column, name).toBeGreaterThanOrEqual(1);
      expect(e.reason, name).toMatch(message);
      expect(e.message, name).toContain(`${e.file}:${e.line}:${e.column}`);
      expect(e.reason, name).not.toContain("_mdx_bundler_entry_point");
    }
    const constants = await compileReading(write("constants.mdx", reading('{/* 作者注释 */}\n\n今年是 {2024} 年。\n\n<KeyPoint title={"三个要点"}>内容</KeyPoint>')));
    expect(constants.chars).toBeGreaterThan(0);
    const missing = await compileReading(path.join(dir, "absent.mdx")).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MdxCompileError);
  });
});

describe("locateJsonPath", () => {
  const text = '{\n  "title": "x",\n  "lessons": [\n    { "kind": "reading" },\n    { "kind": "video", "title": 3 }\n  ]\n}\n';
  it("finds a value, or the object a missing key belongs to", () => {
    expect(locateJsonPath(text, ["title"])).toEqual({ line: 2, column: 12 });
    expect(locateJsonPath(text, ["lessons", 1, "title"])).toEqual({ line: 5, column: 33 });
    expect(locateJsonPath(text, ["lessons", 0, "file"])).toEqual({ line: 4, column: 5 });
  });
});
