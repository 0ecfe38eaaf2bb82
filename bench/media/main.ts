/**
 * bench/media: the media pipeline's three hot paths, each against a reference measured in the same run.
 *
 * 1. Image variants of a 12-megapixel JPEG (every size and format the pipeline makes): ours (`encodeVariants`:
 *    orientation, one decode shared by clones, hashing) against bare sharp doing the same resizes one by one.
 *    Rounds alternate; medians.
 * 2. A 30 s 1080p clip transcoded to the HLS ladder (`transcodeHls`, with the worker's thread limit and nice),
 *    as a multiple of real time.
 * 3. Presigned uploads: signing rate (local HMAC and S3 SigV4) and PUT throughput through the local store's
 *    signed-URL route and through s3rver, 4 MiB bodies, 4 at a time.
 * Prints one JSON document.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import S3rver from 's3rver';
import sharp from 'sharp';
import { loadConfig } from '../../src/platform/config/config.ts';
import { LocalObjectStore, type ObjectStore, localObjectRoutes } from '../../src/platform/storage/index.ts';
import { S3ObjectStore } from '../../src/platform/storage/s3.ts';
import { probeVideo } from '../../src/modules/media/ffmpeg.ts';
import { VARIANT_FORMATS, encodeVariants, widthsFor } from '../../src/modules/media/images.ts';
import { renditionsFor, transcodeHls } from '../../src/modules/media/video.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLIP_SECONDS = Number(process.env.BENCH_CLIP_SECONDS ?? 30);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 40);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round3 = (value: number) => Math.round(value * 1000) / 1000;

async function twelveMegapixelJpeg(): Promise<Buffer> {
  // Noise over a gradient: compresses like a photo, not like a flat colour.
  const noise = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
  return sharp(noise).blur(1.2).jpeg({ quality: 88 }).toBuffer();
}

/** Bare sharp: each size and format decoded and encoded on its own, with the same encoder settings. */
async function bareSharp(input: Buffer, width: number): Promise<number> {
  const outputs = await Promise.all(
    widthsFor(width).flatMap((target) =>
      VARIANT_FORMATS.map((format) => {
        const image = sharp(input).resize({ width: target });
        const encoded = format === 'avif' ? image.avif({ quality: 55, effort: 2 }) : format === 'webp' ? image.webp({ quality: 78, effort: 3 }) : image.jpeg({ quality: 80, mozjpeg: true, progressive: true });
        return encoded.toBuffer();
      }),
    ),
  );
  return outputs.length;
}

async function imageBench() {
  const input = await twelveMegapixelJpeg();
  const ours: number[] = [];
  const bare: number[] = [];
  let variants = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let started = performance.now();
    variants = (await encodeVariants(input)).length;
    ours.push((performance.now() - started) / 1000);
    started = performance.now();
    await bareSharp(input, 4000);
    bare.push((performance.now() - started) / 1000);
  }
  return {
    input: { width: 4000, height: 3000, bytes: input.length },
    variants_per_image: variants,
    ours_seconds_median: round3(median(ours)),
    bare_sharp_seconds_median: round3(median(bare)),
    ours_variants_per_second: round3(variants / median(ours)),
    bare_sharp_variants_per_second: round3(variants / median(bare)),
    overhead_ratio: round3(median(ours) / median(bare)),
  };
}

async function videoBench() {
  const config = loadConfig({ APP_PROFILE: 'test', DATABASE_URL: 'postgres://unused@127.0.0.1:1/x' }).media;
  const dir = await mkdtemp(join(tmpdir(), 'bench-media-video-'));
  try {
    const input = join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', String(CLIP_SECONDS), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', input]);
    const probe = await probeVideo(config, input);
    const renditions = renditionsFor(probe.height);
    const started = performance.now();
    await transcodeHls(config, input, join(dir, 'out'), probe, renditions, () => {}, new AbortController().signal);
    const seconds = (performance.now() - started) / 1000;
    return {
      clip_seconds: probe.durationMs / 1000,
      renditions: renditions.map((rendition) => rendition.name),
      ffmpeg_threads: config.ffmpegThreads,
      nice: config.ffmpegNice,
      transcode_seconds: round3(seconds),
      realtime_multiple: round3(probe.durationMs / 1000 / seconds),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function uploads(store: ObjectStore, origin: string) {
  const body = Buffer.alloc(4 * 1024 * 1024, 1);
  let started = performance.now();
  const SIGNS = 2_000;
  for (let index = 0; index < SIGNS; index++) await store.presignPut(`bench/sign/${index}`, { contentType: 'image/jpeg', contentLength: body.length, expiresInS: 900 });
  const signsPerSecond = SIGNS / ((performance.now() - started) / 1000);
  started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < UPLOADS) {
      const index = next++;
      const upload = await store.presignPut(`bench/up/${index}`, { contentType: 'image/jpeg', contentLength: body.length, expiresInS: 900 });
      const response = await fetch(upload.url.startsWith('/') ? `${origin}${upload.url}` : upload.url, { method: 'PUT', headers: upload.headers, body });
      if (!response.ok) throw new Error(`upload ${index}: ${response.status}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const seconds = (performance.now() - started) / 1000;
  return { presign_per_second: Math.round(signsPerSecond), uploads_per_second: round3(UPLOADS / seconds), megabytes_per_second: round3((UPLOADS * 4) / seconds) };
}

async function uploadBench() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-media-store-'));
  const local = new LocalObjectStore({ dir: join(dir, 'local'), urlSecret: 'b'.repeat(32), publicBaseUrl: '' });
  const app = Fastify({ bodyLimit: 1024 });
  await app.register((scope) => localObjectRoutes(scope, local));
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: 'bench', configs: [] }] });
  const { port } = await server.run();
  const s3 = new S3ObjectStore({ driver: 's3', endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', bucket: 'bench', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true, sse: 'none', kmsKeyId: undefined });
  try {
    return { local_signed_url_route: await uploads(local, origin), s3rver: await uploads(s3, '') };
  } finally {
    s3.client.destroy();
    await server.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const started = new Date();
const result = {
  bench: 'media',
  started_at: started.toISOString(),
  machine: { cpus: cpus().length, load_average_1m: round3(loadavg()[0]!) },
  image_variants: await imageBench(),
  presigned_uploads: await uploadBench(),
  hls_ladder: await videoBench(),
};
console.log(JSON.stringify(result, null, 2));
