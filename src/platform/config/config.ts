/**
 * Typed configuration read once from environment variables. Every value is validated here so that a bad or
 * missing value stops start-up with a message naming the variable, instead of failing later somewhere deep.
 */

export type Profile = 'dev' | 'test' | 'prod';

export interface Config {
  profile: Profile;
  http: HttpConfig;
  /** Owner connection (migrations, the job worker). Absent with no APP_DATABASE_URL: an embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | undefined;
  /** Run pending migrations at start-up; off when migrations are a release step of their own (`npm run migrate`). */
  migrateOnStart: boolean;
  /** Application connection, a role without BYPASSRLS. Absent: the owner connection with `SET ROLE storefront_app`. */
  appDatabaseUrl: string | undefined;
  dataDir: string;
  db: { poolMax: number; statementTimeoutMs: number };
  platformDomain: string;
  /** Rendered anonymous storefront pages kept per replica; 0 renders every request (benchmarks of the cold path). */
  storefront: { pageCacheMax: number };
  tenantGateway: {
    /** Hosts kept in each replica's resolution cache, and how long an entry lives without a change notice. */
    cacheMax: number;
    cacheTtlMs: number;
    /** Where the suspension page sends a store's visitors and owner. */
    supportUrl: string;
    /** TXT lookups for custom domains: `system` resolvers, `offline` (dev), or `host:port,…` servers. */
    dnsResolver: string;
    /** The platform's own host (console, platform logins) has no store budget: one bucket per client address. */
    platformHostBudget: { capacity: number; refillPerSecond: number };
    /** Stores one client address may create through the sign-up page in an hour (on top of the host budget). */
    signupsPerAddressPerHour: number;
  };
  logLevel: string;
  /** Per logger category level overrides, e.g. `LOG_LEVELS=db=debug,http=warn`. */
  logLevels: Record<string, string>;
  shutdownTimeoutMs: number;
  seedDemo: boolean;
  auth: AuthConfig;
  mail: MailConfig;
  tracing: TracingConfig;
  observabilityLinks: ObservabilityLinksConfig;
  metrics: { tenantAllowList: string[]; tenantTopK: number };
  jobs: JobsConfig;
  storage: StorageConfig;
  media: MediaConfig;
  payments: PaymentsConfig;
  dataKeys: DataKeysConfig;
}

/**
 * Symmetric keys that encrypt personal data at rest (pgcrypto), by version. Values carry the version that sealed
 * them, so a new `current` version is rolled out by re-encrypting; older versions stay until no value uses them.
 */
export interface DataKeysConfig {
  keys: ReadonlyMap<number, string>;
  current: number;
}

/** Payment providers and checkout holds. Stripe is available when its secret key is set. */
export interface PaymentsConfig {
  stripe: { secretKey: string; publishableKey: string; webhookSecret: string; apiBase: URL | undefined } | undefined;
  /** Accepted age of a webhook signature's timestamp. */
  webhookToleranceSeconds: number;
  /** How long stock stays held for a checkout that has not finished. */
  reservationTtlMs: number;
}

/** Object storage: the S3 API (AWS, R2, MinIO, …) or a local folder served under signed URLs (embedded default). */
export type StorageConfig =
  | { driver: 'local'; dir: string; urlSecret: string; publicBaseUrl: string }
  | {
      driver: 's3';
      endpoint: string | undefined;
      region: string;
      bucket: string;
      accessKeyId: string | undefined;
      secretAccessKey: string | undefined;
      forcePathStyle: boolean;
      /** Server-side encryption asked of the store on every write; `none` leaves it to the bucket's default. */
      sse: 'AES256' | 'aws:kms' | 'none';
      kmsKeyId: string | undefined;
    };

/** Limits of the FFmpeg children of the media worker. */
export interface MediaConfig {
  ffmpegPath: string;
  ffmpegThreads: number;
  ffmpegTimeoutMs: number;
  /** `nice` increment of each FFmpeg child, so transcodes yield the CPU to requests. */
  ffmpegNice: number;
}

export interface HttpConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  /** Peers whose X-Forwarded-For/-Host/-Proto are believed: none, a hop count, or addresses and CIDRs. */
  trustProxy: false | number | string[];
  /** Whole request (headers and body), headers alone, idle keep-alive and idle socket bounds. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  idleTimeoutMs: number;
  /** Client addresses and CIDRs that may read /q/* (metrics, health); everyone else gets a 404. */
  opsAllowList: string[];
}

