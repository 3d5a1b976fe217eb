// Demo videos made at setup: ffmpeg's test pattern with a Chinese caption (Noto CJK from Debian's
// fonts-noto-cjk) and a tone. The seed registers them through storeVideoUpload like any upload.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { FFMPEG, runTool } from "./ffmpeg.server";

const FONT_CANDIDATES = [
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
  "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
  "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
];

let cachedFont: string | null = null;

/**
 * A font file with Chinese glyphs: DEMO_FONT_FILE, else Debian's Noto CJK, else what fontconfig
 * knows for `:lang=zh`. Throws a clear error when there is none.
 */
export function findCjkFont(): string {
  if (cachedFont) return cachedFont;
  const configured = process.env.DEMO_FONT_FILE;
  if (configured) {
    if (!fs.existsSync(configured)) throw new Error(`DEMO_FONT_FILE=${configured} does not exist`);
    return (cachedFont = configured);
  }
  const candidates = [...FONT_CANDIDATES];
  try {
    const listed = execFileSync("fc-list", [":lang=zh", "file"], { encoding: "utf8", timeout: 10_000 });
    const files = listed
      .split("\n")
      .map((l) => l.replace(/:\s*$/, "").trim())
      .filter(Boolean)
      .sort((a, b) => Number(/Sans.*Regular/i.test(b)) - Number(/Sans.*Regular/i.test(a)));
    candidates.push(...files);
  } catch {
    // no fontconfig tools: the known paths only
  }
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) {
    throw new Error(
      "No Chinese (CJK) font found for the demo video captions. Install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk) or set DEMO_FONT_FILE to a .ttc/.otf/.ttf file with Chinese glyphs.",
    );
  }
  return (cachedFont = found);
}

/** Escapes a value for an ffmpeg filter option: first for the option, then for the filtergraph. */
export function filterValue(value: string) {
  const option = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return option.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

export type DemoVideoOptions = {
  outPath: string;
  /** Shown at the bottom of the picture; may contain line breaks. */
  caption: string;
  seconds: number;
  width?: number;
  height?: number;
  /** Tone pitch in Hz (default 440). */
  frequency?: number;
  fps?: number;
  /** x264 preset; `superfast` keeps setup quick (the file is transcoded again anyway). */
  preset?: string;
};

/**
 * Writes an H.264/AAC MP4 (720p by default): test pattern, caption, sine tone. The caption goes
 * through a text file (no escaping of the text, no `%{…}` expansion).
 */
export async function generateDemoVideo({
  outPath,
  caption,
  seconds,
  width = 1280,
  height = 720,
  frequency = 440,
  fps = 25,
  preset = "superfast",
}: DemoVideoOptions) {
  if (!(seconds > 0 && seconds <= 3600)) throw new Error(`seconds must be in (0, 3600], got ${seconds}`);
  const font = findCjkFont();
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), "demo-video-"));
  try {
    const captionFile = path.join(work, "caption.txt");
    await fsp.writeFile(captionFile, caption);
    await fsp.mkdir(path.dirname(path.resolve(outPath)), { recursive: true });
    const fontSize = Math.max(16, Math.round(height / 14));
    const drawtext = [
      `fontfile=${filterValue(font)}`,
      `textfile=${filterValue(captionFile)}`,
      "expansion=none",
      `fontsize=${fontSize}`,
      "fontcolor=white",
      "line_spacing=8",
      "box=1",
      "boxcolor=black@0.6",
      `boxborderw=${Math.round(fontSize / 3)}`,
      "x=(w-text_w)/2",
      `y=h-text_h-${Math.round(height / 10)}`,
    ].join(":");
    const args = [
      "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
      "-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
      "-f", "lavfi", "-i", `sine=frequency=${frequency}:sample_rate=48000:duration=${seconds}`,
      "-vf", `drawtext=${drawtext}`,
      "-c:v", "libx264", "-preset", preset, "-crf", "21", "-pix_fmt", "yuv420p",
      "-c:a", "aac", "-b:a", "128k",
      "-shortest",
      "-movflags", "+faststart",
      path.resolve(outPath),
    ];
    await runTool(FFMPEG, args, { timeoutMs: 60_000 + seconds * 10_000 });
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
  return outPath;
}
