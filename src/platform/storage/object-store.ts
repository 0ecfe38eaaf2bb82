import type { Readable } from 'node:stream';

/**
 * Where the product keeps blobs (media originals and variants, later archives and exports): the S3 API
 * (`s3.ts`, AWS S3, Cloudflare R2, MinIO, …) or a local folder (`local.ts`, the embedded default). Keys are
 * `/`-separated paths; callers prefix them per store (`tenants/<id>/…`).
 */
export interface ObjectStore {
  readonly driver: 'local' | 's3';
  /** Writes an object whole; large streams go up in parts (multipart). Readers never see a half-written object. */
  put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void>;
  /** The object's bytes; `ObjectNotFoundError` when there is none. */
  get(key: string): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object under `prefix` (for cleaning up after a failed attempt). */
  list(prefix: string): Promise<ObjectInfo[]>;
  delete(keys: string[]): Promise<void>;
  /** A URL a client may PUT exactly one object to: the content type and byte size are bound by the signature. */
  presignPut(key: string, options: PresignPutOptions): Promise<PresignedUpload>;
  /**
   * A URL that reads the object until it expires. URLs signed within one UTC day are identical, so a CDN can
   * cache them and a page cached for minutes never holds a URL about to expire.
   */
  presignGet(key: string, now?: Date): Promise<string>;
  /** A cheap round trip (bucket HEAD, folder stat) for readiness. */
  ping(): Promise<void>;
}

export interface PutOptions {
  contentType: string;
  cacheControl?: string;
}

export interface PresignPutOptions {
  contentType: string;
  contentLength: number;
  expiresInS: number;
}

export interface PresignedUpload {
  url: string;
  method: 'PUT';
  /** Headers the client must send exactly as given (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string | undefined;
}

export class ObjectNotFoundError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`no object at ${key}`);
    this.name = 'ObjectNotFoundError';
    this.key = key;
  }
}

const DAY_MS = 86_400_000;
/** SigV4 allows at most 7 days; read URLs are signed at the start of the UTC day and live 7 days from it. */
export const READ_URL_LIFETIME_S = 7 * 86_400;

/** The start of `now`'s UTC day: the signing instant of every read URL of that day. */
export const signingDay = (now: Date) => new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);

const KEY = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,1000}$/;

/** Keys are plain relative paths: no `..`, no empty segments, safe characters only. */
export function assertValidKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new Error(`invalid object key "${key}"`);
  }
}
