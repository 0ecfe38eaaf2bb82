/**
 * bench/checkout: latency of POST /checkout/commit (p50/p95/p99) and SQL statements per checkout, at 1 and at 20
 * concurrent shoppers, on the test payment provider. Carts are filled before the timed phase; only commits are
 * timed. Statements are counted at the wire: every query the application's pool sends to the server (BEGIN,
 * set_config, COMMIT included), i.e. what PostgreSQL executes (pg_stat_statements is not preloaded here).
 * Uses DATABASE_URL's server (a scratch database, dropped after) or an embedded PostgreSQL. Prints one JSON document.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type pg from 'pg';
import { tenancy } from '../../src/modules/tenancy/index.ts';
import { createTenant } from '../../src/modules/tenancy/service.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { modules } from '../../src/modules/index.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';
import { seedProduct } from '../../test/support/shop.ts';
import { benchDatabase } from '../support/database.ts';

const PRODUCTS = 40;
const ROUNDS_SERIAL = 60;
const ROUNDS_PER_SHOPPER = 10;
const ADDRESS = { name: 'Bench Shopper', line1: '1 Main St', city: 'San Francisco', region: 'CA', postal_code: '94105', country: 'US' };

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (value: number) => Math.round(value * 100) / 100;

const database = await benchDatabase();
try {
  const config = loadConfig({ APP_PROFILE: 'dev', DATABASE_URL: database.url, SEED_DEMO: 'false', LOG_LEVEL: 'warn', DB_POOL_MAX: '20' });
  configureLogging(config);
  const running = await startPlatform(config, ['web'], modules);
  const app = await buildApp(running.platform, running.modules);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const store = await createTenant(running.platform.db, { subdomain: 'bench-checkout', name: 'Bench Checkout' });
  const host = `${store.subdomain}.localhost`;
  // The gateway's per-store rate limit would answer most of the load with 429: lift it for this store.
  for (const key of ['rate_limit.burst', 'rate_limit.per_second'] as const) {
    await tenancy(running.platform).flags.setOverride({ tenantId: store.id, key, value: 1_000_000, reason: 'checkout benchmark' });
  }
  const variants: string[] = [];
  for (let i = 0; i < PRODUCTS; i++) variants.push((await seedProduct(running.platform.db, store.id, { price: 1500 + i, stock: 1_000_000 })).variantId);

  let statements = 0;
  const counted = new WeakSet<pg.PoolClient>();
  running.platform.db.pool.on('acquire', (client) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      statements++;
      return query(...args);
    };
  });

  const port = Number(new URL(address).port);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /** node:http, since fetch may not set the Host header that names the store. */
  const call = (method: string, path: string, cookies: Map<string, string>, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; json: Record<string, unknown> & { csrf_token: string } }>((resolve, reject) => {
      const payload = body ? JSON.stringify(body) : undefined;
      const outgoing = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          agent,
          headers: { host, accept: 'application/json', cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
        },
        (response) => {
          for (const line of response.headers['set-cookie'] ?? []) {
            const [pair] = line.split(';');
            const [name, value] = pair!.split('=');
            cookies.set(name!, value!);
          }
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });

  /** A shopper with a filled cart, ready to commit. */
  const prepare = async (i: number) => {
    const cookies = new Map<string, string>();
    const csrf = (await call('GET', '/cart.json', cookies)).json.csrf_token;
    await call('POST', '/cart/items', cookies, { _csrf: csrf, variant_id: variants[i % PRODUCTS], quantity: 1 });
    await call('POST', '/cart/items', cookies, { _csrf: csrf, variant_id: variants[(i + 7) % PRODUCTS], quantity: 2 });
    return { cookies, csrf };
  };
  const commit = async (shopper: { cookies: Map<string, string>; csrf: string }) => {
    const started = performance.now();
    const response = await call(
      'POST',
      '/checkout/commit',
      shopper.cookies,
      { _csrf: shopper.csrf, email: 'bench@example.test', shipping_address: ADDRESS, shipping_method: 'domestic:standard', payment_method: 'tok_visa' },
      { 'idempotency-key': randomUUID() },
    );
    if (response.status !== 201) throw new Error(`commit answered ${response.status}: ${JSON.stringify(response.json)}`);
    return performance.now() - started;
  };

  const phase = async (concurrency: number, roundsPerShopper: number) => {
    const carts = await Promise.all(Array.from({ length: concurrency * roundsPerShopper }, (_, i) => prepare(i)));
    statements = 0;
    const samples: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, shopper) => {
        for (let round = 0; round < roundsPerShopper; round++) samples.push(await commit(carts[shopper * roundsPerShopper + round]!));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      concurrency,
      commits: samples.length,
      p50_ms: ms(quantile(samples, 0.5)),
      p95_ms: ms(quantile(samples, 0.95)),
      p99_ms: ms(quantile(samples, 0.99)),
      commits_per_second: Math.round((samples.length / seconds) * 10) / 10,
      sql_statements_per_checkout: Math.round((statements / samples.length) * 10) / 10,
    };
  };

  await phase(1, 10); // warm-up: JIT, prepared plans, shipping quote cache
  const serial = await phase(1, ROUNDS_SERIAL);
  const concurrent = await phase(20, ROUNDS_PER_SHOPPER);
  console.log(JSON.stringify({ benchmark: 'checkout', server: database.server, pool_max: 20, lines_per_cart: 2, provider: 'test', serial, concurrent }, null, 2));
  agent.destroy();
  await app.close();
  await running.stop();
} finally {
  await database.drop();
}