export interface AuthConfig {
  /** Private JWKs (ES256, each with a `kid`) that sign and verify access tokens. Absent: keys kept in the database. */
  signingKeys: Record<string, unknown>[] | undefined;
  /** The `kid` of the key that signs; the others only verify (rotation). */
  signingKid: string | undefined;
  /** bcrypt work factor: 12 except in the test profile, where hashing cost is not what is under test. */
  bcryptCost: number;
}

export interface MailConfig {
  /** `outbox` (embedded default, without SMTP_URL): messages stay in the mail_outbox table, the dev mailbox. `smtp`: delivered. */
  transport: 'outbox' | 'smtp';
  /** smtp:// or smtps:// URL with credentials (nodemailer's connection URL); required with MAIL_TRANSPORT=smtp. */
  smtpUrl: string | undefined;
  from: string;
}

/** The standard OTEL_* variables we read ourselves; the OTLP exporter reads its own (endpoint, headers, …). */
export interface TracingConfig {
  serviceName: string;
  /** Sampling ratio of `parentbased_traceidratio` (OTEL_TRACES_SAMPLER_ARG). */
  samplerRatio: number;
  /** True when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set and OTEL_TRACES_EXPORTER is not `none`. */
  export: boolean;
  store: TraceStoreConfig;
}

/** The embedded span and log store behind the console's correlation-ID search (docs/adr/0092). */
export interface TraceStoreConfig {
  /** TRACE_STORE: on by default except in tests, which turn it on where they look at it. */
  enabled: boolean;
  /** Share of the requests and jobs that are neither failed nor slow kept anyway (TRACE_STORE_SAMPLE_RATIO). */
  sampleRatio: number;
  /** A request or job at least this long is always kept (TRACE_STORE_SLOW_MS). */
  slowMs: number;
  /** Hours of spans and log lines kept; older hourly partitions are dropped (TRACE_STORE_RETENTION_HOURS). */
  retentionHours: number;
  /** Rows (spans and log lines) waiting to be written at most; more are dropped and counted (TRACE_STORE_BUFFER_ROWS). */
  bufferRows: number;
  /** How often the buffer is written (TRACE_STORE_FLUSH_MS). */
  flushMs: number;
}

/** Where the console links out to: each tool only when its URL is set, Prometheus always. */
export interface ObservabilityLinksConfig {
  prometheusUrl: string;
  grafanaUrl: string | undefined;
  jaegerUrl: string | undefined;
  lokiUrl: string | undefined;
  /** Alertmanager API v2 for the active-alerts widget; without it the generated rules are evaluated in-process. */
  alertmanagerUrl: string | undefined;
}

export const JOB_PRIORITIES = ['CRITICAL', 'HIGH', 'DEFAULT', 'LOW', 'BULK'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

export interface JobsConfig {
  /** Jobs run at once per priority class in one worker process. */
  concurrency: Record<JobPriority, number>;
  /** Waiting jobs per priority class beyond which enqueue is refused (queue overflow). */
  depthLimit: Record<JobPriority, number>;
  /** How often a worker looks for due jobs (retries, scheduled runs) besides being notified of new ones. */
  pollIntervalMs: number;
  /** A worker whose heartbeat is older than this is dead; its jobs are unlocked for others. */
  leaseMs: number;
  /** Dead jobs and error history older than this are deleted by the nightly cleanup. */
  retentionDays: number;
}

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.variable = variable;
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function str(env: Env, name: string, fallback?: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) throw new ConfigError(name, 'is required');
    return fallback;
  }
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function priorityMap(env: Env, name: string, fallback: Record<JobPriority, number>, min: number, max: number): Record<JobPriority, number> {
  const raw = optional(env, name);
  if (!raw) return fallback;
  const values = { ...fallback };
  for (const pair of raw.split(',')) {
    const [priority, value] = pair.split('=').map((part) => part.trim());
    if (!JOB_PRIORITIES.includes(priority as JobPriority) || !value || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new ConfigError(name, `expects PRIORITY=number pairs (${JOB_PRIORITIES.join('|')}, ${min}..${max}), got "${pair}"`);
    }
    values[priority as JobPriority] = Number(value);
  }
  return values;
}

