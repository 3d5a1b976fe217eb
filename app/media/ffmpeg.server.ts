// Running ffmpeg and ffprobe (Debian packages): a timeout, a stall watchdog, abort on request,
// the tail of stderr for error messages, and no orphaned children when this process exits.
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import { parseProbe, ProbeError, type Probe } from "./ladder";

export const FFMPEG = process.env.FFMPEG_PATH || "ffmpeg";
export const FFPROBE = process.env.FFPROBE_PATH || "ffprobe";
const STDERR_TAIL_CHARS = 2000;

export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
    readonly reason: "exit" | "timeout" | "stalled" | "aborted" | "spawn",
  ) {
    super(stderrTail ? `${message}\n${stderrTail}` : message);
    this.name = "FfmpegError";
  }
}

const children = new Set<ChildProcess>();
const globalForFfmpeg = globalThis as unknown as { __ffmpegExitHook?: boolean };
if (!globalForFfmpeg.__ffmpegExitHook) {
  globalForFfmpeg.__ffmpegExitHook = true;
  // A worker that dies must not leave an encoder running: the job is resumed elsewhere.
  process.on("exit", () => {
    for (const child of children) child.kill("SIGKILL");
  });
}

export type RunOptions = {
  /** Kill after this long. */
  timeoutMs: number;
  /** Kill when `-progress pipe:1` output stops for this long (only with that option). */
  stallMs?: number;
  signal?: AbortSignal;
  /** Called with each `key=value` block of `-progress` output. */
  onProgress?: (progress: Record<string, string>) => void;
};

/** Runs a command; resolves with stdout and stderr's tail, rejects with FfmpegError carrying stderr's tail. */
export function runTool(
  command: string,
  args: string[],
  { timeoutMs, stallMs, signal, onProgress }: RunOptions,
): Promise<{ stdout: string; stderrTail: string }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new FfmpegError(`${command} not started: ${abortText(signal)}`, "", "aborted"));
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    // Transcoding shares the machine with the web server: let page requests go first.
    if (child.pid) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // Not permitted here: run at normal priority.
      }
    }
    children.add(child);
    let stdout = "";
    let stderr = "";
    let killedFor: FfmpegError["reason"] | null = null;
    let lastActivity = Date.now();
    const kill = (reason: FfmpegError["reason"]) => {
      if (killedFor) return;
      killedFor = reason;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill("timeout"), timeoutMs);
    const watchdog = stallMs
      ? setInterval(() => {
          if (Date.now() - lastActivity > stallMs) kill("stalled");
        }, Math.min(stallMs, 5000))
      : null;
    const onAbort = () => kill("aborted");
    signal?.addEventListener("abort", onAbort, { once: true });

    let block: Record<string, string> = {};
    child.stdout.on("data", (chunk: Buffer) => {
      lastActivity = Date.now();
      const text = chunk.toString();
      if (!onProgress) {
        stdout += text;
        return;
      }
      stdout = (stdout + text).slice(-4096);
      const lines = stdout.split("\n");
      stdout = lines.pop() ?? "";
      for (const line of lines) {
        const eq = line.indexOf("=");
        if (eq < 0) continue;
        const key = line.slice(0, eq).trim();
        block[key] = line.slice(eq + 1).trim();
        if (key === "progress") {
          onProgress(block);
          block = {};
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      lastActivity = Date.now();
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS * 4);
    });
    const finish = () => {
      clearTimeout(timer);
      if (watchdog) clearInterval(watchdog);
      signal?.removeEventListener("abort", onAbort);
      children.delete(child);
    };
    child.on("error", (error) => {
      finish();
      reject(new FfmpegError(`${command} could not be started (${error.message}); is it installed?`, "", "spawn"));
    });
    child.on("close", (code, sig) => {
      finish();
      const tail = stderrTail(stderr);
      if (killedFor === "timeout") return reject(new FfmpegError(`${command} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`, tail, "timeout"));
      if (killedFor === "stalled") return reject(new FfmpegError(`${command} made no progress for ${Math.round((stallMs ?? 0) / 1000)} s and was stopped`, tail, "stalled"));
      if (killedFor === "aborted") return reject(new FfmpegError(`${command} stopped: ${abortText(signal)}`, tail, "aborted"));
      if (code !== 0) return reject(new FfmpegError(`${command} failed (${code === null ? `signal ${sig}` : `exit code ${code}`})`, tail, "exit"));
      resolve({ stdout, stderrTail: tail });
    });
  });
}

function abortText(signal?: AbortSignal) {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : String(reason ?? "aborted");
}

/** The last lines of stderr, without blank lines, at most ~2,000 characters. */
export function stderrTail(stderr: string) {
  const lines = stderr.split(/\r?\n/).map((l) => l.trimEnd()).filter(Boolean);
  let tail = "";
  for (let i = lines.length - 1; i >= 0; i--) {
    const next = tail ? `${lines[i]}\n${tail}` : lines[i];
    if (next.length > STDERR_TAIL_CHARS) break;
    tail = next;
  }
  return tail || stderr.slice(-STDERR_TAIL_CHARS);
}

/** ffprobe's view of a file. Throws ProbeError (with ffprobe's message) for anything unplayable. */
export async function probeVideo(file: string, { signal, timeoutMs = 60_000 }: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Probe> {
  let json: string;
  try {
    ({ stdout: json } = await runTool(FFPROBE, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file], { timeoutMs, signal }));
  } catch (error) {
    if (error instanceof FfmpegError && error.reason === "exit") {
      throw new ProbeError(`the file cannot be read as a video (ffprobe): ${error.stderrTail || "no details"}`);
    }
    throw error;
  }
  try {
    return parseProbe(json);
  } catch (error) {
    if (error instanceof ProbeError) throw error;
    throw new ProbeError(`ffprobe gave an unreadable answer: ${(error as Error).message}`);
  }
}
