import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { type JobDefinition, type JobRunContext, defineJob } from '../../platform/jobs/definitions.ts';
import type { Platform } from '../../platform/platform.ts';
import { mediaJobs as mediaJobCounter } from './telemetry.ts';
import { PermanentMediaError, markFailed, processUpload, transcodeVideo } from './service.ts';

const Payload = Type.Object({ asset_id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

/**
 * A failure the asset cannot get over (bad checksum, wrong or unsafe content) marks it failed at once; others are
 * retried, and the last attempt marks it failed before the job goes to dead jobs (`npm run jobs -- requeue`).
 * Either way the original stays.
 */
async function failing(platform: Platform, kind: 'image' | 'video', assetId: string, context: JobRunContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const permanent = error instanceof PermanentMediaError;
    if (permanent || context.attempt >= context.maxAttempts) {
      mediaJobCounter.inc({ kind });
      await markFailed(platform, context.tenantId!, assetId, error);
    }
    if (!permanent) throw error;
  }
}

let bound: Platform | undefined;
/** Jobs need the platform's storage and config; the module binds it at start, before any worker runs. */
export function bindMediaJobs(platform: Platform): void {
  bound = platform;
}
const platform = () => {
  if (!bound) throw new Error('media jobs run before the media module started');
  return bound;
};

export const transcodeJob: JobDefinition<{ asset_id: string }> = defineJob({
    name: 'media.transcode',
    version: 1,
    payload: Payload,
    priority: 'LOW',
    role: 'media-worker',
    maxAttempts: 3,
    timeoutMs: 60 * 60_000,
    run: ({ asset_id: assetId }, context) =>
      failing(platform(), 'video', assetId, context, () => transcodeVideo(platform(), context.trx, assetId, randomUUID(), context.signal)),
  });
export const processJob: JobDefinition<{ asset_id: string }> = defineJob({
    name: 'media.process',
    version: 1,
    payload: Payload,
    priority: 'HIGH',
    maxAttempts: 3,
    // Images are made in-process and must take under 30 s; videos only get inspected here.
    timeoutMs: 30_000,
    run: ({ asset_id: assetId }, context) =>
      failing(platform(), 'image', assetId, context, () =>
        processUpload(platform(), context.trx, assetId, async () => {
          await platform().jobs.enqueue(transcodeJob, { asset_id: assetId }, { trx: context.trx, tenantId: context.tenantId! });
        }),
      ),
  });

export const mediaJobs = [processJob, transcodeJob];