function postgresUrl(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must be a postgres:// URL, got ${url.protocol}//`);
  }
  return value;
}

function ratio(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || value > 1) throw new ConfigError(name, `must be a number between 0 and 1, got "${raw}"`);
  return value;
}

function list(env: Env, name: string, pattern: RegExp): string[] {
  const raw = optional(env, name);
  if (!raw) return [];
  const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
  const bad = items.find((item) => !pattern.test(item));
  if (bad !== undefined) throw new ConfigError(name, `has an invalid entry "${bad}"`);
  return items;
}

/** Addresses and CIDRs (IPv4 or IPv6), or the names proxy-addr knows (loopback, linklocal, uniquelocal). */
const ADDRESS_OR_CIDR = /^(loopback|linklocal|uniquelocal|(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)(\/\d{1,3})?)$/;

function trustProxy(env: Env, name: string): HttpConfig['trustProxy'] {
  const raw = optional(env, name);
  if (raw === undefined || raw === 'none' || raw === 'false') return false;
  if (/^\d+$/.test(raw)) return int(env, name, 0, 1, 10);
  return list(env, name, ADDRESS_OR_CIDR);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function tracing(env: Env, profile: Profile): TracingConfig {
  const sampler = optional(env, 'OTEL_TRACES_SAMPLER');
  if (sampler !== undefined && sampler !== 'parentbased_traceidratio') {
    throw new ConfigError('OTEL_TRACES_SAMPLER', `only parentbased_traceidratio is supported, got "${sampler}"`);
  }
  const exporter = oneOf(env, 'OTEL_TRACES_EXPORTER', ['otlp', 'none'] as const, 'otlp');
  const endpoint = optional(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? optional(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return {
    serviceName: str(env, 'OTEL_SERVICE_NAME', 'village-storefront'),
    samplerRatio: ratio(env, 'OTEL_TRACES_SAMPLER_ARG', profile === 'prod' ? 0.1 : 1),
    export: exporter === 'otlp' && endpoint !== undefined,
    store: {
      enabled: bool(env, 'TRACE_STORE', profile !== 'test'),
      sampleRatio: ratio(env, 'TRACE_STORE_SAMPLE_RATIO', profile === 'prod' ? 0.01 : 0.1),
      slowMs: int(env, 'TRACE_STORE_SLOW_MS', 1000, 1, 600_000),
      retentionHours: int(env, 'TRACE_STORE_RETENTION_HOURS', 24, 1, 744),
      bufferRows: int(env, 'TRACE_STORE_BUFFER_ROWS', 20_000, 100, 1_000_000),
      flushMs: int(env, 'TRACE_STORE_FLUSH_MS', 1000, 10, 60_000),
    },
  };
}

function optionalHttpUrl(env: Env, name: string): string | undefined {
  return optional(env, name) === undefined ? undefined : httpUrl(env, name, '');
}

function observabilityLinks(env: Env): ObservabilityLinksConfig {
  return {
    prometheusUrl: httpUrl(env, 'PROMETHEUS_URL', 'http://localhost:9090'),
    grafanaUrl: optionalHttpUrl(env, 'GRAFANA_URL'),
    jaegerUrl: optionalHttpUrl(env, 'JAEGER_URL'),
    lokiUrl: optionalHttpUrl(env, 'LOKI_URL'),
    alertmanagerUrl: optionalHttpUrl(env, 'ALERTMANAGER_URL'),
  };
}

function httpUrl(env: Env, name: string, fallback: string): string {
  const value = str(env, name, fallback);
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new ConfigError(name, `must be an http(s) URL, got "${value}"`);
  return value;
}

function dnsResolver(env: Env, name: string, fallback: string): string {
  const value = str(env, name, fallback);
  if (value === 'system' || value === 'offline') return value;
  for (const server of value.split(',')) {
    if (!/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(:\d{1,5})?$/.test(server.trim())) {
      throw new ConfigError(name, `expects system, offline or ip[:port] servers separated by commas, got "${server}"`);
    }
  }
  return value;
}

function levelMap(env: Env, name: string): Record<string, string> {
  const raw = optional(env, name);
  if (!raw) return {};
  const levels: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const [category, level] = pair.split('=').map((part) => part.trim());
    if (!category || !level || !LOG_LEVELS.includes(level)) {
      throw new ConfigError(name, `expects category=level pairs with levels ${LOG_LEVELS.join('|')}, got "${pair}"`);
    }
    levels[category] = level;
  }
  return levels;
}

function signingKeys(env: Env): Pick<AuthConfig, 'signingKeys' | 'signingKid'> {
  const raw = optional(env, 'AUTH_SIGNING_KEYS');
  if (raw === undefined) return { signingKeys: undefined, signingKid: undefined };
  let keys: unknown;
  try {
    keys = JSON.parse(raw);
  } catch {
    throw new ConfigError('AUTH_SIGNING_KEYS', 'is not valid JSON (expected an array of private JWKs)');
  }
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key?.kid === 'string' && key.kid !== '')) {
    throw new ConfigError('AUTH_SIGNING_KEYS', 'must be a non-empty JSON array of private JWKs, each with a "kid"');
  }
  const kids = keys.map((key) => key.kid as string);
  const signingKid = optional(env, 'AUTH_SIGNING_KID') ?? kids[0]!;
  if (!kids.includes(signingKid)) throw new ConfigError('AUTH_SIGNING_KID', `names no key of AUTH_SIGNING_KEYS, got "${signingKid}"`);
  return { signingKeys: keys, signingKid };
}

