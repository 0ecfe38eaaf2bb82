/**
 * bench/login-flood: legitimate logins and storefront throughput while 50 addresses flood the login with wrong
 * passwords, against the same rounds without the flood (alternating quiet/flood rounds, medians). bcrypt at the
 * production cost of 12. Two kinds of round: legitimate logins alone (one every 200 ms, latency measured), and the
 * storefront home page at full load (autocannon, bench/storefront/load.ts). The flood (flood.ts) and the storefront
 * load run as child processes; everything goes over HTTP. Prints one JSON document.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { createStaffUser } from '../../src/modules/identity/accounts.ts';
import { identityOf } from '../../src/modules/identity/identity.ts';
import { modules } from '../../src/modules/index.ts';
import { createTenant, tenancy } from '../../src/modules/tenancy/service.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';
import { benchDatabase } from '../support/database.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ATTACKERS = 50;
const LEGIT_USERS = 20;

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};
const median = (values: number[]) => quantile(values, 0.5);
const round1 = (value: number) => Math.round(value * 10) / 10;

const database = await benchDatabase();
// Forwarded addresses stand for the attackers' and users' own; the bench trusts its loopback proxy.
const config = loadConfig({ APP_PROFILE: 'dev', DATABASE_URL: database.url, SEED_DEMO: 'false', LOG_LEVEL: 'error', TRUST_PROXY: '127.0.0.1' });
configureLogging(config);
const running = await startPlatform(config, ['web'], modules);
const app = await buildApp(running.platform, running.modules);
try {
  const { platform } = running;
  const identity = identityOf(platform);
  const tenant = await createTenant(platform.db, { subdomain: 'flood', name: 'Flooded Boutique' });
  // The storefront load comes from one address: lift the store's budget so that it measures the server.
  for (const key of ['rate_limit.burst', 'rate_limit.per_second'] as const) {
    await tenancy(platform).flags.setOverride({ tenantId: tenant.id, key, value: 1_000_000, reason: 'login flood benchmark' });
  }
  const host = 'flood.localhost';
  const users: { email: string; password: string; ip: string }[] = [];
  for (let i = 0; i < LEGIT_USERS; i++) {
    const user = { email: `user-${i}@flood.test`, password: `right-password-${i}`, ip: `192.0.2.${i + 1}` };
    await createStaffUser(identity, tenant.id, { ...user, displayName: `User ${i}`, role: 'staff' });
    users.push(user);
  }
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  // node:http rather than fetch: fetch does not let a request name its Host.
  const login = (body: object, ip: string) =>
    new Promise<{ status: number }>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const request = http.request(`${origin}/auth/login`, {
        method: 'POST',
        agent,
        headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-forwarded-for': ip },
      });
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      });
      request.on('error', reject);
      request.end(payload);
    });

  async function storefrontLoad(): Promise<number> {
    const load = spawn(process.execPath, [fileURLToPath(new URL('../storefront/load.ts', import.meta.url)), origin, host], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_SECONDS: String(SECONDS) },
    });
    load.stdin.end(JSON.stringify([{ name: 'home', paths: ['/'] }]));
    const output = JSON.parse(await text(load.stdout)) as { home: { requests_per_second: number } };
    return output.home.requests_per_second;
  }

  async function floodFromChild(): Promise<Record<string, number>> {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./flood.ts', import.meta.url)), origin, host], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(JSON.stringify({ emails: users.map((user) => user.email), seconds: SECONDS, attackers: ATTACKERS }));
    return JSON.parse(await text(child.stdout)) as Record<string, number>;
  }

  /** One round: the legitimate logins alone, or the storefront at full load; with or without the flood. */
  async function round(flood: boolean, storefront: boolean) {
    const until = Date.now() + SECONDS * 1000;
    const legit: number[] = [];
    let legitRefused = 0;
    const statuses: Record<string, number> = {};
    const legitimate = (async () => {
      for (let i = 0; !storefront && Date.now() < until; i++) {
        const user = users[i % users.length]!;
        const started = performance.now();
        const response = await login({ email: user.email, password: user.password }, user.ip);
        if (response.status === 200) legit.push(performance.now() - started);
        else legitRefused++;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const attackers = flood ? [floodFromChild().then((counts) => Object.assign(statuses, counts))] : [];
    const started = performance.now();
    const [requestsPerSecond] = await Promise.all([storefront ? storefrontLoad() : 0, storefront ? undefined : legitimate, ...attackers]);
    if (storefront) await legitimate.catch(() => {});
    console.error(`round (${flood ? 'flood' : 'quiet'}, ${storefront ? 'storefront' : 'logins'}) took ${Math.round(performance.now() - started)} ms`);
    return { requestsPerSecond, legitP95: quantile(legit, 0.95), legitMedian: median(legit), legitCount: legit.length, legitRefused, statuses };
  }

  const quiet: Awaited<ReturnType<typeof round>>[] = [];
  const flooded: Awaited<ReturnType<typeof round>>[] = [];
  const quietShop: number[] = [];
  const floodShop: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    quiet.push(await round(false, false));
    flooded.push(await round(true, false));
    quietShop.push((await round(false, true)).requestsPerSecond);
    floodShop.push((await round(true, true)).requestsPerSecond);
  }
  const quietRps = median(quietShop);
  const floodRps = median(floodShop);
  console.log(
    JSON.stringify(
      {
        benchmark: 'login-flood',
        date: new Date().toISOString(),
        server: database.server,
        rounds: ROUNDS,
        seconds_per_round: SECONDS,
        attackers: ATTACKERS,
        bcrypt_cost: identity.bcryptCost,
        quiet: { storefront_rps: quietRps, legit_login_p95_ms: round1(median(quiet.map((q) => q.legitP95))), legit_login_median_ms: round1(median(quiet.map((q) => q.legitMedian))) },
        flood: {
          storefront_rps: floodRps,
          legit_login_p95_ms: round1(median(flooded.map((f) => f.legitP95))),
          legit_login_median_ms: round1(median(flooded.map((f) => f.legitMedian))),
          legit_logins: flooded.map((f) => f.legitCount),
          legit_logins_refused: flooded.map((f) => f.legitRefused),
          attacker_responses: flooded.map((f) => f.statuses),
        },
        storefront_throughput_drop_percent: round1((1 - floodRps / quietRps) * 100),
        targets: { legit_login_p95_ms_under: 500, storefront_throughput_drop_percent_under: 10 },
      },
      null,
      2,
    ),
  );
} finally {
  await app.close();
  await running.stop();
  await database.drop();
}
