/**
 * What a file really is, from its bytes, whatever the client declared. Refuses SVG that can run script and
 * polyglots (a valid image that is also an archive, a page or a script), which browsers or other tools could
 * be tricked into treating as something else.
 */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/gif', 'image/svg+xml'] as const;
export const VIDEO_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const;
export type MediaType = (typeof IMAGE_TYPES)[number] | (typeof VIDEO_TYPES)[number];

export class UnsafeContentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeContentError';
  }
}

const ascii = (bytes: Buffer, start: number, end: number) => bytes.subarray(start, end).toString('latin1');

/** The type the leading bytes name, or undefined for anything else. */
export function sniff(bytes: Buffer): MediaType | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  if (bytes.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))) return 'video/webm';
  if (ascii(bytes, 4, 8) === 'ftyp') {
    const brand = ascii(bytes, 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (brand === 'qt  ') return 'video/quicktime';
    if (['isom', 'iso2', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'dash'].includes(brand)) return 'video/mp4';
    return undefined;
  }
  if (looksLikeSvg(bytes)) return 'image/svg+xml';
  return undefined;
}

function looksLikeSvg(bytes: Buffer): boolean {
  const head = ascii(bytes, 0, 4096)
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .replace(/<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/gi, '')
    .trimStart();
  return /^<svg[\s>]/i.test(head);
}

const SVG_ACTIVE = [
  /<script[\s>/]/i,
  /\son[a-z]+\s*=/i,
  /javascript\s*:/i,
  /<foreignObject[\s>/]/i,
  /<!ENTITY/i,
  /(?:xlink:)?href\s*=\s*["']?\s*(?:https?:|data:text|\/\/)/i,
  /<(?:iframe|embed|object|handler|listener)[\s>/]/i,
  /@import/i,
];

/** Markers of a second format hidden in a binary image or video. */
const POLYGLOT_MARKERS = [/<script[\s>/]/i, /<html[\s>]/i, /<\?php/i, /<svg[\s>]/i, /<!doctype html/i];

/**
 * The detected type of `bytes`; throws UnsafeContentError when it is unknown, differs from `declared`, is an
 * SVG able to run script or fetch, or is a polyglot.
 */
export function inspectContent(bytes: Buffer, declared: string): MediaType {
  const detected = sniff(bytes);
  if (!detected) throw new UnsafeContentError('The file is none of the accepted image or video formats.');
  if (detected !== declared) throw new UnsafeContentError(`The file is ${detected}, not the declared ${declared}.`);
  if (detected === 'image/svg+xml') {
    const text = bytes.toString('utf8');
    const active = SVG_ACTIVE.find((pattern) => pattern.test(text));
    if (active) throw new UnsafeContentError('The SVG contains script, event handlers, external references or entities.');
    return detected;
  }
  const text = bytes.toString('latin1');
  if (POLYGLOT_MARKERS.some((pattern) => pattern.test(text))) throw new UnsafeContentError('The file also contains markup or script (a polyglot).');
  // A ZIP (and so a JAR, DOCX, …) is read from its end-of-central-directory record in the last 64 KiB.
  if (bytes.subarray(Math.max(0, bytes.length - 65_557)).includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]))) {
    throw new UnsafeContentError('The file is also a ZIP archive (a polyglot).');
  }
  return detected;
}

export const isVideo = (type: string) => (VIDEO_TYPES as readonly string[]).includes(type);
