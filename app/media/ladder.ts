// Pure parts of the video pipeline: reading ffprobe's answer, choosing the rendition ladder and
// building ffmpeg's arguments. No I/O here, so it is unit-tested without ffmpeg.

export type Probe = {
  /** Seconds (container duration, else the longest stream). */
  duration: number;
  /** Coded size of the first video stream. */
  width: number;
  height: number;
  /** Size as displayed: rotation and non-square pixels applied. */
  displayWidth: number;
  displayHeight: number;
  /** Frames per second (average, else nominal); 25 when unknown. */
  fps: number;
  hasAudio: boolean;
  videoCodec: string;
  formatName: string;
};

/** A rendition of the ladder: its name, output size and video bitrates in bits per second. */
export type Rendition = {
  name: string;
  /** The short side of the output: 360, 720 or 1080. */
  rung: number;
  width: number;
  height: number;
  videoBitrate: number;
  maxrate: number;
  bufsize: number;
};

export const RUNGS = [
  { rung: 360, videoBitrate: 800_000 },
  { rung: 720, videoBitrate: 2_800_000 },
  { rung: 1080, videoBitrate: 5_000_000 },
] as const;

/** Segment length (seconds); keyframes are forced at these boundaries. */
export const SEGMENT_SECONDS = 5;
export const X264_PRESET = "veryfast";
export const X264_CRF = 23;

export class ProbeError extends Error {}

export type FfprobeStream = {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_aspect_ratio?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
};
export type FfprobeJson = { streams?: FfprobeStream[]; format?: { duration?: string; format_name?: string } };

function ratio(text: string | undefined): number {
  if (!text) return NaN;
  const [a, b] = text.split(/[/:]/).map(Number);
  if (b === undefined) return a;
  return b === 0 ? NaN : a / b;
}