const DEV_DATA_KEY = 'dev-only-data-key-not-for-production-0001';

/** `PII_ENCRYPTION_KEYS=1:secret,2:secret`, `PII_ENCRYPTION_KEY_VERSION=2` (default: the highest version). */
function dataKeys(env: Env, profile: Profile): DataKeysConfig {
  const raw = optional(env, 'PII_ENCRYPTION_KEYS');
  if (raw === undefined) {
    if (profile === 'prod') throw new ConfigError('PII_ENCRYPTION_KEYS', 'is required in the prod profile (version:secret pairs)');
    return { keys: new Map([[1, DEV_DATA_KEY]]), current: int(env, 'PII_ENCRYPTION_KEY_VERSION', 1, 1, 1) };
  }
  const keys = new Map<number, string>();
  for (const pair of raw.split(',')) {
    const match = /^\s*(\d{1,6}):(\S{32,})\s*$/.exec(pair);
    if (!match) throw new ConfigError('PII_ENCRYPTION_KEYS', 'must be version:secret pairs, each secret at least 32 characters');
    keys.set(Number(match[1]), match[2]!);
  }
  const highest = Math.max(...keys.keys());
  const current = int(env, 'PII_ENCRYPTION_KEY_VERSION', highest, 1, 999_999);
  if (!keys.has(current)) throw new ConfigError('PII_ENCRYPTION_KEY_VERSION', `names no key of PII_ENCRYPTION_KEYS (${[...keys.keys()].join(', ')})`);
  return { keys, current };
}

function mail(env: Env): MailConfig {
  const smtpUrl = optional(env, 'SMTP_URL');
  const transport = oneOf(env, 'MAIL_TRANSPORT', ['outbox', 'smtp'] as const, smtpUrl ? 'smtp' : 'outbox');
  if (smtpUrl !== undefined && !/^smtps?:$/.test(URL.canParse(smtpUrl) ? new URL(smtpUrl).protocol : '')) {
    throw new ConfigError('SMTP_URL', 'must be an smtp:// or smtps:// URL');
  }
  if (transport === 'smtp' && !smtpUrl) throw new ConfigError('SMTP_URL', 'is required when MAIL_TRANSPORT=smtp');
  const from = str(env, 'MAIL_FROM', 'Village Storefront <no-reply@villagestorefront.dev>');
  return { transport, smtpUrl, from };
}

