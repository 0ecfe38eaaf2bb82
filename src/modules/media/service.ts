import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { logger } from '../../platform/observability/logger.ts';
import { tracer } from '../../platform/observability/tracing.ts';
import type { Platform } from '../../platform/platform.ts';
import type { ObjectStore } from '../../platform/storage/index.ts';
import type { ResolvedTenant } from '../tenancy/index.ts';
import { tenancy } from '../tenancy/index.ts';
import { FfmpegError, probeVideo } from './ffmpeg.ts';
import { CONTENT_TYPE, encodeVariants, imageInfo } from './images.ts';
import { UnsafeContentError, inspectContent, isVideo } from './inspect.ts';
import { type AssetRow, type ImageVariant, type VideoOutputs, addUsage, findAsset, lockUsage, setWarned } from './repository.ts';
import type { Asset, Quota, UploadRequest, UploadTicket } from './schemas.ts';
import { ffmpegFailures, mediaJobSuccesses, mediaJobs, mediaQuotaExceeded, variantDuration } from './telemetry.ts';
import { MASTER_PLAYLIST, MP4_FALLBACK, POSTER, posterFrame, renditionsFor, transcodeHls, transcodeMp4 } from './video.ts';

declare module '../tenancy/index.ts' {
  interface FeatureFlagValues {
    'media.storage_quota_bytes': number;
    'media.max_upload_bytes': number;
  }
}

const log = logger('media');
const UPLOAD_URL_LIFETIME_S = 15 * 60;
export const WARNING_RATIO = 0.8;
/** How often a running transcode writes its progress. */
const PROGRESS_WRITE_INTERVAL_MS = 2_000;

export const assetPrefix = (tenantId: string, assetId: string) => `tenants/${tenantId}/media/${assetId}`;
const problem = (status: number, title: string, detail: string, code: string) => new HttpProblem(status, title, detail, { extensions: { code } });

