import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { scratchObjectDir, settledAsset, sha256, uploadMedia } from '../../../test/support/media.ts';
import { type TestApp, makeTenant, startTestApp, testSpans } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/index.ts';
import { FfmpegError, ffmpegCheck, runFfmpeg } from './ffmpeg.ts';
import { assetPrefix } from './service.ts';

/** A 2400×1600 photo stored sideways (EXIF orientation 6, i.e. upright 1600×2400) with camera and GPS-like EXIF. */
async function sidewaysPhoto(): Promise<Buffer> {
  return sharp({ create: { width: 2400, height: 1600, channels: 3, background: { r: 200, g: 120, b: 60 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'TestCam', Copyright: 'private' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

function shortClip(width: number, height: number, seconds: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'clip-'));
  const path = join(dir, 'clip.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=24`, '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path]);
  return readFileSync(path);
}

describe('media pipeline', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  let headers: Record<string, string>;
  let otherHeaders: Record<string, string>;
  const api = (method: 'GET' | 'POST', url: string, payload?: object, as = headers) => t.app.inject({ method, url, headers: as, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await startTestApp({ STORAGE_LOCAL_DIR: scratchObjectDir(), FFMPEG_THREADS: '1' }, { roles: ['web', 'worker', 'media-worker'] });
    store = await makeTenant(t.platform.db, 'Media Store');
    other = await makeTenant(t.platform.db, 'Other Media Store');
    headers = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'manager')).headers };
    otherHeaders = { host: storeHost(other), ...(await staffSession(t.platform, other.id, 'manager')).headers };
  }, 60_000);
  afterAll(() => t?.close());

  it('makes upright, metadata-free variants in AVIF, WebP and JPEG with content-hashed keys, and shows them on the product page', async () => {
    const photo = await sidewaysPhoto();
    const id = await uploadMedia(t, headers, photo, 'image/jpeg', 'photo.jpg');
    const asset = await settledAsset(t, headers, id);
    expect(asset).toMatchObject({ status: 'ready', width: 1600, height: 2400, content_type: 'image/jpeg' });
    const images = asset.images as { width: number; height: number; format: string; url: string }[];
    expect(images.map((image) => `${image.format}:${image.width}`).sort()).toEqual(
      ['avif', 'jpeg', 'webp'].flatMap((format) => [160, 320, 640, 1280].map((width) => `${format}:${width}`)).sort(),
    );
    const jpeg640 = images.find((image) => image.format === 'jpeg' && image.width === 640)!;
    expect(jpeg640.height).toBe(960);
    expect(jpeg640.url).toMatch(/\/img\/[0-9a-f]{16}-640\.jpg\?expires=\d+&sig=/);
    const bytes = (await t.app.inject({ method: 'GET', url: jpeg640.url, headers: { host: storeHost(store) } })).rawPayload;
    const metadata = await sharp(bytes).metadata();
    expect(metadata).toMatchObject({ width: 640, height: 960, format: 'jpeg' });
    expect(metadata.exif).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
    expect(testSpans.getFinishedSpans().some((span) => span.name === 'Image.variants')).toBe(true);

    const product = (
      await api('POST', '/admin/api/v1/products', { handle: 'photo-print', title: 'Photo Print', variants: [{ sku: 'PRINT-1', price_minor: 2500, currency: 'USD' }] })
    ).json();
    expect((await api('POST', `/admin/api/v1/products/${product.id}/media`, { asset_id: id, alt: 'A print' })).json()).toEqual({ product_id: product.id, media_count: 1 });
    expect((await api('POST', `/admin/api/v1/products/${product.id}/publish`, {})).statusCode).toBe(200);
    const page = await t.app.inject({ method: 'GET', url: '/products/photo-print', headers: { host: storeHost(store) } });
    expect(page.body).toContain('<source type="image/avif" srcset="');
    expect(page.body).toMatch(/<img src="[^"]+-640\.jpg\?[^"]+" srcset="[^"]+ 160w, [^"]+ 320w, [^"]+ 640w, [^"]+ 1280w" sizes="\(max-width: 40rem\) 100vw, 40rem" width="1600" height="2400" alt="A print"/);
  });

  it('refuses a checksum mismatch, scripted SVG and a polyglot, keeps the original, and reprocesses on request', async () => {
    const photo = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#336699' } }).jpeg().toBuffer();
    const mismatched = await uploadMedia(t, headers, photo, 'image/jpeg', 'a.jpg', sha256(Buffer.from('something else')));
    expect(await settledAsset(t, headers, mismatched)).toMatchObject({ status: 'failed', error: 'The upload does not match its SHA-256 checksum.' });
    expect(await t.platform.storage.head(`${assetPrefix(store.id, mismatched)}/original`)).toMatchObject({ size: photo.length });

    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const scripted = await uploadMedia(t, headers, svg, 'image/svg+xml', 'logo.svg');
    expect((await settledAsset(t, headers, scripted)).error).toMatch(/SVG contains script/);
    const handler = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><rect width="1" height="1"/></svg>');
    expect((await settledAsset(t, headers, await uploadMedia(t, headers, handler, 'image/svg+xml', 'h.svg'))).error).toMatch(/SVG contains script/);

    const polyglot = Buffer.concat([photo, Buffer.from('<html><script>steal()</script></html>')]);
    expect((await settledAsset(t, headers, await uploadMedia(t, headers, polyglot, 'image/jpeg', 'p.jpg'))).error).toMatch(/polyglot/);
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).png().toBuffer();
    expect((await settledAsset(t, headers, await uploadMedia(t, headers, png, 'image/jpeg', 'lie.jpg'))).error).toBe('The file is image/png, not the declared image/jpeg.');

    const clean = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32"><rect width="64" height="32" fill="#c33"/></svg>');
    expect(await settledAsset(t, headers, await uploadMedia(t, headers, clean, 'image/svg+xml', 'ok.svg'))).toMatchObject({ status: 'ready', width: 64 });

    const again = await api('POST', `/admin/api/v1/media/${mismatched}/reprocess`);
    expect(again.statusCode).toBe(202);
    expect(again.json().status).toBe('processing');
    expect((await settledAsset(t, headers, mismatched)).status).toBe('failed');
    expect((await api('GET', '/admin/api/v1/media?status=failed')).json().items.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses uploads over the plan limits with a 4xx before any byte moves, and warns past 80 %', async () => {
    const tooBig = await api('POST', '/admin/api/v1/media/uploads', { filename: 'huge.mp4', content_type: 'video/mp4', byte_size: 5 * 1024 ** 3, sha256: 'a'.repeat(64) });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.headers['content-type']).toContain('application/problem+json');
    expect(tooBig.json()).toMatchObject({ code: 'media.upload_too_large', request_id: expect.any(String) });

    const small = await makeTenant(t.platform.db, 'Tiny Store');
    const smallHeaders = { host: storeHost(small), ...(await staffSession(t.platform, small.id, 'manager')).headers };
    await t.platform.db.withPlatform((trx) =>
      sql`insert into feature_flag_overrides (tenant_id, flag_key, value, reason) values (${small.id}, 'media.storage_quota_bytes', '1000', 'test')`.execute(trx),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const first = await api('POST', '/admin/api/v1/media/uploads', { filename: 'a.jpg', content_type: 'image/jpeg', byte_size: 850, sha256: 'b'.repeat(64) }, smallHeaders);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().quota).toMatchObject({ bytes_stored: 850, quota_bytes: 1000, warning: true });
    const over = await api('POST', '/admin/api/v1/media/uploads', { filename: 'b.jpg', content_type: 'image/jpeg', byte_size: 200, sha256: 'c'.repeat(64) }, smallHeaders);
    expect(over.statusCode).toBe(413);
    expect(over.json()).toMatchObject({ code: 'media.quota_exceeded' });
    expect((await api('GET', '/admin/api/v1/media-usage', undefined, smallHeaders)).json()).toMatchObject({ bytes_stored: 850, warning: true });

    const unknownField = await api('POST', '/admin/api/v1/media/uploads', { filename: 'x.jpg', content_type: 'image/jpeg', byte_size: 1, sha256: 'd'.repeat(64), public: true });
    expect(unknownField.statusCode).toBe(400);
    const badType = await api('POST', '/admin/api/v1/media/uploads', { filename: 'x.html', content_type: 'text/html', byte_size: 1, sha256: 'd'.repeat(64) });
    expect(badType.statusCode).toBe(400);
  });

  it('renders the brand logo through the same variants, in the header', async () => {
    // A store of its own: branding is cached a minute per store, and the first test already rendered `store`.
    const brand = await makeTenant(t.platform.db, 'Logo Store');
    const manager = { host: storeHost(brand), ...(await staffSession(t.platform, brand.id, 'manager')).headers };
    const owner = { host: storeHost(brand), ...(await staffSession(t.platform, brand.id, 'owner')).headers };
    const logo = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#e07a5f' } }).png().toBuffer();
    const id = await uploadMedia(t, manager, logo, 'image/png', 'logo.png');
    expect((await settledAsset(t, manager, id)).status).toBe('ready');
    expect((await t.app.inject({ method: 'PUT', url: '/admin/api/v1/media-logo', headers: manager, payload: { asset_id: id } })).statusCode).toBe(403);
    const set = await t.app.inject({ method: 'PUT', url: '/admin/api/v1/media-logo', headers: owner, payload: { asset_id: id } });
    expect(set.statusCode, set.body).toBe(200);
    const home = await t.app.inject({ method: 'GET', url: '/', headers: { host: storeHost(brand) } });
    expect(home.body).toMatch(/<a class="brand" href="\/"><picture><source type="image\/avif" srcset="[^"]+-160\.avif[^"]+ 160w, [^"]+-320\.avif[^"]+ 320w" sizes="64px">/);
  });

  it('keeps each store to its own assets', async () => {
    const photo = await sharp({ create: { width: 50, height: 50, channels: 3, background: '#111' } }).jpeg().toBuffer();
    const id = await uploadMedia(t, headers, photo, 'image/jpeg', 'mine.jpg');
    expect((await api('GET', `/admin/api/v1/media/${id}`, undefined, otherHeaders)).statusCode).toBe(404);
    expect((await api('GET', `/admin/api/v1/media/${id}`, undefined, { ...otherHeaders, host: storeHost(store) })).statusCode).toBe(401);
    const rows = await t.platform.db.withTenant(other.id, (trx) => trx.selectFrom('media_assets').select('id').where('id', '=', id).execute());
    expect(rows).toEqual([]);
  });

  it('transcodes a video to an HLS ladder, MP4 and poster in the media worker, with signed playlists, and cleans up a killed run', async () => {
    const clip = shortClip(1280, 720, 2);
    const id = await uploadMedia(t, headers, clip, 'video/mp4', 'clip.mp4');
    const asset = await settledAsset(t, headers, id, 120_000);
    expect(asset).toMatchObject({ status: 'ready', kind: 'video', width: 1280, height: 720, progress: 1, video: { renditions: ['360p', '720p'] } });
    const host = { host: storeHost(store) };
    const master = await t.app.inject({ method: 'GET', url: (asset.video as { hls_url: string }).hls_url, headers: host });
    expect(master.statusCode, master.body).toBe(200);
    expect(master.body).toContain('#EXTM3U');
    expect(master.body).toContain(`/media/${id}/hls/360p/index.m3u8`);
    const rendition = await t.app.inject({ method: 'GET', url: `/media/${id}/hls/720p/index.m3u8`, headers: host });
    const segment = rendition.body.split('\n').find((line) => line.includes('segment_0000.ts'))!;
    expect(segment).toMatch(/\/_objects\/.+\/720p\/segment_0000\.ts\?expires=\d+&sig=/);
    const ts = await t.app.inject({ method: 'GET', url: segment, headers: host });
    expect(ts.statusCode).toBe(200);
    expect(ts.rawPayload[0]).toBe(0x47);
    expect([400, 404]).toContain((await t.app.inject({ method: 'GET', url: `/media/${id}/hls/360p/..%2Foriginal`, headers: host })).statusCode);
    expect((await t.app.inject({ method: 'GET', url: `/media/${id}/hls/original`, headers: host })).statusCode).toBe(404);
    const spans = testSpans.getFinishedSpans().map((span) => span.name);
    expect(spans).toEqual(expect.arrayContaining(['FFmpeg.transcode', 'FFmpeg.poster']));

    // A run killed halfway leaves objects in a folder nothing points at; the retry deletes them.
    const leftover = `${assetPrefix(store.id, id)}/video/killed-run/720p/segment_0000.ts`;
    await t.platform.storage.put(leftover, Buffer.from('half'), { contentType: 'video/mp2t' });
    expect((await api('POST', `/admin/api/v1/media/${id}/reprocess`)).statusCode).toBe(202);
    expect((await settledAsset(t, headers, id, 120_000)).status).toBe('ready');
    expect(await t.platform.storage.head(leftover)).toBeUndefined();
    const keys = (await t.platform.storage.list(`${assetPrefix(store.id, id)}/video/`)).map((object) => object.key);
    expect(new Set(keys.map((key) => key.split('/')[5])).size).toBe(1);
  }, 240_000);

  it('kills an FFmpeg child past its time limit and reports FFmpeg readiness', async () => {
    const config = { ...t.platform.config.media, ffmpegTimeoutMs: 300 };
    const run = runFfmpeg(config, { args: ['-f', 'lavfi', '-i', 'testsrc=size=1280x720', '-t', '600', '-threads', '{threads}', '-f', 'null', '-'] });
    await expect(run).rejects.toMatchObject({ reason: 'timeout' });
    await expect(run).rejects.toBeInstanceOf(FfmpegError);
    expect(await ffmpegCheck(t.platform.config.media)()).toMatchObject({ status: 'UP', data: { version: expect.stringMatching(/^\d/) } });
    const ready = (await t.app.inject({ method: 'GET', url: '/q/health/ready' })).json();
    expect(ready.checks.map((check: { name: string }) => check.name)).toEqual(expect.arrayContaining(['object-storage', 'ffmpeg']));
  });
});
