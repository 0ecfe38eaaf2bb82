import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestApp } from './platform.ts';

/** A fresh folder for the local object store of one test file. */
export const scratchObjectDir = () => mkdtempSync(join(tmpdir(), 'vs-objects-'));

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The admin flow of an upload: ask for a presigned URL, PUT the bytes to it, complete. Returns the asset id. */
export async function uploadMedia(t: TestApp, headers: Record<string, string>, bytes: Buffer, contentType: string, filename: string, declaredSha = sha256(bytes)): Promise<string> {
  const ticket = await t.app.inject({
    method: 'POST',
    url: '/admin/api/v1/media/uploads',
    headers,
    payload: { filename, content_type: contentType, byte_size: bytes.length, sha256: declaredSha },
  });
  expect(ticket.statusCode, ticket.body).toBe(201);
  const { asset, upload } = ticket.json();
  const put = await t.app.inject({ method: 'PUT', url: upload.url, headers: { host: headers.host!, ...upload.headers }, payload: bytes });
  expect(put.statusCode, put.body).toBe(200);
  const completed = await t.app.inject({ method: 'POST', url: `/admin/api/v1/media/${asset.id}/complete`, headers });
  expect(completed.statusCode, completed.body).toBe(202);
  return asset.id;
}

/** Polls the asset until it leaves `processing`. */
export async function settledAsset(t: TestApp, headers: Record<string, string>, id: string, timeout = 60_000): Promise<Record<string, unknown> & { status: string }> {
  let asset: Record<string, unknown> & { status: string } = { status: 'processing' };
  await expect
    .poll(
      async () => {
        asset = (await t.app.inject({ method: 'GET', url: `/admin/api/v1/media/${id}`, headers })).json();
        return asset.status;
      },
      { timeout, interval: 200 },
    )
    .not.toBe('processing');
  return asset;
}
