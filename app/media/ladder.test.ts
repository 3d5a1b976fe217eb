import { describe, expect, it } from "vitest";
import {
  buildHlsArgs,
  buildPosterArgs,
  chooseLadder,
  finalizeMasterPlaylist,
  outputFps,
  parseMasterPlaylist,
  parseProbe,
  parseSegmentDurations,
  posterTime,
  ProbeError,
  transcodeTimeoutMs,
  type FfprobeJson,
  type FfprobeStream,
} from "./ladder";

const size = (w: number, h: number) => ({ displayWidth: w, displayHeight: h });
const names = (w: number, h: number) => chooseLadder(size(w, h)).map((r) => `${r.name}=${r.width}x${r.height}`);

describe("chooseLadder", () => {
  it("gives 360p and 720p for a 720p source, never upscaling to 1080p", () => {
    expect(names(1280, 720)).toEqual(["360p=640x360", "720p=1280x720"]);
  });
  it("adds 1080p from a 1080p (or larger) source", () => {
    expect(names(1920, 1080)).toEqual(["360p=640x360", "720p=1280x720", "1080p=1920x1080"]);
    expect(names(3840, 2160)).toEqual(["360p=640x360", "720p=1280x720", "1080p=1920x1080"]);
  });
  it("always produces 360p, even from a smaller source", () => {
    expect(names(320, 240)).toEqual(["360p=480x360"]);
    expect(names(854, 480)).toEqual(["360p=640x360"]);
  });
  it("keeps odd aspect ratios with even sizes", () => {
    expect(names(1440, 1080)).toEqual(["360p=480x360", "720p=960x720", "1080p=1440x1080"]);
    expect(names(1000, 718)).toEqual(["360p=502x360"]);
  });
  it("measures portrait video by its short side", () => {
    expect(names(1080, 1920)).toEqual(["360p=360x640", "720p=720x1280", "1080p=1080x1920"]);
    expect(names(720, 1280)).toEqual(["360p=360x640", "720p=720x1280"]);
  });
  it("sets rising bitrates with maxrate and bufsize", () => {
    const ladder = chooseLadder(size(1920, 1080));
    for (let i = 1; i < ladder.length; i++) expect(ladder[i].videoBitrate).toBeGreaterThan(ladder[i - 1].videoBitrate);
    for (const r of ladder) {
      expect(r.maxrate).toBeGreaterThan(r.videoBitrate);
      expect(r.bufsize).toBe(r.videoBitrate * 2);
    }
  });
});

describe("parseProbe", () => {
  const probeJson = (overrides: FfprobeStream = {}, extraStreams: FfprobeStream[] = []): FfprobeJson => ({
    streams: [
      { codec_type: "video", codec_name: "h264", width: 1920, height: 1080, avg_frame_rate: "30000/1001", r_frame_rate: "30000/1001", sample_aspect_ratio: "1:1", ...overrides },
      ...extraStreams,
    ],
    format: { duration: "12.345", format_name: "mov,mp4,m4a,3gp,3g2,mj2" },
  });

  it("reads duration, size, frame rate and audio", () => {
    const p = parseProbe(JSON.stringify(probeJson({}, [{ codec_type: "audio", codec_name: "aac" }])));
    expect(p).toMatchObject({ duration: 12.345, width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, hasAudio: true, videoCodec: "h264" });
    expect(p.fps).toBeCloseTo(29.97, 2);
  });
  it("notices a missing audio track", () => {
    expect(parseProbe(probeJson()).hasAudio).toBe(false);
  });
  it("swaps the displayed size for a phone video rotated by 90°", () => {
    const p = parseProbe(probeJson({ side_data_list: [{ rotation: -90 }] }));
    expect([p.displayWidth, p.displayHeight]).toEqual([1080, 1920]);
    expect(parseProbe(probeJson({ tags: { rotate: "270" } })).displayHeight).toBe(1920);
  });
  it("applies non-square pixels", () => {
    const p = parseProbe(probeJson({ width: 1440, height: 1080, sample_aspect_ratio: "4:3" }));
    expect([p.displayWidth, p.displayHeight]).toEqual([1920, 1080]);
  });
  it("ignores cover art and falls back on stream durations and a default frame rate", () => {
    const p = parseProbe({
      streams: [
        { codec_type: "video", codec_name: "mjpeg", width: 600, height: 600, disposition: { attached_pic: 1 } },
        { codec_type: "video", codec_name: "vp9", width: 640, height: 360, duration: "7.5", avg_frame_rate: "0/0", r_frame_rate: "0/0" },
      ],
      format: {},
    });
    expect(p).toMatchObject({ width: 640, duration: 7.5, fps: 25, videoCodec: "vp9" });
  });
  it("refuses files without video or without a duration", () => {
    expect(() => parseProbe({ streams: [{ codec_type: "audio" }], format: { duration: "3" } })).toThrow(ProbeError);
    expect(() => parseProbe({ streams: [{ codec_type: "video", width: 10, height: 10 }], format: {} })).toThrow(/duration/);
  });
});

