import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has working defaults for the dev profile (embedded database)', () => {
    const config = loadConfig({});
    expect(config.profile).toBe('dev');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.http.port).toBe(8080);
    expect(config.dataDir).toBe('.data');
    expect(config.seedDemo).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ APP_PROFILE: 'staging' }, 'APP_PROFILE'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ LOG_LEVELS: 'db=chatty' }, 'LOG_LEVELS'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG'],
    [{ OTEL_TRACES_SAMPLER_ARG: 'half' }, 'OTEL_TRACES_SAMPLER_ARG'],
    [{ OTEL_TRACES_SAMPLER: 'always_on' }, 'OTEL_TRACES_SAMPLER'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER'],
    [{ METRICS_TENANT_ALLOWLIST: 'demo' }, 'METRICS_TENANT_ALLOWLIST'],
    [{ METRICS_TENANT_TOP_K: '-1' }, 'METRICS_TENANT_TOP_K'],
    [{ TENANT_CACHE_MAX: '0' }, 'TENANT_CACHE_MAX'],
    [{ STOREFRONT_PAGE_CACHE_MAX: '-1' }, 'STOREFRONT_PAGE_CACHE_MAX'],
    [{ SUPPORT_URL: 'mailto:help@example.com' }, 'SUPPORT_URL'],
    [{ DNS_RESOLVER: 'dns.example.com' }, 'DNS_RESOLVER'],
    [{ APP_PROFILE: 'prod', MIGRATE_ON_START: 'true' }, 'DATABASE_URL'],
    [{ APP_PROFILE: 'prod' }, 'APP_DATABASE_URL'],
    [{ TRUST_PROXY: 'everyone' }, 'TRUST_PROXY'],
    [{ APP_PROFILE: 'prod', APP_DATABASE_URL: 'postgres://a@h/db', AUTH_SIGNING_KEYS: '[{"kid":"k1"}]' }, 'PLATFORM_DOMAIN'],
    [{ APP_PROFILE: 'prod', APP_DATABASE_URL: 'postgres://a@h/db', AUTH_SIGNING_KEYS: '[{"kid":"k1"}]', PLATFORM_DOMAIN: 'shops.localhost' }, 'PLATFORM_DOMAIN'],
    [{ APP_PROFILE: 'prod', APP_DATABASE_URL: 'postgres://a@h/db', AUTH_SIGNING_KEYS: '[{"kid":"k1"}]', PLATFORM_DOMAIN: 'shops.example', SEED_DEMO: 'true' }, 'SEED_DEMO'],
    [{ OPS_ALLOWED_ADDRESSES: '10.0.0.0/8,bogus' }, 'OPS_ALLOWED_ADDRESSES'],
    [{ APP_PROFILE: 'prod', DATABASE_URL: 'postgres://o@h/db' }, 'APP_DATABASE_URL'],
    [{ JOB_CONCURRENCY: 'URGENT=4' }, 'JOB_CONCURRENCY'],
    [{ JOB_CONCURRENCY: 'BULK=-1' }, 'JOB_CONCURRENCY'],
    [{ JOB_DEPTH_LIMITS: 'LOW=0' }, 'JOB_DEPTH_LIMITS'],
    [{ JOB_LEASE_MS: '100' }, 'JOB_LEASE_MS'],
  ])('refuses %j naming %s', (env, variable) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message).toContain(variable);
  });

  it('reads per-class job settings over the defaults', () => {
    const { jobs } = loadConfig({ JOB_CONCURRENCY: 'BULK=0, CRITICAL=8', JOB_DEPTH_LIMITS: 'LOW=5' });
    expect(jobs.concurrency).toEqual({ CRITICAL: 8, HIGH: 4, DEFAULT: 10, LOW: 2, BULK: 0 });
    expect(jobs.depthLimit.LOW).toBe(5);
    expect(jobs.depthLimit.BULK).toBe(1_000_000);
  });

  it('reads per-category log levels', () => {
    expect(loadConfig({ LOG_LEVELS: 'db=debug, http=warn' }).logLevels).toEqual({ db: 'debug', http: 'warn' });
  });

  it('configures object storage: the local store needs its URL secret in prod, the S3 store its bucket', () => {
    const prod = { APP_PROFILE: 'prod', DATABASE_URL: 'postgres://o@h/db', APP_DATABASE_URL: 'postgres://a@h/db', AUTH_SIGNING_KEYS: '[{"kid":"k1"}]', PLATFORM_DOMAIN: 'shops.example' };
    expect(() => loadConfig(prod)).toThrow(/STORAGE_URL_SECRET/);
    expect(() => loadConfig({ ...prod, STORAGE_URL_SECRET: 'short' })).toThrow(/at least 32/);
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET: is required/);
    expect(loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_ENDPOINT: 'https://acct.r2.cloudflarestorage.com' }).storage).toEqual({
      driver: 's3',
      endpoint: 'https://acct.r2.cloudflarestorage.com',
      region: 'auto',
      bucket: 'media',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      forcePathStyle: false,
      sse: 'AES256',
      kmsKeyId: undefined,
    });
    expect(() => loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_SSE: 'rot13' })).toThrow(/S3_SSE/);
    expect(() => loadConfig({ FFMPEG_THREADS: '0' })).toThrow(/FFMPEG_THREADS/);
  });

  it('samples 10 % in prod and exports only when an OTLP endpoint is set', () => {
    const prod = { APP_PROFILE: 'prod', DATABASE_URL: 'postgres://o@h/db', APP_DATABASE_URL: 'postgres://a@h/db', AUTH_SIGNING_KEYS: '[{"kid":"k1"}]', PLATFORM_DOMAIN: 'shops.example', STORAGE_URL_SECRET: 's'.repeat(32), PII_ENCRYPTION_KEYS: `1:${'k'.repeat(32)}` };
    expect(loadConfig(prod).tracing).toMatchObject({ serviceName: 'village-storefront', samplerRatio: 0.1, export: false });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_SAMPLER_ARG: '0.25' }).tracing).toMatchObject({
      serviceName: 'village-storefront',
      samplerRatio: 0.25,
      export: true,
    });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }).tracing.export).toBe(false);
  });

  it('reads the versioned data keys: required in prod, the current version one of them', () => {
    const prod = { APP_PROFILE: 'prod', DATABASE_URL: 'postgres://o@h/db', APP_DATABASE_URL: 'postgres://a@h/db', AUTH_SIGNING_KEYS: '[{"kid":"k1"}]', PLATFORM_DOMAIN: 'shops.example', STORAGE_URL_SECRET: 's'.repeat(32) };
    expect(() => loadConfig(prod)).toThrow(/PII_ENCRYPTION_KEYS: is required/);
    const keys = `1:${'a'.repeat(32)},2:${'b'.repeat(40)}`;
    const config = loadConfig({ ...prod, PII_ENCRYPTION_KEYS: keys }).dataKeys;
    expect(config.current).toBe(2);
    expect(config.keys.get(1)).toBe('a'.repeat(32));
    expect(loadConfig({ PII_ENCRYPTION_KEYS: keys, PII_ENCRYPTION_KEY_VERSION: '1' }).dataKeys.current).toBe(1);
    expect(() => loadConfig({ PII_ENCRYPTION_KEYS: keys, PII_ENCRYPTION_KEY_VERSION: '3' })).toThrow(/names no key/);
    expect(() => loadConfig({ PII_ENCRYPTION_KEYS: '1:short' })).toThrow(/at least 32/);
  });

  it('keeps 1 % of the healthy rest in the trace store in prod, and no store in tests unless asked', () => {
    const prod = { APP_PROFILE: 'prod', DATABASE_URL: 'postgres://o@h/db', APP_DATABASE_URL: 'postgres://a@h/db', AUTH_SIGNING_KEYS: '[{"kid":"k1"}]', PLATFORM_DOMAIN: 'shops.example', STORAGE_URL_SECRET: 's'.repeat(32), PII_ENCRYPTION_KEYS: `1:${'k'.repeat(32)}` };
    expect(loadConfig(prod).tracing.store).toEqual({ enabled: true, sampleRatio: 0.01, slowMs: 1000, retentionHours: 24, bufferRows: 20_000, flushMs: 1000 });
    expect(loadConfig({ APP_PROFILE: 'test' }).tracing.store.enabled).toBe(false);
    expect(loadConfig({ APP_PROFILE: 'test', TRACE_STORE: 'on', TRACE_STORE_SAMPLE_RATIO: '0.5' }).tracing.store).toMatchObject({ enabled: true, sampleRatio: 0.5 });
    expect(() => loadConfig({ TRACE_STORE_RETENTION_HOURS: '0' })).toThrow(/TRACE_STORE_RETENTION_HOURS/);
    expect(() => loadConfig({ TRACE_STORE_SAMPLE_RATIO: '2' })).toThrow(/TRACE_STORE_SAMPLE_RATIO/);
    expect(() => loadConfig({ GRAFANA_URL: 'ftp://grafana' })).toThrow(/GRAFANA_URL/);
    expect(loadConfig({ GRAFANA_URL: 'https://grafana.example' }).observabilityLinks).toMatchObject({ prometheusUrl: 'http://localhost:9090', grafanaUrl: 'https://grafana.example', jaegerUrl: undefined });
  });
});
