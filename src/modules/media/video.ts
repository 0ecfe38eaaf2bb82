import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaConfig } from '../../platform/config/config.ts';
import { type Probe, runFfmpeg } from './ffmpeg.ts';

/** The HLS ladder; renditions taller than the source are left out (no upscaling), the smallest always made. */
export const LADDER = [
  { name: '360p', height: 360, videoKbps: 800, audioKbps: 96 },
  { name: '720p', height: 720, videoKbps: 2800, audioKbps: 128 },
  { name: '1080p', height: 1080, videoKbps: 5000, audioKbps: 160 },
] as const;
export type Rendition = (typeof LADDER)[number];

export const MASTER_PLAYLIST = 'master.m3u8';
export const MP4_FALLBACK = 'fallback.mp4';
export const POSTER = 'poster.jpg';
const SEGMENT_SECONDS = 4;

export function renditionsFor(sourceHeight: number): Rendition[] {
  const fitting = LADDER.filter((rendition) => rendition.height <= sourceHeight);
  return fitting.length > 0 ? fitting : [LADDER[0]];
}

const x264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p'];

/**
 * HLS renditions with a master playlist, in one FFmpeg run: the input is decoded once and split into one scaled
 * stream per rendition. Keyframes every segment so renditions switch cleanly. Files go to `dir/<rendition>/`.
 */
export async function transcodeHls(config: MediaConfig, input: string, dir: string, probe: Probe, renditions: Rendition[], onProgress: (fraction: number) => void, signal: AbortSignal): Promise<void> {
  for (const rendition of renditions) await mkdir(join(dir, rendition.name), { recursive: true });
  const split = `[0:v]split=${renditions.length}${renditions.map((_, index) => `[s${index}]`).join('')};`;
  const scales = renditions.map((rendition, index) => `[s${index}]scale=-2:${rendition.height}[v${index}]`).join(';');
  const args = ['-threads', '{threads}', '-i', input, '-filter_complex', split + scales];
  renditions.forEach((rendition, index) => {
    args.push('-map', `[v${index}]`, `-b:v:${index}`, `${rendition.videoKbps}k`, `-maxrate:v:${index}`, `${Math.round(rendition.videoKbps * 1.2)}k`, `-bufsize:v:${index}`, `${rendition.videoKbps * 2}k`);
    if (probe.hasAudio) args.push('-map', '0:a:0', `-b:a:${index}`, `${rendition.audioKbps}k`);
  });
  args.push(...x264, '-threads', '{threads}', '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`, '-sc_threshold', '0');
  if (probe.hasAudio) args.push('-c:a', 'aac', '-ac', '2');
  const streamMap = renditions.map((rendition, index) => `v:${index}${probe.hasAudio ? `,a:${index}` : ''},name:${rendition.name}`).join(' ');
  args.push(
    '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod', '-hls_flags', 'independent_segments',
    '-hls_segment_filename', join(dir, '%v', 'segment_%04d.ts'),
    '-master_pl_name', MASTER_PLAYLIST, '-var_stream_map', streamMap, join(dir, '%v', 'index.m3u8'),
  );
  await runFfmpeg(config, { args, durationMs: probe.durationMs, onProgress, signal });
}

/** An MP4 (H.264/AAC, at most 720p, moov atom first) for players without HLS. */
export async function transcodeMp4(config: MediaConfig, input: string, output: string, probe: Probe, signal: AbortSignal): Promise<void> {
  const height = Math.min(720, probe.height - (probe.height % 2));
  const args = ['-threads', '{threads}', '-i', input, '-vf', `scale=-2:${height}`, ...x264, '-threads', '{threads}', '-b:v', '2500k'];
  if (probe.hasAudio) args.push('-c:a', 'aac', '-b:a', '128k', '-ac', '2');
  else args.push('-an');
  args.push('-movflags', '+faststart', output);
  await runFfmpeg(config, { args, signal });
}

/** A JPEG poster frame from one second in (or the middle of a shorter clip). */
export async function posterFrame(config: MediaConfig, input: string, output: string, probe: Probe, signal: AbortSignal): Promise<void> {
  const at = Math.min(1, probe.durationMs / 2000).toFixed(3);
  await runFfmpeg(config, { args: ['-threads', '{threads}', '-ss', at, '-i', input, '-frames:v', '1', '-q:v', '3', output], signal });
}
