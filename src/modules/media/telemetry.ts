import { defineTelemetry, growing, holding, observations, series } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile, sumIncrease, sumOf, sumRate } from '../../platform/observability/promql.ts';

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

const runbook = '../media/pipeline.md#runbook-media-queue-backlog-mediaqueuedepthhigh';
const failedRate = (window: string) => `(${sumRate(mediaJobs, { window, by: ['kind'] })} - ${sumRate(mediaJobSuccesses, { window, by: ['kind'] })})`;
const jobs = (kind: string, finished: number, succeeded: number) => [
  series(mediaJobs, { kind }, growing(finished)),
  series(mediaJobSuccesses, { kind }, growing(succeeded)),
];

/** Alerts, the job success SLO and the component KPI panels 9–10 of the media pipeline. */
export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'MediaQueueDepthHigh',
      file: 'component-kpis',
      group: 'media',
      expr: `${sumOf(mediaQueueDepth)} > 100`,
      for: '5m',
      severity: 'warning',
      summary: 'More than 100 media assets wait for processing',
      description: '{{ $value }} uploaded assets are waiting for (or in) processing (target: < 100).',
      action: 'Find the class (LOW = videos, HIGH = images), then check the media workers and FFmpeg failures on panel 10.',
      kpi: 'media-queue-depth',
      panel: { dashboard: 'component-kpis', id: 10 },
      meaning: 'Merchants see uploads stuck in `processing`; new product images and videos do not appear on the storefront.',
      steps: [
        '`media_queue_depth` by `priority`: `LOW` is videos (media workers), `HIGH` is images (workers); `npm run jobs -- queue`, `npm run jobs -- paused`.',
        'Media workers alive? `/q/health/ready`: `ffmpeg` or `object-storage` DOWN means every job fails; fix that first.',
        '`media_ffmpeg_failures_total` by `reason`: `timeout` needs more media workers or a higher `FFMPEG_TIMEOUT_MS`; one store flooding: `npm run jobs -- pause tenant <store id> "media backlog"`.',
        'More work than capacity: scale media workers out or raise `JOB_CONCURRENCY=LOW=<n>`; then requeue dead transcodes as the media pipeline runbook says.',
      ],
      runbook,
      test: {
        firing: [series(mediaQueueDepth, { priority: 'LOW' }, holding(150))],
        quiet: [series(mediaQueueDepth, { priority: 'LOW' }, holding(20))],
      },
    },
    {
      name: 'MediaSuccessRateLow',
      file: 'component-kpis',
      group: 'media',
      expr: `${failedRate('15m')} / ${sumRate(mediaJobs, { window: '15m', by: ['kind'] })} > 0.005`,
      for: '15m',
      severity: 'warning',
      summary: 'Media processing fails for more than 0.5 % of assets',
      description: '{{ $value | humanizePercentage }} of {{ $labels.kind }} media jobs failed over 15 minutes (target: success > 99.5 %).',
      action: 'Read the errors of the failed assets and the FFmpeg failures by reason on panel 9; fix the dependency, then reprocess.',
      kpi: 'media-variant-success',
      panel: { dashboard: 'component-kpis', id: 9 },
      meaning: 'Uploaded images or videos end as `failed`: merchants must upload again or their products show no media.',
      steps: [
        '`GET /admin/api/v1/media?status=failed` for an affected store: the stored error of each asset.',
        '`object-storage` or `ffmpeg` DOWN in `/q/health/ready` of the workers: every job fails until it is fixed.',
        '`media_ffmpeg_failures_total` by `step` and `reason`: `exit` is bad input or codec trouble (`npm run jobs -- list media.transcode`), `timeout` is capacity.',
        'After the fix: `POST /admin/api/v1/media/<id>/reprocess` (the original is kept) and `npm run jobs -- requeue <id>` for dead transcodes.',
      ],
      runbook,
      test: { firing: jobs('image', 100, 95), quiet: jobs('image', 100, 100) },
    },
    {
      name: 'MediaQuotaExceededFrequent',
      file: 'component-kpis',
      group: 'media',
      expr: `${sumIncrease(mediaQuotaExceeded, { window: '1h', by: ['limit'] })} > 50`,
      for: '15m',
      severity: 'info',
      summary: 'Uploads are refused for quota more than 50 times an hour',
      description: '{{ $value | humanize }} uploads were refused in the last hour for the {{ $labels.limit }} limit (threshold: 50).',
      action: 'Find the stores hitting the limit (`media_storage_bytes` by `tenant_id`); offer a larger plan or look for abuse.',
      kpi: 'media-upload-quota',
      panel: { dashboard: 'component-kpis', id: 10 },
      meaning: 'Merchants keep trying uploads their plan does not allow: too small a plan, a client retrying a too-large file, or abuse.',
      steps: [
        '`limit="storage"`: `media_storage_bytes` by `tenant_id` names the stores near their plan; their owners need a larger plan or a clean-up.',
        '`limit="max_upload"`: files over the largest upload; one store retrying in a loop points at a broken client or integration.',
        'A sudden spread over many stores after a release: check the plan limits in the configuration.',
      ],
      runbook: '../media/pipeline.md#limits',
      test: {
        firing: [series(mediaQuotaExceeded, { limit: 'storage' }, growing(5))],
        quiet: [series(mediaQuotaExceeded, { limit: 'storage' }, growing(0.2))],
      },
    },
    {
      name: 'MediaManifestGenerationSlow',
      file: 'component-kpis',
      group: 'media',
      expr: `${quantile(0.95, variantDuration, { where: { kind: 'video' }, window: '30m' })} > 120`,
      for: '15m',
      severity: 'warning',
      summary: 'Video manifests take longer than 2 minutes per asset (p95)',
      description: 'p95 time to make the HLS ladder, MP4 and poster of a video is {{ $value | humanizeDuration }} (target: < 2 min).',
      action: 'Check media worker CPU and concurrency: each transcode uses `FFMPEG_THREADS` cores.',
      kpi: 'media-manifest-generation',
      meaning: 'Merchants wait longer than promised before an uploaded video plays on their storefront.',
      steps: [
        'Media workers saturated? CPU of the media worker machines; `JOB_CONCURRENCY=LOW=<n>` times `FFMPEG_THREADS` must fit their cores.',
        'Longer clips than usual (one store uploading long footage) take longer; a store flooding the queue can be paused as the backlog runbook says.',
        'Scale media workers out (`npm run start:media-worker`, stateless).',
      ],
      runbook,
      test: {
        firing: observations(variantDuration, { kind: 'video' }, [{ seconds: 300, perMinute: 2 }]),
        quiet: observations(variantDuration, { kind: 'video' }, [{ seconds: 30, perMinute: 2 }]),
      },
    },
  ],
  slos: [
    {
      name: 'media-job-success',
      component: 'media',
      objective: 99.5,
      description: 'Media processing runs that produced every variant, of all finished runs.',
      errors: (window) => `(${sumRate(mediaJobs, { window })} - ${sumRate(mediaJobSuccesses, { window })})`,
      total: (window) => sumRate(mediaJobs, { window }),
      measuredBy: mediaJobs,
      test: (bad, good) => jobs('image', bad + good, good),
      steps: ['Follow `MediaSuccessRateLow` in this catalog.'],
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 9,
      title: 'Media job success ratio',
      description: 'Media processing runs that produced every variant, of finished runs, by kind (target > 99.5 %).',
      kind: 'timeseries',
      unit: 'percentunit',
      targets: [
        {
          expr: `${sumRate(mediaJobSuccesses, { window: '$__rate_interval', by: ['kind'] })} / ${sumRate(mediaJobs, { window: '$__rate_interval', by: ['kind'] })}`,
          legend: '{{kind}}',
        },
      ],
    },
    {
      dashboard: 'component-kpis',
      id: 10,
      title: 'Media queue depth and quota refusals',
      description: 'Assets waiting for processing by class (LOW videos, HIGH images; target < 100) and uploads refused for quota per minute.',
      kind: 'timeseries',
      unit: 'short',
      targets: [
        { expr: sumOf(mediaQueueDepth, { by: ['priority'] }), legend: 'waiting {{priority}}' },
        { expr: `${sumRate(mediaQuotaExceeded, { window: '$__rate_interval', by: ['limit'] })} * 60`, legend: 'refused/min {{limit}}' },
      ],
    },
  ],
});
