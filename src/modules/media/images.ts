import { createHash } from 'node:crypto';
import type { Sharp } from 'sharp';

export const VARIANT_WIDTHS = [160, 320, 640, 1280, 2048] as const;
export const VARIANT_FORMATS = ['avif', 'webp', 'jpeg'] as const;
export type VariantFormat = (typeof VARIANT_FORMATS)[number];

export interface EncodedVariant {
  width: number;
  height: number;
  format: VariantFormat;
  bytes: Buffer;
  /** First 16 hex digits of the SHA-256 of the bytes: part of the key, so changed bytes get a new URL. */
  hash: string;
}

/** Decoding limit: 100 megapixels stops decompression bombs before they take the worker's memory. */
const MAX_INPUT_PIXELS = 100_000_000;
export const CONTENT_TYPE: Record<VariantFormat, string> = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg' };

/** The widths worth making for a source `width` pixels wide: never upscaled, at least one. */
export function widthsFor(width: number): number[] {
  const widths = VARIANT_WIDTHS.filter((candidate) => candidate <= width);
  return widths.length > 0 ? widths : [width];
}

/** sharp (libvips) is loaded on first use: only processes that make variants need the native library. */
const loadSharp = () => import('sharp').then((module) => module.default);

function encoder(image: Sharp, format: VariantFormat): Sharp {
  if (format === 'avif') return image.avif({ quality: 55, effort: 2 });
  if (format === 'webp') return image.webp({ quality: 78, effort: 3 });
  return image.jpeg({ quality: 80, mozjpeg: true, progressive: true });
}

export interface SourceInfo {
  width: number;
  height: number;
}

/** Upright dimensions of an image (EXIF orientation applied); throws when sharp cannot decode it. */
export async function imageInfo(input: Buffer): Promise<SourceInfo> {
  const sharp = await loadSharp();
  const metadata = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  if (!metadata.width || !metadata.height) throw new Error('The image has no dimensions.');
  const turned = (metadata.orientation ?? 1) >= 5;
  return turned ? { width: metadata.height, height: metadata.width } : { width: metadata.width, height: metadata.height };
}

/**
 * Every size in every format: decoded once, turned upright by its EXIF orientation, and written without any
 * metadata (EXIF, GPS, XMP are dropped; colours converted to sRGB).
 */
export async function encodeVariants(input: Buffer): Promise<EncodedVariant[]> {
  const { width } = await imageInfo(input);
  const sharp = await loadSharp();
  const base = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate();
  const jobs = widthsFor(width).flatMap((target) =>
    VARIANT_FORMATS.map(async (format) => {
      const { data, info } = await encoder(base.clone().resize({ width: target, withoutEnlargement: true }), format).toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, format, bytes: data, hash: createHash('sha256').update(data).digest('hex').slice(0, 16) };
    }),
  );
  return Promise.all(jobs);
}