describe("buildHlsArgs", () => {
  const ladder = chooseLadder(size(1280, 720));
  const args = buildHlsArgs({ input: "/m/1/original.mp4", outDir: "/m/1/.tmp-hls-x", probe: { fps: 25, hasAudio: true }, ladder });
  const value = (flag: string) => args[args.indexOf(flag) + 1];

  it("decodes once and splits the picture in one filter graph", () => {
    expect(args.filter((a) => a === "-i")).toHaveLength(1);
    expect(value("-filter_complex")).toBe(
      "[0:v:0]split=2[s0][s1];[s0]scale=640:360:flags=bicubic,setsar=1,format=yuv420p[v0];[s1]scale=1280:720:flags=bicubic,setsar=1,format=yuv420p[v1]",
    );
    expect(args.join(" ")).toContain("-map 0:a:0 -map [v0] -map [v1]");
  });
  it("encodes H.264 (veryfast) with capped bitrates per rendition, and the audio once (AAC)", () => {
    expect(value("-c:v")).toBe("libx264");
    expect(value("-preset")).toBe("veryfast");
    expect(value("-maxrate:v:0")).toBe("856k");
    expect(value("-maxrate:v:1")).toBe("2996k");
    expect(value("-c:a")).toBe("aac");
    expect(value("-b:a")).toBe("128k");
    expect(args.filter((a) => a === "-c:a")).toHaveLength(1);
  });
  it("forces keyframes on 5 s boundaries and cuts 5 s HLS segments with a master playlist", () => {
    expect(value("-force_key_frames")).toBe("expr:gte(t,n_forced*5)");
    expect(value("-g")).toBe("125");
    expect(value("-sc_threshold")).toBe("0");
    expect(value("-hls_time")).toBe("5");
    expect(value("-hls_playlist_type")).toBe("vod");
    expect(value("-master_pl_name")).toBe("master.m3u8");
    expect(value("-var_stream_map")).toBe("a:0,agroup:audio,name:audio v:0,agroup:audio,name:360p v:1,agroup:audio,name:720p");
    expect(value("-hls_segment_filename")).toBe("/m/1/.tmp-hls-x/%v/seg_%03d.ts");
    expect(args.at(-1)).toBe("/m/1/.tmp-hls-x/%v/index.m3u8");
  });
  it("leaves audio out for a silent source and halves 60 fps", () => {
    const silent = buildHlsArgs({ input: "in", outDir: "out", probe: { fps: 60, hasAudio: false }, ladder });
    expect(silent).not.toContain("0:a:0");
    expect(silent).not.toContain("-c:a");
    expect(silent[silent.indexOf("-var_stream_map") + 1]).toBe("v:0,name:360p v:1,name:720p");
    expect(silent[silent.indexOf("-filter_complex") + 1]).toMatch(/^\[0:v:0\]fps=30,split=2/);
    expect(silent[silent.indexOf("-g") + 1]).toBe("150");
  });
  it("frame rates", () => {
    expect(outputFps(25)).toBe(25);
    expect(outputFps(30000 / 1001)).toBeCloseTo(29.97);
    expect(outputFps(50)).toBe(25);
    expect(outputFps(60)).toBe(30);
  });
});

describe("finalizeMasterPlaylist", () => {
  const fromFfmpeg = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_audio",NAME="audio_0",DEFAULT=YES,URI="audio/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=140800,CODECS="mp4a.40.2",AUDIO="group_audio"
audio/index.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=1082400,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="group_audio"
360p/index.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=3436400,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2",AUDIO="group_audio"
720p/index.m3u8
`;
  it("drops the audio-only variant, keeps the audio group and the video variants", () => {
    const out = finalizeMasterPlaylist(fromFfmpeg);
    expect(out).toBe(`#EXTM3U
#EXT-X-VERSION:3
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_audio",NAME="audio_0",DEFAULT=YES,AUTOSELECT=YES,URI="audio/index.m3u8"

#EXT-X-STREAM-INF:BANDWIDTH=1082400,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="group_audio"
360p/index.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=3436400,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2",AUDIO="group_audio"
720p/index.m3u8
`);
    expect(parseMasterPlaylist(out).map((v) => v.uri)).toEqual(["360p/index.m3u8", "720p/index.m3u8"]);
  });
  it("leaves a silent video's playlist as it is (but for the tag)", () => {
    const silent = `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=942400,RESOLUTION=640x360,CODECS="avc1.4d401e"\n360p/index.m3u8\n`;
    expect(finalizeMasterPlaylist(silent)).toBe(silent.replace("#EXT-X-VERSION:3\n", "#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n"));
    expect(finalizeMasterPlaylist(finalizeMasterPlaylist(fromFfmpeg))).toBe(finalizeMasterPlaylist(fromFfmpeg));
  });
});

describe("poster, timeout and playlists", () => {
  it("takes the poster a tenth in, at most 10 s", () => {
    expect(posterTime(12)).toBeCloseTo(1.2);
    expect(posterTime(3600)).toBe(10);
    const args = buildPosterArgs({ input: "in.mp4", output: "p.jpg", at: 1.2, width: 1280, height: 720 });
    expect(args.join(" ")).toContain("-ss 1.200 -i in.mp4 -frames:v 1 -vf scale=1280:720,setsar=1");
  });
  it("allows time in proportion to the duration", () => {
    expect(transcodeTimeoutMs(10)).toBe(200_000);
    expect(transcodeTimeoutMs(3600)).toBeGreaterThan(transcodeTimeoutMs(60));
  });
  it("parses master and media playlists", () => {
    const master = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-STREAM-INF:BANDWIDTH=1047200,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
360p/index.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=3436400,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2"
720p/index.m3u8
`;
    expect(parseMasterPlaylist(master)).toEqual([
      { bandwidth: 1047200, resolution: "640x360", codecs: "avc1.4d401e,mp4a.40.2", uri: "360p/index.m3u8" },
      { bandwidth: 3436400, resolution: "1280x720", codecs: "avc1.4d401f,mp4a.40.2", uri: "720p/index.m3u8" },
    ]);
    expect(parseSegmentDurations("#EXTM3U\n#EXTINF:5.000000,\nseg_000.ts\n#EXTINF:1.04,\nseg_001.ts\n#EXT-X-ENDLIST\n")).toEqual([5, 1.04]);
  });
});
