// Compiles MDX readings with mdx-bundler and caches the result by content hash.
//
// Cache key (= lessons.content_hash): sha256 of the compiler version string, the MDX source and
// the path and bytes of every image the reading imports. Two levels:
//   memory  an LRU in this process — the hot path of a lesson request;
//   disk    DATA_DIR/.mdx-cache/ (or .cache/mdx for DATA_DIR=memory://, or MDX_CACHE_DIR), so a
//           restart does not recompile unchanged files.
// Which images a source imports is only known after compiling it, so a small manifest, keyed by the
// source (and its folder), remembers the images of the last compile; a lookup hashes the source and
// those images' bytes and finds the entry without compiling (ccache's "direct mode").
//
// Images: up to INLINE_IMAGE_LIMIT bytes are inlined as data: URLs (no extra request; diagrams
// are a few KB). Larger ones are emitted once to CONTENT_ASSETS_DIR (public/content-assets/) as
// <hash>.<ext> and referenced as /content-assets/<hash>.<ext>: the compiled code travels twice on
// a lesson page (server HTML and hydration data), so a photo must not ride inside it; as a
// separate content-hashed file it loads lazily and is cached for good.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";
import { bundleMDX } from "mdx-bundler";
import { Lru } from "./lru";
import { IMAGE_EXTENSIONS, remarkReading, type ReadingStats } from "./remark-reading";

export const INLINE_IMAGE_LIMIT = 8 * 1024;
export const CONTENT_ASSETS_URL = "/content-assets/";
/** Bump when anything changes the compiled output (plugins, options, components contract). */
export const COMPILER_VERSION = `reading-1;esbuild-${esbuild.version};inline-${INLINE_IMAGE_LIMIT};${CONTENT_ASSETS_URL}`;

export type CompiledReading = {
  /** The cache key; stored as lessons.content_hash. */
  key: string;
  /** What getMDXComponent runs. */
  code: string;
  frontmatter: Record<string, unknown>;
  /** CJK characters + Latin words a member reads. */
  chars: number;
  /** Files emitted into the assets folder (names relative to it). */
  assets: string[];
  /** The MDX file, relative to the working directory when inside it. */
  file: string;
};

/** A reading that does not compile: where, and why. */
export class MdxCompileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly column: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}:${column ?? 1}` : ""}: ${reason}`);
    this.name = "MdxCompileError";
  }
}

export function mdxCacheDir(env: Record<string, string | undefined> = process.env) {
  if (env.MDX_CACHE_DIR) return path.resolve(env.MDX_CACHE_DIR);
  const dataDir = env.DATA_DIR ?? "data";
  return dataDir.startsWith("memory://") ? path.resolve(".cache/mdx") : path.resolve(dataDir, ".mdx-cache");
}

export function contentAssetsDir(env: Record<string, string | undefined> = process.env) {
  return path.resolve(env.CONTENT_ASSETS_DIR ?? "public/content-assets");
}

/** Counters for tests and diagnostics: a second sync of unchanged files adds no compile. */
export const mdxCacheStats = { compiles: 0, memoryHits: 0, diskHits: 0 };

const memory = new Lru<CompiledReading>(200, 32 * 1024 * 1024, (r) => r.code.length * 2);
const manifests = new Lru<string[]>(2000, 2000);
const inFlight = new Map<string, Promise<CompiledReading>>();

/** Forgets the in-memory cache (as a restart would); the disk cache stays. */
export function clearMemoryCache() {
  memory.clear();
  manifests.clear();
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/** The cache key of a reading: compiler version, source, and each imported image's path and bytes. */
export function readingCacheKey(source: string, images: { path: string; bytes: Uint8Array }[], version = COMPILER_VERSION) {
  const hash = createHash("sha256");
  hash.update(`${version}\0`);
  hash.update(source);
  for (const image of [...images].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`\0${image.path}\0${sha256(image.bytes)}`);
  }
  return hash.digest("hex");
}

const toPosix = (p: string) => p.split(path.sep).join("/");

/** A path as stored and reported: relative to the working directory when inside it. */
export function displayPath(absolute: string) {
  const relative = path.relative(process.cwd(), absolute);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? toPosix(relative) : toPosix(absolute);
}