/** Reads `ffprobe -print_format json -show_format -show_streams`; throws ProbeError for a file with no usable video. */
export function parseProbe(json: string | FfprobeJson): Probe {
  const data: FfprobeJson = typeof json === "string" ? JSON.parse(json) : json;
  const streams = data.streams ?? [];
  const video = streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  if (!video || !video.width || !video.height) throw new ProbeError("no video stream found");
  const durations = [Number(data.format?.duration), ...streams.map((s) => Number(s.duration))].filter((d) => Number.isFinite(d) && d > 0);
  const duration = Number.isFinite(Number(data.format?.duration)) && Number(data.format?.duration) > 0 ? Number(data.format?.duration) : Math.max(0, ...durations);
  if (!(duration > 0)) throw new ProbeError("the duration of the video is unknown or zero");

  let fps = ratio(video.avg_frame_rate);
  if (!Number.isFinite(fps) || fps <= 0 || fps > 240) fps = ratio(video.r_frame_rate);
  if (!Number.isFinite(fps) || fps <= 0 || fps > 240) fps = 25;

  const sar = ratio(video.sample_aspect_ratio);
  const pixelAspect = Number.isFinite(sar) && sar > 0 ? sar : 1;
  const rotation = Number(video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? video.tags?.rotate ?? 0);
  const quarterTurn = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const shownWidth = Math.round(video.width * pixelAspect);
  return {
    duration,
    width: video.width,
    height: video.height,
    displayWidth: quarterTurn ? video.height : shownWidth,
    displayHeight: quarterTurn ? shownWidth : video.height,
    fps,
    hasAudio: streams.some((s) => s.codec_type === "audio"),
    videoCodec: video.codec_name ?? "unknown",
    formatName: data.format?.format_name ?? "unknown",
  };
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/**
 * The renditions for a source: every rung up to the source's short side (no upscaling), and 360p
 * always (even from a smaller source). Sizes keep the displayed aspect ratio, even numbers.
 */
export function chooseLadder(probe: Pick<Probe, "displayWidth" | "displayHeight">): Rendition[] {
  const { displayWidth: w, displayHeight: h } = probe;
  const landscape = w >= h;
  const shortSide = Math.min(w, h);
  return RUNGS.filter((r) => r.rung === 360 || r.rung <= shortSide).map((r) => {
    const width = landscape ? even((w * r.rung) / h) : r.rung;
    const height = landscape ? r.rung : even((h * r.rung) / w);
    return {
      name: `${r.rung}p`,
      rung: r.rung,
      width,
      height,
      videoBitrate: r.videoBitrate,
      maxrate: Math.round(r.videoBitrate * 1.07),
      bufsize: r.videoBitrate * 2,
    };
  });
}

/** Output frame rate: the source's, halved above 30 fps (50 → 25, 60 → 30) for lecture content. */
export function outputFps(sourceFps: number) {
  return sourceFps > 30.5 ? sourceFps / 2 : sourceFps;
}

const kbps = (bits: number) => `${Math.round(bits / 1000)}k`;

/** Audio is encoded once, as an HLS audio rendition shared by every video variant. */
export const AUDIO_BITRATE = 128_000;
export const AUDIO_GROUP = "audio";

/**
 * One ffmpeg process for the whole ladder: the source is decoded once, split in the filter graph,
 * scaled per rendition and encoded with x264; the audio is encoded once (AAC) into its own
 * rendition group that every variant refers to. Segmented into HLS with a master playlist
 * (finish it with `finalizeMasterPlaylist`). Paths: `outDir/master.m3u8`,
 * `outDir/<name>/index.m3u8` with `seg_000.ts`…, and `outDir/audio/…` when there is sound.
 */
export function buildHlsArgs({
  input,
  outDir,
  probe,
  ladder,
  threads,
}: {
  input: string;
  outDir: string;
  probe: Pick<Probe, "fps" | "hasAudio">;
  ladder: Rendition[];
  threads?: number;
}): string[] {
  if (ladder.length === 0) throw new Error("empty ladder");
  const fps = outputFps(probe.fps);
  const fpsFilter = fps !== probe.fps ? `fps=${Number(fps.toFixed(3))},` : "";
  const labels = ladder.map((_, i) => `[s${i}]`).join("");
  const graph = [
    `[0:v:0]${fpsFilter}split=${ladder.length}${labels}`,
    ...ladder.map((r, i) => `[s${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1,format=yuv420p[v${i}]`),
  ].join(";");
  const gop = Math.max(1, Math.round(fps * SEGMENT_SECONDS));

  const args = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats", "-i", input, "-filter_complex", graph];
  if (probe.hasAudio) args.push("-map", "0:a:0");
  ladder.forEach((_, i) => args.push("-map", `[v${i}]`));
  args.push(
    "-c:v", "libx264",
    "-preset", X264_PRESET,
    "-profile:v", "main",
    "-crf", String(X264_CRF),
    "-g", String(gop),
    "-keyint_min", String(gop),
    "-sc_threshold", "0",
    "-force_key_frames", `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
  );
  if (threads) args.push("-threads", String(threads));
  ladder.forEach((r, i) => {
    args.push(`-maxrate:v:${i}`, kbps(r.maxrate), `-bufsize:v:${i}`, kbps(r.bufsize));
  });
  if (probe.hasAudio) args.push("-c:a", "aac", "-b:a", kbps(AUDIO_BITRATE), "-ac", "2", "-ar", "48000");
  const group = probe.hasAudio ? `,agroup:${AUDIO_GROUP}` : "";
  const streamMap = [
    ...(probe.hasAudio ? [`a:0${group},name:${AUDIO_GROUP}`] : []),
    ...ladder.map((r, i) => `v:${i}${group},name:${r.name}`),
  ].join(" ");
  args.push(
    "-f", "hls",
    "-hls_time", String(SEGMENT_SECONDS),
    "-hls_playlist_type", "vod",
    "-hls_flags", "independent_segments",
    "-hls_segment_type", "mpegts",
    "-hls_segment_filename", `${outDir}/%v/seg_%03d.ts`,
    "-master_pl_name", "master.m3u8",
    "-var_stream_map", streamMap,
    `${outDir}/%v/index.m3u8`,
  );
  return args;
}

/**
 * Tidies ffmpeg's master playlist: drops the audio-only variant it lists for the audio group (a
 * player must not pick a lesson without picture), marks the default audio AUTOSELECT, and
 * declares independent segments.
 */
export function finalizeMasterPlaylist(text: string) {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("#EXT-X-STREAM-INF:") && !/RESOLUTION=/.test(line) && !/avc1|hvc1|hev1|av01|vp09/.test(line)) {
      // Skip the tag and its URI line.
      while (i + 1 < lines.length && (lines[i + 1].trim() === "" || lines[i + 1].startsWith("#"))) i++;
      i++;
      continue;
    }
    if (line.startsWith("#EXT-X-MEDIA:") && /DEFAULT=YES/.test(line) && !/AUTOSELECT=/.test(line)) {
      out.push(line.replace("DEFAULT=YES", "DEFAULT=YES,AUTOSELECT=YES"));
      continue;
    }
    out.push(line);
  }
  if (!out.includes("#EXT-X-INDEPENDENT-SEGMENTS")) {
    const at = out.findIndex((l) => l.startsWith("#EXT-X-VERSION"));
    out.splice(at >= 0 ? at + 1 : 1, 0, "#EXT-X-INDEPENDENT-SEGMENTS");
  }
  return out.filter((l, i) => l.trim() !== "" || (i > 0 && out[i - 1].trim() !== "")).join("\n").trimEnd() + "\n";
}

/** The time of the poster frame: a tenth into the video, at most 10 s in. */
export function posterTime(duration: number) {
  return Math.min(10, Math.max(0, duration * 0.1));
}

export function buildPosterArgs({ input, output, at, width, height }: { input: string; output: string; at: number; width: number; height: number }) {
  return [
    "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
    "-ss", at.toFixed(3),
    "-i", input,
    "-frames:v", "1",
    "-vf", `scale=${width}:${height},setsar=1`,
    "-q:v", "3",
    "-f", "image2",
    output,
  ];
}

/** ffmpeg gets this long before it is killed: 2 min plus 8 s per second of video. */
export function transcodeTimeoutMs(duration: number, factor = 8) {
  return Math.round((120 + duration * factor) * 1000);
}

/** Segment durations from a media playlist (EXTINF lines). */
export function parseSegmentDurations(playlist: string): number[] {
  return [...playlist.matchAll(/^#EXTINF:([\d.]+)/gm)].map((m) => Number(m[1]));
}

/** Variant entries of a master playlist: attributes and URI. */
export function parseMasterPlaylist(playlist: string) {
  const lines = playlist.split(/\r?\n/);
  const variants: { bandwidth: number; resolution: string; codecs: string; uri: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const attrs = line.slice("#EXT-X-STREAM-INF:".length);
    const get = (name: string) => {
      const match = attrs.match(new RegExp(`(?:^|,)${name}=(?:"([^"]*)"|([^,]*))`));
      return match ? (match[1] ?? match[2]) : "";
    };
    const uri = lines.slice(i + 1).find((l) => l.trim() && !l.startsWith("#"))?.trim() ?? "";
    variants.push({ bandwidth: Number(get("BANDWIDTH")), resolution: get("RESOLUTION"), codecs: get("CODECS"), uri });
  }
  return variants;
}