/** Spans of the media pipeline are exported under the `media-processor` service. */
export function traced<T>(name: string, attributes: Record<string, string | number>, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer('media-processor').startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

export async function quotaOf(platform: Platform, tenant: ResolvedTenant, bytesStored: number): Promise<Quota> {
  const flags = tenancy(platform).flags;
  const [quota, maxUpload] = await Promise.all([flags.evaluate(tenant, 'media.storage_quota_bytes'), flags.evaluate(tenant, 'media.max_upload_bytes')]);
  const ratio = quota > 0 ? bytesStored / quota : 1;
  return { bytes_stored: bytesStored, quota_bytes: quota, max_upload_bytes: maxUpload, used_ratio: Math.round(ratio * 10_000) / 10_000, warning: ratio >= WARNING_RATIO };
}

/** Warns once when a store passes 80 % of its quota, and forgets it when it falls back below. */
async function noteUsage(trx: Tx, tenantId: string, quota: Quota, warnedAt: Date | null): Promise<void> {
  if (quota.warning && !warnedAt) {
    log.warn({ tenant_id: tenantId, bytes_stored: quota.bytes_stored, quota_bytes: quota.quota_bytes }, 'store passed 80 % of its media quota');
    await setWarned(trx, tenantId, true);
  } else if (!quota.warning && warnedAt) {
    await setWarned(trx, tenantId, false);
  }
}

export async function toAsset(store: ObjectStore, row: AssetRow): Promise<Asset> {
  const images = Array.isArray(row.variants)
    ? await Promise.all(row.variants.map(async (variant) => ({ width: variant.width, height: variant.height, format: variant.format, bytes: variant.bytes, url: await store.presignGet(variant.key) })))
    : [];
  const outputs = Array.isArray(row.variants) ? undefined : row.variants;
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    filename: row.filename,
    content_type: row.detected_type ?? row.declared_type,
    byte_size: Number(row.byte_size),
    sha256: row.sha256,
    width: row.width,
    height: row.height,
    duration_ms: row.duration_ms,
    progress: row.progress,
    attempts: row.attempts,
    error: row.error,
    stored_bytes: Number(row.stored_bytes),
    images,
    video:
      outputs && row.status === 'ready'
        ? {
            hls_url: hlsPath(row.id, MASTER_PLAYLIST),
            mp4_url: await store.presignGet(outputs.mp4_key),
            poster_url: await store.presignGet(outputs.poster_key),
            renditions: outputs.renditions.map((rendition) => rendition.name),
          }
        : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Playlists are served by the app, which signs each URI inside them (see `playlist`). */
export const hlsPath = (assetId: string, file: string) => `/media/${assetId}/hls/${file}`;

/**
 * A presigned upload for one file: refused before any byte moves when it is larger than the plan's largest
 * upload or would take the store past its quota. The declared size is reserved against the quota at once.
 */
export async function requestUpload(platform: Platform, tenant: ResolvedTenant, input: UploadRequest): Promise<UploadTicket> {
  const limits = await quotaOf(platform, tenant, 0);
  if (input.byte_size > limits.max_upload_bytes) {
    mediaQuotaExceeded.inc({ limit: 'max_upload' });
    throw problem(413, 'Upload too large', `This store's plan takes uploads of up to ${limits.max_upload_bytes} bytes; the file has ${input.byte_size}.`, 'media.upload_too_large');
  }
  return platform.db.withTenant(tenant.id, async (trx) => {
    const usage = await lockUsage(trx, tenant.id);
    if (usage.bytes_stored + input.byte_size > limits.quota_bytes) {
      mediaQuotaExceeded.inc({ limit: 'storage' });
      throw problem(
        413,
        'Media quota exceeded',
        `The store keeps ${usage.bytes_stored} of ${limits.quota_bytes} bytes; this upload of ${input.byte_size} bytes would pass the quota.`,
        'media.quota_exceeded',
      );
    }
    const kind = isVideo(input.content_type) ? 'video' : 'image';
    const row = await trx
      .insertInto('media_assets')
      .values({
        tenant_id: tenant.id,
        kind,
        filename: input.filename,
        declared_type: input.content_type,
        byte_size: input.byte_size,
        sha256: input.sha256,
        original_key: '',
        variants: '[]',
        stored_bytes: input.byte_size,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const originalKey = `${assetPrefix(tenant.id, row.id)}/original`;
    const asset = await trx.updateTable('media_assets').set({ original_key: originalKey }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
    const total = await addUsage(trx, tenant.id, input.byte_size);
    const quota = await quotaOf(platform, tenant, total);
    await noteUsage(trx, tenant.id, quota, usage.warned_at);
    const upload = await platform.storage.presignPut(originalKey, { contentType: input.content_type, contentLength: input.byte_size, expiresInS: UPLOAD_URL_LIFETIME_S });
    return {
      asset: await toAsset(platform.storage, asset),
      upload: { url: upload.url, method: upload.method, headers: upload.headers, expires_at: upload.expiresAt.toISOString() },
      quota,
    };
  });
}

export async function usage(platform: Platform, tenant: ResolvedTenant): Promise<Quota> {
  const row = await platform.db.withTenant(tenant.id, (trx) => trx.selectFrom('media_usage').select('bytes_stored').where('tenant_id', '=', tenant.id).executeTakeFirst());
  return quotaOf(platform, tenant, Number(row?.bytes_stored ?? 0));
}

export async function getAsset(trx: Tx, id: string): Promise<AssetRow> {
  const row = await findAsset(trx, id);
  if (!row) throw problem(404, 'Not Found', 'No such media asset in this store.', 'media.not_found');
  return row;
}

/** Marks an asset for (re)processing; the caller enqueues the processing job in the same transaction. */
export async function markForProcessing(trx: Tx, store: ObjectStore, id: string, from: AssetRow['status'][]): Promise<AssetRow> {
  const row = await getAsset(trx, id);
  if (!from.includes(row.status)) {
    throw problem(409, 'Conflict', `The asset is ${row.status}; this needs it to be ${from.join(' or ')}.`, 'media.wrong_status');
  }
  if (!(await store.head(row.original_key))) {
    throw problem(409, 'Upload missing', 'Nothing was uploaded to the presigned URL yet (or it expired); upload the file first.', 'media.upload_missing');
  }
  return trx.updateTable('media_assets').set({ status: 'processing', error: null, progress: 0 }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** A failure the asset will not get over by retrying (checksum, content type, undecodable file). */
export class PermanentMediaError extends Error {}

/** Records a failure in its own transaction (the job's is rolled back): the original stays, the asset is `failed`. */
export async function markFailed(platform: Platform, tenantId: string, id: string, error: unknown): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  await platform.db.withTenant(tenantId, (trx) => trx.updateTable('media_assets').set({ status: 'failed', error: message, progress: 0 }).where('id', '=', id).execute());
  log.warn({ tenant_id: tenantId, asset_id: id, err: message }, 'media asset failed; original kept for reprocessing');
}

/** Reads the original, checking its SHA-256 on the way. */
async function readOriginal(store: ObjectStore, row: AssetRow): Promise<Buffer> {
  const bytes = await buffer(await store.get(row.original_key));
  verifyChecksum(row, createHash('sha256').update(bytes).digest('hex'), bytes.length);
  return bytes;
}

function verifyChecksum(row: AssetRow, sha256: string, size: number): void {
  if (size !== Number(row.byte_size)) throw new PermanentMediaError(`The upload has ${size} bytes, ${row.byte_size} were declared.`);
  if (sha256 !== row.sha256) throw new PermanentMediaError('The upload does not match its SHA-256 checksum.');
}

async function setStored(trx: Tx, row: AssetRow, storedBytes: number): Promise<void> {
  await addUsage(trx, row.tenant_id, storedBytes - Number(row.stored_bytes));
}

/**
 * The first processing step of every upload: checksum, real content type, and for images every variant,
 * in-process. Videos are handed to the media worker (`media.transcode`) by `enqueueTranscode`.
 */
export async function processUpload(platform: Platform, trx: Tx, id: string, enqueueTranscode: () => Promise<void>): Promise<void> {
  const row = await findAsset(trx, id);
  if (!row || (row.status !== 'processing' && row.status !== 'failed')) return;
  if (row.status === 'failed') await trx.updateTable('media_assets').set({ status: 'processing', error: null }).where('id', '=', id).execute();
  if (row.kind === 'video') {
    const head = await readHeadAndTail(platform.storage, row);
    const detected = inspectOrFail(head, row.declared_type);
    await trx.updateTable('media_assets').set({ detected_type: detected }).where('id', '=', id).execute();
    await enqueueTranscode();
    return;
  }
  const started = performance.now();
  const original = await readOriginal(platform.storage, row);
  const detected = inspectOrFail(original, row.declared_type);
  const variants = await traced('Image.variants', { 'media.asset_id': id, 'media.bytes': original.length }, async (span) => {
    const info = await imageInfo(original).catch((error: Error) => {
      throw new PermanentMediaError(`The image cannot be decoded: ${error.message}`);
    });
    const encoded = await encodeVariants(original);
    span.setAttribute('media.variants', encoded.length);
    const prefix = assetPrefix(row.tenant_id, id);
    const stored: ImageVariant[] = await Promise.all(
      encoded.map(async (variant) => {
        const key = `${prefix}/img/${variant.hash}-${variant.width}.${variant.format === 'jpeg' ? 'jpg' : variant.format}`;
        await platform.storage.put(key, variant.bytes, { contentType: CONTENT_TYPE[variant.format], cacheControl: 'public, max-age=31536000, immutable' });
        return { width: variant.width, height: variant.height, format: variant.format, key, bytes: variant.bytes.length };
      }),
    );
    return { info, stored };
  });
  const storedBytes = Number(row.byte_size) + variants.stored.reduce((sum, variant) => sum + variant.bytes, 0);
  await trx
    .updateTable('media_assets')
    .set({
      status: 'ready',
      detected_type: detected,
      width: variants.info.width,
      height: variants.info.height,
      variants: JSON.stringify(variants.stored),
      stored_bytes: storedBytes,
      progress: 1,
      processed_at: new Date(),
      error: null,
    })
    .where('id', '=', id)
    .execute();
  await setStored(trx, row, storedBytes);
  await removeStale(platform.storage, `${assetPrefix(row.tenant_id, id)}/img/`, new Set(variants.stored.map((variant) => variant.key)));
  variantDuration.observe({ kind: 'image' }, (performance.now() - started) / 1000);
  mediaJobs.inc({ kind: 'image' });
  mediaJobSuccesses.inc({ kind: 'image' });
}

function inspectOrFail(bytes: Buffer, declared: string) {
  try {
    return inspectContent(bytes, declared);
  } catch (error) {
    if (error instanceof UnsafeContentError) throw new PermanentMediaError(error.message);
    throw error;
  }
}

/** Objects under `prefix` no current row points at: left by an earlier run (reprocessing, a killed transcode). */
async function removeStale(store: ObjectStore, prefix: string, keep: Set<string>): Promise<void> {
  const stale = (await store.list(prefix)).map((object) => object.key).filter((key) => !keep.has(key));
  if (stale.length > 0) await store.delete(stale);
}

const SNIFF_BYTES = 64 * 1024;

async function readHeadAndTail(store: ObjectStore, row: AssetRow): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'media-sniff-'));
  try {
    const path = join(dir, 'original');
    const { sha256, size } = await download(store, row.original_key, path);
    verifyChecksum(row, sha256, size);
    const file = await open(path);
    try {
      const head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
      await file.read(head, 0, head.length, 0);
      const tail = Buffer.alloc(Math.min(SNIFF_BYTES, size));
      await file.read(tail, 0, tail.length, Math.max(0, size - tail.length));
      return Buffer.concat([head, tail]);
    } finally {
      await file.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Streams an object to a file, hashing it on the way. */
async function download(store: ObjectStore, key: string, path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(await store.get(key), tap, createWriteStream(path));
  return { sha256: hash.digest('hex'), size };
}

const MIME: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t', mp4: 'video/mp4', jpg: 'image/jpeg' };

/**
 * The media worker's step: HLS ladder with master playlist, MP4 fallback and poster, made by FFmpeg children
 * in a scratch folder, then uploaded under a folder of this run (master playlist last). Only when everything is
 * up does the asset row point at it, in the job's transaction; a killed run leaves an unreferenced folder that
 * the next run deletes, so no half-written output is ever visible.
 */
export async function transcodeVideo(platform: Platform, trx: Tx, id: string, runId: string, signal: AbortSignal): Promise<void> {
  const row = await findAsset(trx, id);
  if (!row || (row.status !== 'processing' && row.status !== 'failed')) return;
  if (row.status === 'failed') await trx.updateTable('media_assets').set({ status: 'processing', error: null }).where('id', '=', id).execute();
  const config = platform.config.media;
  const videoPrefix = `${assetPrefix(row.tenant_id, id)}/video/`;
  await removeStale(platform.storage, videoPrefix, new Set());
  const dir = await mkdtemp(join(tmpdir(), 'media-transcode-'));
  const started = performance.now();
  try {
    const input = join(dir, 'original');
    const { sha256, size } = await download(platform.storage, row.original_key, input);
    verifyChecksum(row, sha256, size);
    const probe = await probeVideo(config, input).catch((error: Error) => {
      throw new PermanentMediaError(`The video cannot be read: ${error.message}`);
    });
    const renditions = renditionsFor(probe.height);
    const out = join(dir, 'out');
    let lastWrite = 0;
    const onProgress = (fraction: number) => {
      if (Date.now() - lastWrite < PROGRESS_WRITE_INTERVAL_MS) return;
      lastWrite = Date.now();
      // Its own transaction: the job's is not visible to anyone until it commits.
      platform.db
        .withTenant(row.tenant_id, (progressTrx) => progressTrx.updateTable('media_assets').set({ progress: Math.round(fraction * 0.9 * 1000) / 1000 }).where('id', '=', id).execute())
        .catch((error: unknown) => log.warn({ err: error, asset_id: id }, 'transcode progress not recorded'));
    };
    const step = async (name: string, spanName: string, fn: () => Promise<void>) =>
      traced(spanName, { 'media.asset_id': id, 'media.step': name, 'media.duration_ms': probe.durationMs }, () =>
        fn().catch((error: unknown) => {
          if (error instanceof FfmpegError) ffmpegFailures.inc({ step: name, reason: error.reason });
          throw error;
        }),
      );
    await step('hls', 'FFmpeg.transcode', () => transcodeHls(config, input, out, probe, renditions, onProgress, signal));
    await step('mp4', 'FFmpeg.transcode', () => transcodeMp4(config, input, join(out, MP4_FALLBACK), probe, signal));
    await step('poster', 'FFmpeg.poster', () => posterFrame(config, input, join(out, POSTER), probe, signal));

    const prefix = `${videoPrefix}${runId}`;
    const files = (await readdir(out, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => relative(out, join(entry.parentPath, entry.name)));
    const ordered = [...files.filter((file) => file !== MASTER_PLAYLIST), MASTER_PLAYLIST];
    let bytes = 0;
    for (const file of ordered) {
      const body = await readFile(join(out, file));
      bytes += body.length;
      const extension = file.split('.').at(-1) ?? '';
      await platform.storage.put(`${prefix}/${file}`, body, { contentType: MIME[extension] ?? 'application/octet-stream', cacheControl: 'public, max-age=31536000, immutable' });
    }
    const outputs: VideoOutputs = {
      prefix,
      master_key: `${prefix}/${MASTER_PLAYLIST}`,
      mp4_key: `${prefix}/${MP4_FALLBACK}`,
      poster_key: `${prefix}/${POSTER}`,
      renditions: renditions.map((rendition) => ({ name: rendition.name, height: rendition.height, playlist_key: `${prefix}/${rendition.name}/index.m3u8` })),
    };
    const storedBytes = Number(row.byte_size) + bytes;
    await trx
      .updateTable('media_assets')
      .set({
        status: 'ready',
        width: probe.width,
        height: probe.height,
        duration_ms: probe.durationMs,
        variants: JSON.stringify(outputs),
        stored_bytes: storedBytes,
        progress: 1,
        processed_at: new Date(),
        error: null,
      })
      .where('id', '=', id)
      .execute();
    await setStored(trx, row, storedBytes);
    variantDuration.observe({ kind: 'video' }, (performance.now() - started) / 1000);
    mediaJobs.inc({ kind: 'video' });
    mediaJobSuccesses.inc({ kind: 'video' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * An HLS playlist of a ready video with every URI in it signed: rendition playlists point back at this route,
 * segments at presigned object URLs. Only files the asset's outputs name are served.
 */
export async function playlist(store: ObjectStore, row: AssetRow, file: string): Promise<string | undefined> {
  if (row.status !== 'ready' || Array.isArray(row.variants)) return undefined;
  const outputs = row.variants;
  const known = [MASTER_PLAYLIST, ...outputs.renditions.map((rendition) => `${rendition.name}/index.m3u8`)];
  if (!known.includes(file)) return undefined;
  const text = (await buffer(await store.get(`${outputs.prefix}/${file}`))).toString('utf8');
  const folder = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
  const lines = await Promise.all(
    text.split('\n').map(async (line) => {
      const uri = line.trim();
      if (uri === '' || uri.startsWith('#')) return line;
      if (!/^[\w.-]+(\/[\w.-]+)?$/.test(uri)) return '';
      const path = `${folder}${uri}`;
      return uri.endsWith('.m3u8') ? hlsPath(row.id, path) : store.presignGet(`${outputs.prefix}/${path}`);
    }),
  );
  return lines.join('\n');
}