async function writeAtomic(file: string, data: string | Uint8Array) {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.promises.writeFile(temp, data);
  await fs.promises.rename(temp, file);
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.promises.readFile(file, "utf8")) as T;
  } catch {
    return null;
  }
}

const entryFile = (key: string) => path.join(mdxCacheDir(), "entries", `${key}.json`);
const manifestFile = (key: string) => path.join(mdxCacheDir(), "manifests", `${key}.json`);

/** A compiled reading from the cache only (memory, then disk); null on a miss. Never compiles. */
export async function getCompiledReading(key: string): Promise<CompiledReading | null> {
  if (!/^[0-9a-f]{64}$/.test(key)) return null;
  const hit = memory.get(key);
  if (hit) {
    mdxCacheStats.memoryHits += 1;
    return hit;
  }
  const stored = await readJson<CompiledReading>(entryFile(key));
  if (!stored || stored.key !== key || typeof stored.code !== "string") return null;
  // An emitted image deleted since (a clean checkout of public/) means the entry must be rebuilt.
  const assetsDir = contentAssetsDir();
  if (!stored.assets.every((name) => fs.existsSync(path.join(assetsDir, name)))) return null;
  mdxCacheStats.diskHits += 1;
  memory.set(key, stored);
  return stored;
}

/**
 * The compiled reading of an MDX file: from the cache when the source and its images are
 * unchanged, else compiled now (and cached). Throws MdxCompileError with file, line and column.
 */
