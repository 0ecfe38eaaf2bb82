import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { MediaConfig } from '../../platform/config/config.ts';
import type { CheckResult, HealthCheck } from '../../platform/observability/health.ts';

const run = promisify(execFile);

export class FfmpegError extends Error {
  readonly reason: 'timeout' | 'aborted' | 'exit' | 'spawn';
  constructor(reason: FfmpegError['reason'], message: string) {
    super(message);
    this.name = 'FfmpegError';
    this.reason = reason;
  }
}

export interface FfmpegRun {
  args: string[];
  /** Length of the input in ms, to turn FFmpeg's `out_time` into a 0..1 fraction. */
  durationMs?: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * One FFmpeg child with the media worker's limits: a thread limit (`-threads`), lower CPU priority (`nice`), and
 * a time limit after which it is killed. Progress comes from `-progress pipe:1`.
 */
export function runFfmpeg(config: MediaConfig, options: FfmpegRun): Promise<void> {
  const args = ['-n', String(config.ffmpegNice), config.ffmpegPath, '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];
  args.push('-filter_complex_threads', String(config.ffmpegThreads), ...options.args.flatMap((arg) => (arg === '{threads}' ? [String(config.ffmpegThreads)] : [arg])));
  return new Promise((resolve, reject) => {
    const child = spawn('nice', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let failure: FfmpegError | undefined;
    const kill = (reason: 'timeout' | 'aborted', message: string) => {
      failure = new FfmpegError(reason, message);
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout', `ffmpeg ran longer than ${config.ffmpegTimeoutMs} ms`), config.ffmpegTimeoutMs);
    const onAbort = () => kill('aborted', 'ffmpeg was stopped (job timeout or shutdown)');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!options.onProgress || !options.durationMs) return;
      const matches = [...chunk.matchAll(/out_time_us=(\d+)/g)];
      const last = matches.at(-1);
      if (last) options.onProgress(Math.min(1, Number(last[1]) / 1000 / options.durationMs));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error) => {
      failure = new FfmpegError('spawn', `ffmpeg could not start: ${error.message}`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (code !== 0) reject(new FfmpegError('exit', `ffmpeg exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve();
    });
  });
}

export interface Probe {
  width: number;
  height: number;
  durationMs: number;
  hasAudio: boolean;
}

/** Dimensions, duration and audio presence of a video, from ffprobe (beside the ffmpeg binary). */
export async function probeVideo(config: MediaConfig, path: string): Promise<Probe> {
  const ffprobe = config.ffmpegPath.replace(/ffmpeg$/, 'ffprobe');
  const { stdout } = await run(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', path], { timeout: 30_000 });
  const parsed = JSON.parse(stdout) as { streams: { codec_type: string; width?: number; height?: number; tags?: { rotate?: string } }[]; format: { duration?: string } };
  const video = parsed.streams.find((stream) => stream.codec_type === 'video');
  if (!video?.width || !video.height) throw new FfmpegError('exit', 'The file has no video stream.');
  const durationMs = Math.round(Number(parsed.format.duration ?? 0) * 1000);
  if (!(durationMs > 0)) throw new FfmpegError('exit', 'The video has no duration.');
  return { width: video.width, height: video.height, durationMs, hasAudio: parsed.streams.some((stream) => stream.codec_type === 'audio') };
}

const VERSION_CACHE_MS = 60_000;

/** Readiness of FFmpeg: the binary runs and tells its version (cached a minute). */
export function ffmpegCheck(config: MediaConfig): HealthCheck {
  let last: { at: number; result: CheckResult } | undefined;
  return async () => {
    if (last && Date.now() - last.at < VERSION_CACHE_MS) return last.result;
    const result: CheckResult = await run(config.ffmpegPath, ['-hide_banner', '-version'], { timeout: 5_000 }).then(
      ({ stdout }) => ({ status: 'UP', data: { binary: config.ffmpegPath, version: /ffmpeg version (\S+)/.exec(stdout)?.[1] ?? 'unknown' } }),
      (error: Error) => ({ status: 'DOWN', data: { binary: config.ffmpegPath, error: error.message } }),
    );
    last = { at: Date.now(), result };
    return result;
  };
}
