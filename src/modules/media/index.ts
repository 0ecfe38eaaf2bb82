import { logger } from '../../platform/observability/logger.ts';
import { tenantLabel } from '../../platform/observability/tenant-label.ts';
import type { Platform, PlatformModule } from '../../platform/platform.ts';
import { ffmpegCheck } from './ffmpeg.ts';
import { bindMediaJobs, mediaJobs } from './jobs.ts';
import { platformFigures } from './repository.ts';
import { mediaRoutes } from './routes.ts';
import { mediaJobSuccesses, mediaJobs as mediaJobCounter, mediaQueueDepth, storageBytes, telemetry } from './telemetry.ts';

export { type MediaView, type ResponsiveImage, mediaViews, storeLogo } from './views.ts';

const SAMPLE_INTERVAL_MS = 15_000;
const samplers = new WeakMap<Platform, NodeJS.Timeout>();

/** Queue depth and stored bytes per (bounded) store, read platform-wide for the gauges. */
async function sample(platform: Platform): Promise<void> {
  const figures = await platform.db.withPlatform(platformFigures);
  mediaQueueDepth.set({ priority: 'HIGH' }, figures.processing.find((row) => row.kind === 'image')?.n ?? 0);
  mediaQueueDepth.set({ priority: 'LOW' }, figures.processing.find((row) => row.kind === 'video')?.n ?? 0);
  const byLabel = new Map<string, number>();
  for (const row of figures.usage) byLabel.set(tenantLabel(row.tenant_id), (byLabel.get(tenantLabel(row.tenant_id)) ?? 0) + row.bytes);
  storageBytes.reset();
  for (const [label, bytes] of byLabel) storageBytes.set({ tenant_id: label }, bytes);
}

/**
 * Media pipeline: presigned uploads with quotas, checksum and content checks, image variants in-process,
 * video transcodes in the media worker, signed delivery. Owns `media_assets` and `media_usage`.
 */
export const mediaModule: PlatformModule = {
  name: 'media',
  telemetry,
  routes: mediaRoutes,
  jobs: mediaJobs,
  async start(platform) {
    bindMediaJobs(platform);
    // Zero series from the start: the success-rate alert and SLO compare the two counters per kind.
    for (const kind of ['image', 'video']) {
      mediaJobCounter.inc({ kind }, 0);
      mediaJobSuccesses.inc({ kind }, 0);
    }
    if (platform.roles.has('media-worker')) platform.health.addReadinessCheck('ffmpeg', ffmpegCheck(platform.config.media));
    const log = logger('media');
    const timer = setInterval(() => sample(platform).catch((error: unknown) => log.warn({ err: error }, 'media gauges not sampled')), SAMPLE_INTERVAL_MS);
    timer.unref();
    samplers.set(platform, timer);
  },
  async stop(platform) {
    clearInterval(samplers.get(platform));
  },
};
