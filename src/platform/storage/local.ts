import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  type PresignPutOptions,
  type PresignedUpload,
  type PutOptions,
  READ_URL_LIFETIME_S,
  assertValidKey,
  signingDay,
} from './object-store.ts';

/** Path under which the app serves local objects (see routes.ts). */
export const LOCAL_OBJECTS_PATH = '/_objects';
const META_SUFFIX = '.meta.json';

interface Meta {
  contentType: string;
  cacheControl?: string;
}

export interface SignedRequest {
  method: 'GET' | 'PUT';
  key: string;
  expires: number;
  contentType?: string;
  contentLength?: number;
}

/**
 * The embedded default: objects are files under `dir` (a sidecar `.meta.json` holds the content type), written
 * to a temporary name and renamed into place, so a reader sees the whole object or none. The app serves them
 * under HMAC-signed, expiring URLs (`/_objects/<key>?…&sig=`), which is what S3 presigned URLs are elsewhere.
 */
export class LocalObjectStore implements ObjectStore {
  readonly driver = 'local';
  private readonly dir: string;
  private readonly secret: string;
  private readonly baseUrl: string;

  constructor(options: { dir: string; urlSecret: string; publicBaseUrl: string }) {
    this.dir = options.dir;
    this.secret = options.urlSecret;
    this.baseUrl = options.publicBaseUrl;
  }

  private path(key: string): string {
    assertValidKey(key);
    return join(this.dir, key);
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.part`;
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(temporary));
      const meta: Meta = { contentType: options.contentType, ...(options.cacheControl ? { cacheControl: options.cacheControl } : {}) };
      await writeFile(`${target}${META_SUFFIX}`, JSON.stringify(meta));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(key: string, range?: { start: number; end: number }): Promise<Readable> {
    const path = this.path(key);
    if (!(await this.head(key))) throw new ObjectNotFoundError(key);
    return createReadStream(path, range);
  }

  async head(key: string): Promise<(ObjectInfo & { cacheControl?: string }) | undefined> {
    const path = this.path(key);
    try {
      const [info, meta] = await Promise.all([stat(path), readFile(`${path}${META_SUFFIX}`, 'utf8').then((text) => JSON.parse(text) as Meta)]);
      return { key, size: info.size, contentType: meta.contentType, ...(meta.cacheControl ? { cacheControl: meta.cacheControl } : {}) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const root = join(this.dir, prefix);
    let names: string[];
    try {
      names = await readdir(root, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const keys = names
      .filter((name) => !name.endsWith(META_SUFFIX) && !name.endsWith('.part'))
      .map((name) => relative(this.dir, join(root, name)).split('\\').join('/'));
    const infos = await Promise.all(keys.map((key) => this.head(key)));
    return infos.filter((info): info is ObjectInfo => info !== undefined);
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.flatMap((key) => [rm(this.path(key), { force: true }), rm(`${this.path(key)}${META_SUFFIX}`, { force: true })]));
  }

  async presignPut(key: string, options: PresignPutOptions): Promise<PresignedUpload> {
    assertValidKey(key);
    const expires = Math.floor(Date.now() / 1000) + options.expiresInS;
    const signed: SignedRequest = { method: 'PUT', key, expires, contentType: options.contentType, contentLength: options.contentLength };
    const query = new URLSearchParams({ expires: String(expires), type: options.contentType, length: String(options.contentLength), sig: this.sign(signed) });
    return {
      url: `${this.baseUrl}${LOCAL_OBJECTS_PATH}/${key}?${query}`,
      method: 'PUT',
      headers: { 'content-type': options.contentType, 'content-length': String(options.contentLength) },
      expiresAt: new Date(expires * 1000),
    };
  }

  async presignGet(key: string, now = new Date()): Promise<string> {
    assertValidKey(key);
    const expires = Math.floor(signingDay(now).getTime() / 1000) + READ_URL_LIFETIME_S;
    const query = new URLSearchParams({ expires: String(expires), sig: this.sign({ method: 'GET', key, expires }) });
    return `${this.baseUrl}${LOCAL_OBJECTS_PATH}/${key}?${query}`;
  }

  async ping(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await stat(this.dir);
  }

  /** True when `sig` signs the request and it has not expired. */
  verify(request: SignedRequest, sig: string, now = Date.now()): boolean {
    if (!Number.isInteger(request.expires) || request.expires * 1000 < now) return false;
    const expected = Buffer.from(this.sign(request));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(request: SignedRequest): string {
    const fields = [request.method, request.key, request.expires, request.contentType ?? '', request.contentLength ?? ''];
    return createHmac('sha256', this.secret).update(fields.join('\n')).digest('base64url');
  }
}
