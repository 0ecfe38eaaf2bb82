import { Type } from 'typebox';
import { defineJob } from '../../platform/jobs/definitions.ts';
import { importChunk, markImportFailed } from './import/chunk.ts';
import { announceScheduledPublication } from './service.ts';

/** One staged chunk of a bulk import (see import/staging.ts); enqueued with the import, one job per chunk. */
export const importChunkJob = defineJob({
  name: 'catalog.import-chunk',
  version: 1,
  payload: Type.Object({ import_id: Type.String({ format: 'uuid' }), seq: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  priority: 'BULK',
  // About 3.5 hours of backoff: a database outage or a deploy does not use up the attempts.
  maxAttempts: 10,
  timeoutMs: 5 * 60_000,
  onePerTenant: true,
  async run({ import_id: importId, seq }, { trx, tenantId }) {
    if (!tenantId) throw new Error('catalog.import-chunk runs for a tenant');
    await importChunk(trx, tenantId, importId, seq);
  },
  async onDead({ import_id: importId }, { trx }) {
    await markImportFailed(trx, importId);
  },
});

/**
 * Runs at a scheduled product's publication time and announces it with `ProductPublished`, which also moves the
 * storefront's page cache on time. A product rescheduled or unpublished since then is left alone: the newer
 * schedule has its own job (same job key, so it replaced this one while waiting).
 */
export const publishScheduledJob = defineJob({
  name: 'catalog.publish-scheduled',
  version: 1,
  payload: Type.Object({ product_id: Type.String({ format: 'uuid' }), published_at: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
  priority: 'DEFAULT',
  maxAttempts: 5,
  timeoutMs: 30_000,
  async run({ product_id: productId, published_at: publishedAt }, { trx, tenantId }) {
    if (!tenantId) throw new Error('catalog.publish-scheduled runs for a tenant');
    await announceScheduledPublication(trx, tenantId, productId, new Date(publishedAt));
  },
});

export const catalogJobs = [importChunkJob, publishScheduledJob];

/** The job key of a product's scheduled publication: one waiting job per product. */
export const publicationJobKey = (tenantId: string, productId: string) => `catalog.publish:${tenantId}:${productId}`;
