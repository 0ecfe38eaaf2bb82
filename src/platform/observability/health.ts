/**
 * Health checks in the MicroProfile Health JSON shape: {"status":"UP","checks":[{"name","status","data"}]}.
 * Parts of the platform register readiness checks (database, job queue, object storage, ffmpeg).
 */
import { logger } from './logger.ts';

export interface CheckResult {
  status: 'UP' | 'DOWN';
  data?: Record<string, unknown>;
}

export type HealthCheck = () => Promise<CheckResult>;

export interface HealthReport {
  status: 'UP' | 'DOWN';
  checks: { name: string; status: 'UP' | 'DOWN'; data?: Record<string, unknown> }[];
}

const CHECK_TIMEOUT_MS = 2_000;
/** How long one readiness answer is reused: a flood of probes costs one round of checks per interval. */
export const READINESS_CACHE_MS = 2_000;

const log = logger('health');

export class HealthRegistry {
  private readonly readiness = new Map<string, HealthCheck>();
  private cached: { at: number; report: Promise<HealthReport> } | undefined;

  addReadinessCheck(name: string, check: HealthCheck): void {
    this.readiness.set(name, check);
  }

  /** The checks' combined answer; concurrent and closely following calls share one run of the checks. */
  ready(): Promise<HealthReport> {
    const now = performance.now();
    if (this.cached && now - this.cached.at < READINESS_CACHE_MS) return this.cached.report;
    const report = Promise.all([...this.readiness].map(([name, check]) => runCheck(name, check))).then(
      (checks): HealthReport => ({ status: checks.every((check) => check.status === 'UP') ? 'UP' : 'DOWN', checks }),
    );
    this.cached = { at: now, report };
    return report;
  }

  live(): HealthReport {
    return { status: 'UP', checks: [{ name: 'process', status: 'UP', data: { uptime_s: Math.round(process.uptime()) } }] };
  }
}

async function runCheck(name: string, check: HealthCheck): Promise<HealthReport['checks'][number]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'DOWN', data: { error: `no answer within ${CHECK_TIMEOUT_MS} ms` } }), CHECK_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([check(), timeout]);
    return { name, ...result };
  } catch (error) {
    // The cause goes to the log; the response says only that the dependency failed (no addresses, no SQL).
    log.warn({ err: error, check: name }, 'readiness check failed');
    return { name, status: 'DOWN', data: { error: 'check failed; see the logs' } };
  } finally {
    clearTimeout(timer);
  }
}