function storage(env: Env, profile: Profile, dataDir: string): StorageConfig {
  const driver = oneOf(env, 'STORAGE_DRIVER', ['local', 's3'] as const, 'local');
  if (driver === 'local') {
    const urlSecret = optional(env, 'STORAGE_URL_SECRET');
    if (profile === 'prod' && !urlSecret) throw new ConfigError('STORAGE_URL_SECRET', 'is required in the prod profile with STORAGE_DRIVER=local');
    if (urlSecret !== undefined && urlSecret.length < 32) throw new ConfigError('STORAGE_URL_SECRET', 'must be at least 32 characters');
    return {
      driver,
      dir: str(env, 'STORAGE_LOCAL_DIR', `${dataDir}/objects`),
      urlSecret: urlSecret ?? 'dev-only-object-url-secret-not-for-production',
      publicBaseUrl: optional(env, 'STORAGE_PUBLIC_URL') === undefined ? '' : httpUrl(env, 'STORAGE_PUBLIC_URL', '').replace(/\/$/, ''),
    };
  }
  const endpoint = optional(env, 'S3_ENDPOINT');
  if (endpoint !== undefined) httpUrl(env, 'S3_ENDPOINT', endpoint);
  return {
    driver,
    endpoint,
    region: str(env, 'S3_REGION', 'auto'),
    bucket: str(env, 'S3_BUCKET'),
    accessKeyId: optional(env, 'S3_ACCESS_KEY_ID'),
    secretAccessKey: optional(env, 'S3_SECRET_ACCESS_KEY'),
    forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', false),
    sse: oneOf(env, 'S3_SSE', ['AES256', 'aws:kms', 'none'] as const, 'AES256'),
    kmsKeyId: optional(env, 'S3_SSE_KMS_KEY_ID'),
  };
}

