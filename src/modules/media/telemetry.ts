import { defineMetric } from '../../platform/observability/metrics.ts';

/** Media pipeline KPIs: variant success > 99.5 %, transcode queue depth < 100, manifest generation < 2 min per asset. */
const kpi = 'Media: variant success > 99.5 %, transcode queue < 100, manifest < 2 min';

export const mediaJobs = defineMetric({
  name: 'villagecompute_storefront_media_job_total',
  help: 'Media processing runs finished (success or failure), by kind (image, video).',
  type: 'counter',
  labels: ['kind'],
  component: 'media',
  kpi,
});

export const mediaJobSuccesses = defineMetric({
  name: 'villagecompute_storefront_media_job_success_total',
  help: 'Media processing runs that produced every variant, by kind.',
  type: 'counter',
  labels: ['kind'],
  component: 'media',
  kpi,
});

export const mediaQueueDepth = defineMetric({
  name: 'villagecompute_storefront_media_queue_depth',
  help: 'Assets uploaded and waiting for (or in) processing, by job priority class.',
  type: 'gauge',
  labels: ['priority'],
  component: 'media',
  kpi,
});

export const mediaQuotaExceeded = defineMetric({
  name: 'villagecompute_storefront_media_quota_exceeded_total',
  help: 'Uploads refused before they started: over the largest upload or the stored bytes of the store plan.',
  type: 'counter',
  labels: ['limit'],
  component: 'media',
  kpi: 'per-tenant upload quotas',
});

export const variantDuration = defineMetric({
  name: 'villagecompute_storefront_media_variant_generation_duration_seconds',
  help: 'Time to make every variant of one asset: image sizes and formats, or the HLS ladder with MP4 and poster.',
  type: 'histogram',
  labels: ['kind'],
  component: 'media',
  kpi,
  buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
});

export const ffmpegFailures = defineMetric({
  name: 'villagecompute_storefront_media_ffmpeg_failures_total',
  help: 'FFmpeg children that failed, by step (transcode, mp4, poster) and reason (exit, timeout, aborted, spawn).',
  type: 'counter',
  labels: ['step', 'reason'],
  component: 'media',
  kpi,
});

export const storageBytes = defineMetric({
  name: 'villagecompute_storefront_media_storage_bytes',
  help: 'Bytes of media a store keeps in object storage (tenant label bounded: top stores, the rest as other).',
  type: 'gauge',
  labels: ['tenant_id'],
  component: 'media',
  kpi: 'per-tenant upload quotas',
});
