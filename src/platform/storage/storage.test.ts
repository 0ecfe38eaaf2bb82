import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import Fastify, { type FastifyInstance } from 'fastify';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalObjectStore, ObjectNotFoundError, type ObjectStore, localObjectRoutes, objectStoreCheck } from './index.ts';
import { MULTIPART_PART_BYTES, S3ObjectStore } from './s3.ts';

/** Host-relative URLs of the local store are served by this test's app. */
let origin = '';
const absolute = (url: string) => (url.startsWith('/') ? `${origin}${url}` : url);

/** The same contract, against a local S3-compatible server (s3rver) and against the local folder store. */
const stores: { name: string; open(): Promise<{ store: ObjectStore; close(): Promise<void> }> }[] = [
  {
    name: 'S3 API (s3rver)',
    async open() {
      const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
      const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'media', configs: [] }] });
      const { port } = await server.run();
      const store = new S3ObjectStore({
        driver: 's3',
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        bucket: 'media',
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        forcePathStyle: true,
        sse: 'AES256',
        kmsKeyId: undefined,
      });
      return {
        store,
        async close() {
          store.client.destroy();
          await server.close();
          await rm(directory, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'local folder',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'objects-'));
      const app: FastifyInstance = Fastify();
      app.setErrorHandler((error: { statusCode?: number; status?: number }, _request, reply) => reply.code(error.status ?? error.statusCode ?? 500).send());
      const store = new LocalObjectStore({ dir, urlSecret: 'x'.repeat(32), publicBaseUrl: '' });
      await app.register((scope) => localObjectRoutes(scope, store));
      origin = await app.listen({ host: '127.0.0.1', port: 0 });
      return {
        store,
        async close() {
          await app.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(stores)('object store: $name', ({ open }) => {
  let store: ObjectStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await open());
  });
  afterAll(() => close());

  it('puts, heads, reads, lists and deletes objects', async () => {
    await store.put('tenants/a/one.txt', Buffer.from('hello'), { contentType: 'text/plain' });
    await store.put('tenants/a/sub/two.txt', Buffer.from('world!'), { contentType: 'text/plain' });
    expect(await store.head('tenants/a/one.txt')).toMatchObject({ key: 'tenants/a/one.txt', size: 5, contentType: 'text/plain' });
    expect((await buffer(await store.get('tenants/a/one.txt'))).toString()).toBe('hello');
    expect((await store.list('tenants/a/')).map((object) => object.key).sort()).toEqual(['tenants/a/one.txt', 'tenants/a/sub/two.txt']);
    await store.delete(['tenants/a/one.txt', 'tenants/a/sub/two.txt']);
    expect(await store.head('tenants/a/one.txt')).toBeUndefined();
    await expect(store.get('tenants/a/one.txt')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await store.list('tenants/a/')).toEqual([]);
  });

  it('refuses keys that climb out of their prefix', async () => {
    await expect(store.put('tenants/a/../b/x', Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow(/invalid object key/);
  });

  it('writes a stream larger than one part (multipart) whole', async () => {
    const size = MULTIPART_PART_BYTES + 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const parts = Array.from({ length: size / chunk.length }, () => chunk);
    await store.put('tenants/a/big.bin', Readable.from(parts), { contentType: 'application/octet-stream' });
    expect((await store.head('tenants/a/big.bin'))?.size).toBe(size);
    const read = await buffer(await store.get('tenants/a/big.bin'));
    expect(read.length).toBe(size);
    expect(read.every((byte) => byte === 7)).toBe(true);
  });

  it('takes a presigned upload with the bound type and size, refuses another type, and serves a presigned read', async () => {
    const body = Buffer.from('presigned body');
    const upload = await store.presignPut('tenants/a/up.txt', { contentType: 'text/plain', contentLength: body.length, expiresInS: 300 });
    if (store.driver === 's3') {
      // AWS, R2 and MinIO refuse a PUT whose signed headers differ; s3rver does not check them, so check what is signed.
      expect(new URL(upload.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;x-amz-server-side-encryption');
      expect(upload.headers['x-amz-server-side-encryption']).toBe('AES256');
    } else {
      const wrongType = await fetch(absolute(upload.url), { method: 'PUT', headers: { ...upload.headers, 'content-type': 'image/svg+xml' }, body });
      expect(wrongType.status).toBe(403);
      const wrongSize = await fetch(absolute(upload.url), { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: Buffer.concat([body, body]) });
      expect(wrongSize.status).toBe(403);
    }
    const put = await fetch(absolute(upload.url), { method: 'PUT', headers: upload.headers, body });
    expect(put.status).toBe(200);
    const url = await store.presignGet('tenants/a/up.txt');
    expect(url).toBe(await store.presignGet('tenants/a/up.txt'));
    const read = await fetch(absolute(url));
    expect(read.status).toBe(200);
    expect(await read.text()).toBe('presigned body');
    const tampered = new URL(absolute(url));
    const signatureParam = store.driver === 's3' ? 'X-Amz-Signature' : 'sig';
    tampered.searchParams.set(signatureParam, `${tampered.searchParams.get(signatureParam)?.slice(0, -2)}AA`);
    // s3rver does not verify query signatures; real S3 and R2 do.
    if (store.driver === 'local') expect((await fetch(tampered)).status).toBe(403);
  });

  it('reports readiness in the health shape', async () => {
    expect(await objectStoreCheck(store)()).toMatchObject({ status: 'UP', data: { driver: store.driver } });
  });
});

describe('local object store URLs', () => {
  it('expire', () => {
    const store = new LocalObjectStore({ dir: tmpdir(), urlSecret: 'y'.repeat(32), publicBaseUrl: '' });
    const expires = Math.floor(Date.now() / 1000) - 1;
    expect(store.verify({ method: 'GET', key: 'a/b', expires }, 'whatever')).toBe(false);
  });
});