export function loadConfig(env: Env = process.env): Config {
  const profile = oneOf(env, 'APP_PROFILE', ['dev', 'test', 'prod'] as const, env.NODE_ENV === 'production' ? 'prod' : 'dev');
  const databaseUrl = postgresUrl(env, 'DATABASE_URL');
  const migrateOnStart = bool(env, 'MIGRATE_ON_START', profile !== 'prod');
  if (profile === 'prod' && !databaseUrl && migrateOnStart) {
    throw new ConfigError('DATABASE_URL', 'is required in the prod profile when MIGRATE_ON_START is on');
  }
  const appDatabaseUrl = postgresUrl(env, 'APP_DATABASE_URL');
  if (profile === 'prod' && !appDatabaseUrl) {
    throw new ConfigError('APP_DATABASE_URL', 'is required in the prod profile (a login role granted storefront_app)');
  }
  const auth = signingKeys(env);
  if (profile === 'prod' && !auth.signingKeys) {
    throw new ConfigError('AUTH_SIGNING_KEYS', 'is required in the prod profile (signing keys do not belong in the database)');
  }
  const logLevel = oneOf(env, 'LOG_LEVEL', LOG_LEVELS, profile === 'test' ? 'warn' : 'info');
  const platformDomain = str(env, 'PLATFORM_DOMAIN', profile === 'prod' ? undefined : 'localhost').toLowerCase();
  if (profile === 'prod' && (platformDomain === 'localhost' || platformDomain.endsWith('.localhost'))) {
    throw new ConfigError('PLATFORM_DOMAIN', 'must be a real domain in the prod profile (localhost allows http origins and demo hosts)');
  }
  const seedDemo = bool(env, 'SEED_DEMO', profile !== 'prod');
  if (profile === 'prod' && seedDemo) throw new ConfigError('SEED_DEMO', 'cannot be on in the prod profile (the demo accounts have published passwords)');
  return {
    profile,
    http: {
      host: str(env, 'HOST', profile === 'prod' ? '0.0.0.0' : '127.0.0.1'),
      port: int(env, 'PORT', 8080, 0, 65535),
      bodyLimitBytes: int(env, 'HTTP_BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
      trustProxy: trustProxy(env, 'TRUST_PROXY'),
      requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 120_000, 1_000, 3_600_000),
      headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 15_000, 1_000, 120_000),
      keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 600_000),
      idleTimeoutMs: int(env, 'HTTP_IDLE_TIMEOUT_MS', 30_000, 1_000, 600_000),
      opsAllowList: optional(env, 'OPS_ALLOWED_ADDRESSES') === undefined ? ['loopback'] : list(env, 'OPS_ALLOWED_ADDRESSES', ADDRESS_OR_CIDR),
    },
    databaseUrl,
    migrateOnStart,
    appDatabaseUrl,
    dataDir: str(env, 'DATA_DIR', '.data'),
    db: {
      poolMax: int(env, 'DB_POOL_MAX', 10, 1, 500),
      statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 15_000, 0, 3_600_000),
    },
    platformDomain,
    storefront: { pageCacheMax: int(env, 'STOREFRONT_PAGE_CACHE_MAX', 5_000, 0, 1_000_000) },
    tenantGateway: {
      cacheMax: int(env, 'TENANT_CACHE_MAX', 100_000, 1, 10_000_000),
      cacheTtlMs: int(env, 'TENANT_CACHE_TTL_MS', 60_000, 0, 86_400_000),
      supportUrl: httpUrl(env, 'SUPPORT_URL', 'https://support.villagestorefront.dev/'),
      dnsResolver: dnsResolver(env, 'DNS_RESOLVER', profile === 'prod' ? 'system' : 'offline'),
      // Tests share one database and one address (127.0.0.1), so every test file would draw on one bucket.
      platformHostBudget: {
        capacity: int(env, 'PLATFORM_RATE_LIMIT_BURST', profile === 'test' ? 100_000 : 60, 1, 1_000_000),
        refillPerSecond: int(env, 'PLATFORM_RATE_LIMIT_PER_SECOND', profile === 'test' ? 10_000 : 5, 1, 100_000),
      },
      signupsPerAddressPerHour: int(env, 'SIGNUP_RATE_LIMIT_PER_HOUR', profile === 'test' ? 10_000 : 5, 1, 1_000_000),
    },
    logLevel,
    logLevels: levelMap(env, 'LOG_LEVELS'),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    seedDemo,
    auth: {
      ...auth,
      bcryptCost: int(env, 'AUTH_BCRYPT_COST', profile === 'test' ? 4 : 12, profile === 'test' ? 4 : 12, 15),
    },
    mail: mail(env),
    tracing: tracing(env, profile),
    observabilityLinks: observabilityLinks(env),
    metrics: {
      tenantAllowList: list(env, 'METRICS_TENANT_ALLOWLIST', UUID),
      tenantTopK: int(env, 'METRICS_TENANT_TOP_K', 20, 0, 1000),
    },
    jobs: {
      concurrency: priorityMap(env, 'JOB_CONCURRENCY', { CRITICAL: 4, HIGH: 4, DEFAULT: 10, LOW: 2, BULK: 2 }, 0, 100),
      depthLimit: priorityMap(
        env,
        'JOB_DEPTH_LIMITS',
        { CRITICAL: 10_000, HIGH: 50_000, DEFAULT: 100_000, LOW: 100_000, BULK: 1_000_000 },
        1,
        100_000_000,
      ),
      pollIntervalMs: int(env, 'JOB_POLL_INTERVAL_MS', 2_000, 10, 600_000),
      leaseMs: int(env, 'JOB_LEASE_MS', 60_000, 500, 3_600_000),
      retentionDays: int(env, 'JOB_RETENTION_DAYS', 30, 1, 3650),
    },
    storage: storage(env, profile, str(env, 'DATA_DIR', '.data')),
    media: {
      ffmpegPath: str(env, 'FFMPEG_PATH', 'ffmpeg'),
      ffmpegThreads: int(env, 'FFMPEG_THREADS', 2, 1, 64),
      ffmpegTimeoutMs: int(env, 'FFMPEG_TIMEOUT_MS', 15 * 60_000, 1_000, 6 * 3_600_000),
      ffmpegNice: int(env, 'FFMPEG_NICE', 10, 0, 19),
    },
    payments: payments(env),
    dataKeys: dataKeys(env, profile),
  };
}

function payments(env: Env): PaymentsConfig {
  const secretKey = env.STRIPE_SECRET_KEY;
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new ConfigError(name, 'is required when STRIPE_SECRET_KEY is set');
    return value;
  };
  const apiBase = env.STRIPE_API_BASE ? new URL(httpUrl(env, 'STRIPE_API_BASE', '')) : undefined;
  return {
    stripe: secretKey ? { secretKey, publishableKey: required('STRIPE_PUBLISHABLE_KEY'), webhookSecret: required('STRIPE_WEBHOOK_SECRET'), apiBase } : undefined,
    webhookToleranceSeconds: int(env, 'STRIPE_WEBHOOK_TOLERANCE_SECONDS', 300, 1, 3600),
    reservationTtlMs: int(env, 'CHECKOUT_RESERVATION_TTL_MS', 900_000, 1000, 86_400_000),
  };
}
