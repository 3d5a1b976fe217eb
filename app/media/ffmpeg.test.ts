// The process runner with the real ffmpeg: a run that does not end is killed, never left hanging.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FFMPEG, FfmpegError, runTool, stderrTail } from "./ffmpeg.server";
import { filterValue, findCjkFont } from "./demo-video.server";

const endless = ["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10", "-f", "null", "-"];

describe("runTool", () => {
  it("kills ffmpeg at the timeout", async () => {
    const started = performance.now();
    const error = await runTool(FFMPEG, endless, { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).reason).toBe("timeout");
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("kills ffmpeg when its progress output stops (stall watchdog)", async () => {
    // No -progress output at all: the watchdog sees no activity.
    const error = await runTool(FFMPEG, endless, { timeoutMs: 30_000, stallMs: 300 }).catch((e: unknown) => e);
    expect((error as FfmpegError).reason).toBe("stalled");
  });

  it("stops ffmpeg when the job is aborted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("lease lost")), 200);
    const error = await runTool(FFMPEG, endless, { timeoutMs: 30_000, signal: controller.signal }).catch((e: unknown) => e);
    expect((error as FfmpegError).reason).toBe("aborted");
    expect((error as FfmpegError).message).toContain("lease lost");
  });

  it("reports the exit code with the tail of stderr", async () => {
    const error = await runTool(FFMPEG, ["-hide_banner", "-nostdin", "-i", "/nonexistent/input.mp4", "-f", "null", "-"], { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect((error as FfmpegError).reason).toBe("exit");
    expect((error as FfmpegError).stderrTail).toContain("No such file or directory");
  });

  it("says so when the program is missing", async () => {
    const error = await runTool("/nonexistent/ffmpeg", [], { timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect((error as FfmpegError).reason).toBe("spawn");
  });
});

describe("helpers", () => {
  it("keeps the last lines of stderr within ~2,000 characters", () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`).join("\n");
    const tail = stderrTail(`${lines}\n\n`);
    expect(tail.length).toBeLessThanOrEqual(2000);
    expect(tail.endsWith("line 499")).toBe(true);
    expect(tail).not.toContain("\n\n");
  });

  it("escapes filter option values for both levels", () => {
    expect(filterValue("/usr/share/fonts/a.ttc")).toBe("/usr/share/fonts/a.ttc");
    expect(filterValue("C:/it's;x[1],y")).toBe("C\\\\:/it\\\\\\'s\\;x\\[1\\]\\,y");
  });

  it("ffmpeg reads a font and a caption file from a path full of special characters", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "it's;odd[1],x:y-"));
    try {
      fs.copyFileSync(findCjkFont(), path.join(dir, "f.ttc"));
      fs.writeFileSync(path.join(dir, "c.txt"), "测试");
      const vf = `drawtext=fontfile=${filterValue(path.join(dir, "f.ttc"))}:textfile=${filterValue(path.join(dir, "c.txt"))}:fontsize=20`;
      await runTool(FFMPEG, ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=black:size=160x90:duration=0.1", "-vf", vf, "-frames:v", "1", path.join(dir, "o.png")], {
        timeoutMs: 30_000,
      });
      expect(fs.statSync(path.join(dir, "o.png")).size).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