export async function compileReading(file: string): Promise<CompiledReading> {
  const absolute = path.resolve(file);
  const shown = displayPath(absolute);
  let source: string;
  try {
    source = await fs.promises.readFile(absolute, "utf8");
  } catch (error) {
    throw new MdxCompileError(shown, null, null, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const dir = path.dirname(absolute);
  const manifestKey = sha256(`${COMPILER_VERSION}\0${dir}\0${source}`);
  const images = manifests.get(manifestKey) ?? (await readJson<string[]>(manifestFile(manifestKey)));
  if (images) {
    manifests.set(manifestKey, images);
    const loaded = await readImages(dir, images);
    if (loaded) {
      const cached = await getCompiledReading(readingCacheKey(source, loaded));
      if (cached) return cached;
    }
  }
  // Two requests for the same uncached reading share one compile.
  const pending = inFlight.get(manifestKey);
  if (pending) return pending;
  const job = compileNow(absolute, shown, source, manifestKey).finally(() => inFlight.delete(manifestKey));
  inFlight.set(manifestKey, job);
  return job;
}

async function readImages(dir: string, images: string[]) {
  try {
    return await Promise.all(images.map(async (p) => ({ path: p, bytes: await fs.promises.readFile(path.join(dir, p)) })));
  } catch {
    return null;
  }
}

async function compileNow(absolute: string, shown: string, source: string, manifestKey: string): Promise<CompiledReading> {
  const dir = path.dirname(absolute);
  const assetsDir = contentAssetsDir();
  const stats: ReadingStats = { chars: 0 };
  const images = new Map<string, Uint8Array>();
  const emitted: string[] = [];
  let bundled: Awaited<ReturnType<typeof bundleMDX>>;
  try {
    bundled = await bundleMDX({
      source,
      cwd: dir,
      mdxOptions(options) {
        options.remarkPlugins = [...(options.remarkPlugins ?? []), remarkReading({ dir, stats }) as never];
        return options;
      },
      esbuildOptions(options) {
        return {
          ...options,
          logLevel: "silent",
          charset: "utf8",
          target: ["es2019"],
          define: { ...options.define, "process.env.NODE_ENV": '"production"' },
          // Nothing is written by esbuild itself: the plugin writes the images, the code stays in memory.
          write: false,
          outdir: assetsDir,
          publicPath: CONTENT_ASSETS_URL,
          assetNames: "[hash]",
          plugins: [imagePlugin(dir, assetsDir, images, emitted), ...(options.plugins ?? [])],
        };
      },
    });
  } catch (error) {
    throw toCompileError(error, shown);
  }
  const imageList = [...images].map(([p, bytes]) => ({ path: toPosix(path.relative(dir, p)), bytes }));
  const key = readingCacheKey(source, imageList);
  const reading: CompiledReading = {
    key,
    code: bundled.code,
    // Through JSON, so the entry read back from disk is the same as the one compiled (YAML dates).
    frontmatter: JSON.parse(JSON.stringify(bundled.frontmatter ?? {})) as Record<string, unknown>,
    chars: stats.chars,
    assets: emitted.sort(),
    file: shown,
  };
  mdxCacheStats.compiles += 1;
  memory.set(key, reading);
  manifests.set(manifestKey, imageList.map((i) => i.path));
  try {
    await writeAtomic(entryFile(key), JSON.stringify(reading));
    await writeAtomic(manifestFile(manifestKey), JSON.stringify(imageList.map((i) => i.path)));
  } catch (error) {
    // A read-only disk only costs a recompile after a restart.
    console.warn(`mdx cache: cannot write ${mdxCacheDir()}: ${String(error)}`);
  }
  return reading;
}

/** Records the images a reading imports; inlines small ones, writes the others to the assets folder. */
function imagePlugin(dir: string, assetsDir: string, images: Map<string, Uint8Array>, emitted: string[]): esbuild.Plugin {
  return {
    name: "reading-images",
    setup(build) {
      build.onLoad({ filter: IMAGE_EXTENSIONS }, async (args) => {
        const bytes = await fs.promises.readFile(args.path);
        images.set(args.path, bytes);
        return { contents: bytes, loader: bytes.length <= INLINE_IMAGE_LIMIT ? "dataurl" : "file", resolveDir: dir };
      });
      build.onEnd(async (result) => {
        if (result.errors.length > 0 || !result.outputFiles) return;
        const code: esbuild.OutputFile[] = [];
        for (const output of result.outputFiles) {
          if (output.path.endsWith(".js")) {
            code.push(output);
            continue;
          }
          // Content-hashed names: an existing file already has these bytes.
          if (!fs.existsSync(output.path)) await writeAtomic(output.path, output.contents);
          emitted.push(toPosix(path.relative(assetsDir, output.path)));
        }
        // mdx-bundler takes the first output file as the code.
        result.outputFiles = code;
      });
    },
  };
}

type EsbuildMessageLike = {
  text?: string;
  location?: { line?: number; column?: number } | null;
  detail?: { line?: number; column?: number; reason?: string; cause?: { reason?: string; line?: number; column?: number } };
};

/** Turns what mdx-bundler, esbuild, the MDX compiler or the YAML parser threw into file:line:column. */
export function toCompileError(error: unknown, file: string): MdxCompileError {
  if (error instanceof MdxCompileError) return error;
  const clean = (text: string) => text.replace(/\S*_mdx_bundler_entry_point-[\w-]+\.mdx(:\d+:\d+(-\d+:\d+)?)?:?\s*/g, "").trim();
  const errors = (error as { errors?: EsbuildMessageLike[] } | null)?.errors;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  if (first) {
    const detail = first.detail && typeof first.detail === "object" ? first.detail : undefined;
    let line = detail?.cause?.line ?? detail?.line ?? first.location?.line ?? null;
    let column = detail?.cause?.column ?? detail?.column ?? (first.location?.column !== undefined ? first.location.column + 1 : null);
    const reason = clean(detail?.cause?.reason ?? (detail?.reason && detail.reason !== "Cannot process MDX file with esbuild" ? detail.reason : undefined) ?? first.text ?? "compile error");
    if (!line) {
      // Some MDX errors (an unclosed tag) carry their place only in the text: "… (7:1-7:11)".
      const place = /\((\d+):(\d+)(?:-\d+:\d+)?\)/.exec(reason);
      line = place ? Number(place[1]) : null;
      column = place ? Number(place[2]) : null;
    }
    return new MdxCompileError(file, line, line ? (column ?? 1) : null, reason);
  }
  // js-yaml (frontmatter): mark is 0-based within the YAML block, which starts on line 2.
  const yaml = error as { name?: string; reason?: string; mark?: { line: number; column: number } } | null;
  if (yaml?.name === "YAMLException" && yaml.mark) {
    return new MdxCompileError(file, yaml.mark.line + 2, yaml.mark.column + 1, `frontmatter: ${yaml.reason ?? "invalid YAML"}`);
  }
  return new MdxCompileError(file, null, null, clean(error instanceof Error ? error.message : String(error)));
}
