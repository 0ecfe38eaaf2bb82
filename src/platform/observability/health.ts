/**
 * Health checks in the MicroProfile Health JSON shape: {"status":"UP","checks":[{"name","status","data"}]}.
 * Parts of the platform register readiness checks (database, job queue, object storage, ffmpeg).
 */
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

export class HealthRegistry {
  private readonly readiness = new Map<string, HealthCheck>();

  addReadinessCheck(name: string, check: HealthCheck): void {
    this.readiness.set(name, check);
  }

  async ready(): Promise<HealthReport> {
    const checks = await Promise.all([...this.readiness].map(([name, check]) => runCheck(name, check)));
    return { status: checks.every((check) => check.status === 'UP') ? 'UP' : 'DOWN', checks };
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
    return { name, status: 'DOWN', data: { error: error instanceof Error ? error.message : String(error) } };
  } finally {
    clearTimeout(timer);
  }
}
