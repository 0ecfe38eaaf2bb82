import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { bundleSize } from './telemetry.ts';

/** A static script, served under a content-hashed name so it can be cached forever. */
export interface Asset {
  path: string;
  body: Buffer;
  gzipped: Buffer;
}

function load(file: string, from = new URL(`./assets/${file}`, import.meta.url)): Asset {
  const body = readFileSync(from);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const [name, extension] = file.split('.');
  return { path: `/assets/${name}-${hash}.${extension}`, body, gzipped: gzipSync(body, { level: 9 }) };
}

export const cartScript = load('cart.js');
bundleSize.set({ type: 'hydration' }, cartScript.gzipped.length);

/** hls.js (light build) for browsers without native HLS, and the script that hands it the product videos. */
export const hlsScript = load('hls.js', new URL(import.meta.resolve('hls.js/dist/hls.light.min.js')));
export const videoScript = load('video.js');
export const checkoutScript = load('checkout.js');
