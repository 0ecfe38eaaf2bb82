/**
 * Smoke test of one deployment before it gets traffic: `node scripts/smoke.ts <base-url> [platform-host]`.
 * Checks liveness, readiness (every dependency UP), the signing keys and the platform host's front page, prints
 * one JSON line per check and exits 1 when any fails. Blue/green runs it against the idle colour's Service.
 */
import http from 'node:http';
import https from 'node:https';

interface Check {
  name: string;
  path: string;
  accept(status: number, body: string): string | undefined;
}

const upReport = (status: number, body: string) => {
  if (status !== 200) return `status ${status}`;
  return (JSON.parse(body) as { status?: string }).status === 'UP' ? undefined : `reported ${body.slice(0, 300)}`;
};

const CHECKS: Check[] = [
  { name: 'live', path: '/q/health/live', accept: upReport },
  { name: 'ready', path: '/q/health/ready', accept: upReport },
  {
    name: 'signing-keys',
    path: '/.well-known/jwks.json',
    accept: (status, body) => (status === 200 && ((JSON.parse(body) as { keys?: unknown[] }).keys?.length ?? 0) > 0 ? undefined : `status ${status}, no keys`),
  },
  { name: 'platform-home', path: '/', accept: (status) => (status < 500 ? undefined : `status ${status}`) },
];

const TIMEOUT_MS = 5_000;

/** node:http rather than fetch: fetch refuses to send a Host header of our choosing. */
function get(url: URL, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, { headers, timeout: TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    request.on('error', reject);
  });
}

async function run(check: Check, baseUrl: string, host: string | undefined): Promise<boolean> {
  const started = performance.now();
  let failure: string | undefined;
  try {
    const response = await get(new URL(check.path, baseUrl), { 'x-request-id': `smoke-${check.name}-${Date.now()}`, ...(host ? { host } : {}) });
    failure = check.accept(response.status, response.body);
  } catch (error) {
    failure = error instanceof Error ? error.message || error.name : String(error);
  }
  const ms = Math.round(performance.now() - started);
  console.log(JSON.stringify({ check: check.name, path: check.path, ok: failure === undefined, ms, ...(failure ? { failure } : {}) }));
  return failure === undefined;
}

const [baseUrl, host] = process.argv.slice(2);
if (!baseUrl || !URL.canParse(baseUrl)) {
  console.error('usage: node scripts/smoke.ts <base-url> [platform-host]');
  process.exit(2);
}
const results = [];
for (const check of CHECKS) results.push(await run(check, baseUrl, host));
process.exit(results.every(Boolean) ? 0 : 1);
