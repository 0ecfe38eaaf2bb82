import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { scratchObjectDir, settledAsset, uploadMedia } from '../../../test/support/media.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type TestApp } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/index.ts';

/** The parts of <img> and <video> the test reads in the page (the project compiles without the DOM library). */
interface ImageLike {
  complete: boolean;
  naturalWidth: number;
  currentSrc: string;
}
interface VideoLike {
  muted: boolean;
  currentTime: number;
  videoWidth: number;
  play(): Promise<void>;
  pause(): void;
}

const ARTIFACTS = new URL('../../../test-results/', import.meta.url);

/** A photo with detail (a gradient and shapes), so variants have realistic sizes. */
async function photo(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="1800"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#e07a5f"/><stop offset="1" stop-color="#1f3a5f"/></linearGradient></defs><rect width="2400" height="1800" fill="url(#g)"/><circle cx="1200" cy="900" r="500" fill="#f2cc8f"/><text x="1200" y="960" font-size="180" text-anchor="middle" fill="#1f3a5f" font-family="sans-serif">Linen Tote</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

async function clip(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'clip-'));
  const path = join(dir, 'clip.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=24', '-f', 'lavfi', '-i', 'sine=frequency=330', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path]);
  return readFile(path);
}

/** A merchant's media, uploaded through the admin API, as a shopper's Chromium sees it. */
describe('media in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;
  let headers: Record<string, string>;

  const product = async (handle: string, assetId: string) => {
    const api = (method: 'POST', url: string, payload: object) => t.app.inject({ method, url, headers, payload });
    const created = (await api('POST', '/admin/api/v1/products', { handle, title: handle === 'linen-tote' ? 'Linen Tote' : 'Studio Tour', variants: [{ sku: handle, price_minor: 3900, currency: 'USD' }] })).json();
    expect((await api('POST', `/admin/api/v1/products/${created.id}/media`, { asset_id: assetId, alt: 'The product' })).statusCode).toBe(200);
    expect((await api('POST', `/admin/api/v1/products/${created.id}/publish`, {})).statusCode).toBe(200);
  };

  beforeAll(async () => {
    t = await startTestApp({ STORAGE_LOCAL_DIR: scratchObjectDir(), FFMPEG_THREADS: '1' }, { roles: ['web', 'worker', 'media-worker'] });
    store = await makeTenant(t.platform.db, 'Media Boutique');
    headers = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'manager')).headers };
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = address.replace('127.0.0.1', `${store.subdomain}.localhost`);
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows an uploaded product image as responsive variants: a phone gets a small AVIF, a desktop a larger one', async () => {
    const id = await uploadMedia(t, headers, await photo(), 'image/jpeg', 'tote.jpg');
    expect((await settledAsset(t, headers, id)).status).toBe('ready');
    await product('linen-tote', id);

    const phone = await browser.newPage({ viewport: { width: 320, height: 640 }, deviceScaleFactor: 1 });
    await phone.goto(`${origin}/products/linen-tote`);
    const image = phone.locator('.product-media img');
    await expect.poll(() => image.evaluate((element) => (element as unknown as ImageLike).complete && (element as unknown as ImageLike).naturalWidth), { timeout: 10_000 }).toBe(320);
    expect(await image.evaluate((element) => (element as unknown as ImageLike).currentSrc)).toMatch(/-320\.avif\?/);
    expect(await image.getAttribute('width')).toBe('2400');
    expect(await image.getAttribute('height')).toBe('1800');
    const box = await image.boundingBox();
    expect(Math.round(box!.width / box!.height * 100) / 100).toBe(1.33);
    await phone.screenshot({ path: new URL('media-product-phone.png', ARTIFACTS).pathname, fullPage: true });

    const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await desktop.goto(`${origin}/products/linen-tote`);
    const large = desktop.locator('.product-media img');
    await expect.poll(() => large.evaluate((element) => (element as unknown as ImageLike).complete && (element as unknown as ImageLike).naturalWidth), { timeout: 10_000 }).toBe(640);
    await desktop.screenshot({ path: new URL('media-product-desktop.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('plays a product video from its HLS master playlist', async () => {
    const id = await uploadMedia(t, headers, await clip(), 'video/mp4', 'tour.mp4');
    expect((await settledAsset(t, headers, id, 180_000)).status).toBe('ready');
    await product('studio-tour', id);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const playlists: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('.m3u8') || request.url().includes('.ts?')) playlists.push(new URL(request.url()).pathname);
    });
    await page.goto(`${origin}/products/studio-tour`);
    const video = page.locator('video');
    await expect.poll(() => video.getAttribute('data-playback'), { timeout: 15_000 }).toMatch(/^(hls\.js|native-hls)$/);
    await video.evaluate((element) => {
      const player = element as unknown as VideoLike;
      player.muted = true;
      return player.play();
    });
    await expect.poll(() => video.evaluate((element) => (element as unknown as VideoLike).currentTime), { timeout: 15_000 }).toBeGreaterThan(1);
    expect(await video.evaluate((element) => (element as unknown as VideoLike).videoWidth)).toBeGreaterThan(0);
    expect(playlists).toContain(`/media/${id}/hls/master.m3u8`);
    expect(playlists.some((path) => path.endsWith('.ts'))).toBe(true);
    await video.evaluate((element) => (element as unknown as VideoLike).pause());
    await page.screenshot({ path: new URL('media-product-video.png', ARTIFACTS).pathname });
  }, 240_000);
});
