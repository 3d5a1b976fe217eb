import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheControlFor, parseRange, resolveMediaPath, serveMediaFile } from "./serve.server";

describe("resolveMediaPath", () => {
  const root = "/srv/media";
  it("accepts finished HLS output", () => {
    expect(resolveMediaPath("12/hls-abc123/master.m3u8", root)).toBe("/srv/media/12/hls-abc123/master.m3u8");
    expect(resolveMediaPath("12/hls-abc123/720p/seg_003.ts", root)).toBe("/srv/media/12/hls-abc123/720p/seg_003.ts");
    expect(resolveMediaPath("12/hls-abc123/poster.jpg", root)).toBe("/srv/media/12/hls-abc123/poster.jpg");
  });
  it.each([
    ["", "empty"],
    ["../etc/passwd", "parent"],
    ["12/hls-abc/../../../etc/passwd", "parent inside"],
    ["12/hls-abc/./master.m3u8", "dot segment"],
    ["/etc/passwd", "absolute"],
    ["12//hls-abc/master.m3u8", "empty segment"],
    ["12/hls-abc/master.m3u8\0.jpg", "NUL"],
    ["12\\hls-abc\\master.m3u8", "backslash"],
    ["12/original.mp4", "the original upload"],
    ["12/.tmp-hls-abc/master.m3u8", "unfinished output"],
    [".uploads/x.part", "partial upload"],
    ["12/hls-abc/master.exe", "unknown type"],
    ["12/hls-abc/a/b/c.ts", "too deep"],
  ])("refuses %j (%s)", (p) => {
    expect(resolveMediaPath(p, root)).toBeNull();
  });
});

describe("parseRange", () => {
  it("reads the three forms", () => {
    expect(parseRange("bytes=0-99", 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange("bytes=900-", 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange("bytes=-100", 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange("bytes=990-5000", 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange("bytes=-5000", 1000)).toEqual({ start: 0, end: 999 });
  });
  it("answers the whole file for no, malformed or multiple ranges", () => {
    expect(parseRange(null, 1000)).toBeNull();
    expect(parseRange("items=0-1", 1000)).toBeNull();
    expect(parseRange("bytes=0-1,5-6", 1000)).toBeNull();
    expect(parseRange("bytes=5-1", 1000)).toBeNull();
  });
  it("refuses ranges beyond the end", () => {
    expect(parseRange("bytes=1000-", 1000)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 1000)).toBe("unsatisfiable");
  });
});

describe("serveMediaFile", () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "serve-test-"));
    fs.mkdirSync(path.join(root, "7/hls-t1/360p"), { recursive: true });
    fs.writeFileSync(path.join(root, "7/hls-t1/master.m3u8"), "#EXTM3U\n");
    fs.writeFileSync(path.join(root, "7/hls-t1/360p/seg_000.ts"), Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    fs.writeFileSync(path.join(root, "secret.txt"), "secret");
    fs.symlinkSync(path.join(root, "secret.txt"), path.join(root, "7/hls-t1/leak.jpg"));
    fs.symlinkSync(os.tmpdir(), path.join(root, "7/hls-t1/out"));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const get = (p: string, headers: Record<string, string> = {}) => serveMediaFile(new Request(`http://x/media/${p}`, { headers }), p, root);

  it("serves playlists and segments with their types and cache headers", async () => {
    const playlist = await get("7/hls-t1/master.m3u8");
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(playlist.headers.get("cache-control")).toMatch(/^private/);
    expect(await playlist.text()).toBe("#EXTM3U\n");
    const segment = await get("7/hls-t1/360p/seg_000.ts");
    expect(segment.headers.get("content-type")).toBe("video/mp2t");
    expect(segment.headers.get("cache-control")).toBe(cacheControlFor("x.ts"));
    expect(segment.headers.get("cache-control")).toContain("immutable");
    expect(segment.headers.get("accept-ranges")).toBe("bytes");
    expect((await segment.arrayBuffer()).byteLength).toBe(256);
  });
  it("answers a Range with 206 and the bytes asked for", async () => {
    const res = await get("7/hls-t1/360p/seg_000.ts", { range: "bytes=10-19" });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe("bytes 10-19/256");
    expect(res.headers.get("content-length")).toBe("10");
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const beyond = await get("7/hls-t1/360p/seg_000.ts", { range: "bytes=300-" });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe("bytes */256");
  });
  it("answers 304 to a matching If-None-Match", async () => {
    const first = await get("7/hls-t1/master.m3u8");
    const again = await get("7/hls-t1/master.m3u8", { "if-none-match": first.headers.get("etag")! });
    expect(again.status).toBe(304);
  });
  it("404s missing files, traversal and symlinks leading out", async () => {
    expect((await get("7/hls-t1/missing.ts")).status).toBe(404);
    expect((await get("../secret.txt")).status).toBe(404);
    expect((await get("7/hls-t1/leak.jpg")).status).toBe(404);
    fs.writeFileSync(path.join(os.tmpdir(), "serve-test-outside.jpg"), "x");
    expect((await get("7/hls-t1/out/serve-test-outside.jpg")).status).toBe(404);
    fs.rmSync(path.join(os.tmpdir(), "serve-test-outside.jpg"));
  });
});
