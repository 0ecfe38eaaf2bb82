import { Type } from 'typebox';
import { defineJob } from '../../platform/jobs/definitions.ts';
import { importChunk } from './import/chunk.ts';

/** One staged chunk of a bulk import (see import/staging.ts); enqueued with the import, one job per chunk. */
export const importChunkJob = defineJob({
  name: 'catalog.import-chunk',
  version: 1,
  payload: Type.Object({ import_id: Type.String({ format: 'uuid' }), seq: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  priority: 'BULK',
  maxAttempts: 5,
  timeoutMs: 5 * 60_000,
  async run({ import_id: importId, seq }, { trx, tenantId }) {
    if (!tenantId) throw new Error('catalog.import-chunk runs for a tenant');
    await importChunk(trx, tenantId, importId, seq);
  },
});
