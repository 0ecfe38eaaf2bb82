import { DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { StorageConfig } from '../config/config.ts';
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

type S3Config = Extract<StorageConfig, { driver: 's3' }>;

/** Objects above this go up in parts of this size (S3's minimum part is 5 MiB). */
export const MULTIPART_PART_BYTES = 8 * 1024 * 1024;

const isMissing = (error: unknown) => error instanceof NoSuchKey || error instanceof NotFound || (error as { name?: string }).name === 'NotFound';

/**
 * The S3 API on the official AWS SDK: AWS S3, Cloudflare R2 (`S3_ENDPOINT`, region `auto`), MinIO and other
 * compatible stores. Streams are written with multipart uploads (`@aws-sdk/lib-storage`): S3 makes the object
 * visible only when the last part completes, and aborts the upload on failure.
 */
export class S3ObjectStore implements ObjectStore {
  readonly driver = 's3';
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly encryption: { ServerSideEncryption?: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string };

  constructor(config: S3Config) {
    this.bucket = config.bucket;
    this.client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.accessKeyId && config.secretAccessKey ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } } : {}),
    });
    this.encryption =
      config.sse === 'none' ? {} : { ServerSideEncryption: config.sse, ...(config.sse === 'aws:kms' && config.kmsKeyId ? { SSEKMSKeyId: config.kmsKeyId } : {}) };
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions): Promise<void> {
    assertValidKey(key);
    const params = {
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ContentType: options.contentType,
      ...(options.cacheControl ? { CacheControl: options.cacheControl } : {}),
      ...this.encryption,
    };
    if (Buffer.isBuffer(body) && body.length <= MULTIPART_PART_BYTES) {
      await this.client.send(new PutObjectCommand(params));
      return;
    }
    await new Upload({ client: this.client, params, partSize: MULTIPART_PART_BYTES, queueSize: 4, leavePartsOnError: false }).done();
  }

  async get(key: string): Promise<Readable> {
    assertValidKey(key);
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return object.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertValidKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: head.ContentLength ?? 0, contentType: head.ContentType };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of page.Contents ?? []) if (object.Key) found.push({ key: object.Key, size: object.Size ?? 0, contentType: undefined });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  async delete(keys: string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000).map((key) => ({ Key: key }));
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }));
    }
  }

  async presignPut(key: string, options: PresignPutOptions): Promise<PresignedUpload> {
    assertValidKey(key);
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType, ContentLength: options.contentLength, ...this.encryption });
    const url = await getSignedUrl(this.client, command, {
      expiresIn: options.expiresInS,
      signableHeaders: new Set(['content-type', 'content-length']),
      // SSE must travel as a signed header, not in the query string, so the client cannot drop it.
      unhoistableHeaders: new Set(this.encryption.ServerSideEncryption ? ['x-amz-server-side-encryption'] : []),
    });
    const headers: Record<string, string> = { 'content-type': options.contentType, 'content-length': String(options.contentLength) };
    if (this.encryption.ServerSideEncryption) headers['x-amz-server-side-encryption'] = this.encryption.ServerSideEncryption;
    return { url, method: 'PUT', headers, expiresAt: new Date(Date.now() + options.expiresInS * 1000) };
  }

  presignGet(key: string, now = new Date()): Promise<string> {
    assertValidKey(key);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: READ_URL_LIFETIME_S, signingDate: signingDay(now) });
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }
}
