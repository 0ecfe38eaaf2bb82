import { type Readable, Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from '../http/problem.ts';
import { LOCAL_OBJECTS_PATH, type LocalObjectStore } from './local.ts';
import { assertValidKey } from './object-store.ts';

interface SignedQuery {
  expires?: string;
  sig?: string;
  type?: string;
  length?: string;
}

const forbidden = () => new HttpProblem(403, 'Forbidden', 'The object URL is invalid or has expired.');

function keyOf(request: FastifyRequest): string {
  const key = (request.params as { '*': string })['*'];
  try {
    assertValidKey(key);
  } catch {
    throw new HttpProblem(404, 'Not Found', 'No such object.');
  }
  return key;
}

/** Counts bytes on their way through and fails the stream past `limit`. */
function limited(limit: number): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      counter.bytes += chunk.length;
      if (counter.bytes > limit) callback(new HttpProblem(413, 'Content Too Large', `The upload is bound to ${limit} bytes.`));
      else callback(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

/**
 * Serves the local object store under signed URLs: GET (with single byte ranges, for video players) and the
 * presigned PUT of uploads, whose content type and exact size are part of the signature.
 */
export async function localObjectRoutes(root: FastifyInstance, store: LocalObjectStore): Promise<void> {
  await root.register(async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    app.get(`${LOCAL_OBJECTS_PATH}/*`, { schema: { hide: true } }, async (request, reply) => {
      const key = keyOf(request);
      const query = request.query as SignedQuery;
      const expires = Number(query.expires);
      if (!query.sig || !store.verify({ method: 'GET', key, expires }, query.sig)) throw forbidden();
      const info = await store.head(key);
      if (!info) throw new HttpProblem(404, 'Not Found', 'No such object.');
      const maxAge = Math.max(0, expires - Math.floor(Date.now() / 1000));
      reply
        .header('content-type', info.contentType ?? 'application/octet-stream')
        .header('cache-control', info.cacheControl ?? `public, max-age=${maxAge}`)
        .header('accept-ranges', 'bytes')
        .header('x-content-type-options', 'nosniff');
      const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
      if (range && info.size > 0 && (range[1] || range[2])) {
        const start = range[1] ? Number(range[1]) : Math.max(0, info.size - Number(range[2]));
        const end = range[1] && range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
        if (start > end || start >= info.size) return reply.code(416).header('content-range', `bytes */${info.size}`).send();
        reply.code(206).header('content-range', `bytes ${start}-${end}/${info.size}`).header('content-length', end - start + 1);
        return reply.send(await store.get(key, { start, end }));
      }
      reply.header('content-length', info.size);
      return reply.send(await store.get(key));
    });

    app.put(`${LOCAL_OBJECTS_PATH}/*`, { schema: { hide: true }, bodyLimit: Number.MAX_SAFE_INTEGER }, async (request, reply) => {
      const key = keyOf(request);
      const query = request.query as SignedQuery;
      const contentType = request.headers['content-type'] ?? '';
      const contentLength = Number(request.headers['content-length']);
      const signed = { method: 'PUT' as const, key, expires: Number(query.expires), contentType: query.type ?? '', contentLength: Number(query.length) };
      if (!query.sig || !store.verify(signed, query.sig)) throw forbidden();
      if (contentType !== signed.contentType) throw new HttpProblem(403, 'Forbidden', `This upload URL takes ${signed.contentType} only.`);
      if (contentLength !== signed.contentLength) throw new HttpProblem(403, 'Forbidden', `This upload URL takes exactly ${signed.contentLength} bytes.`);
      const counter = limited(signed.contentLength);
      const body = request.body as Readable;
      body.once('error', (error) => counter.destroy(error));
      body.once('aborted', () => counter.destroy(new Error('upload aborted by the client')));
      body.pipe(counter);
      await store.put(key, counter, { contentType });
      if (counter.bytes !== signed.contentLength) {
        await store.delete([key]);
        throw new HttpProblem(400, 'Bad Request', `Received ${counter.bytes} of ${signed.contentLength} bytes.`);
      }
      return reply.code(200).header('etag', `"${key.length}-${counter.bytes}"`).send();
    });
  });
}
