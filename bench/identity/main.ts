/**
 * bench/identity: access-token issuance and verification per second (ours vs bare jose on the same key), the
 * full refresh exchange (row lock, rotation, session log, signing), password login at bcrypt cost 12, and the
 * platform store list p95 over 10,000 stores. Uses DATABASE_URL's server (a scratch database, dropped after)
 * or an embedded PostgreSQL. Prints one JSON document.
 */
import { jwtVerify } from 'jose';
import pg from 'pg';
import { createPlatformUser, createStaffUser } from '../../src/modules/identity/accounts.ts';
import { identityOf } from '../../src/modules/identity/identity.ts';
import { login, refresh } from '../../src/modules/identity/service.ts';
import { type AccessClaims, signAccessToken, verifyAccessToken } from '../../src/modules/identity/tokens.ts';
import { createTenant } from '../../src/modules/tenancy/service.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { createScratchDatabase } from '../../src/platform/db/scratch.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { modules } from '../../src/modules/index.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';

const STORES = 10_000;
const SIGN_VERIFY_ROUNDS = 5_000;
const REFRESH_ROUNDS = 300;
const LOGIN_ROUNDS = 5;
const STORE_LIST_ROUNDS = 300;

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (value: number) => Math.round(value * 1000) / 1000;
async function timed(rounds: number, fn: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  return { per_second: Math.round((rounds / total) * 1000), median_ms: ms(quantile(samples, 0.5)), p95_ms: ms(quantile(samples, 0.95)) };
}

const scratch = await createScratchDatabase('vs-bench-identity', { migrated: false });
try {
  const config = loadConfig({ APP_PROFILE: 'dev', DATABASE_URL: scratch.url, SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
  configureLogging(config);
  const running = await startPlatform(config, ['web'], modules);
  const { platform } = running;
  const identity = identityOf(platform);
  const app = await buildApp(platform, running.modules);
  await app.ready();

  const store = await createTenant(platform.db, { subdomain: 'bench-store', name: 'Bench Store' });
  const claims: AccessClaims = { kind: 'staff', subject: store.id, tenantId: store.id, roles: ['manager'], scopes: ['catalog:read', 'catalog:write'] };
  const ring = await identity.keys.current();
  const token = await signAccessToken(identity.keys, claims);

  const sign = await timed(SIGN_VERIFY_ROUNDS, () => signAccessToken(identity.keys, claims));
  const verify = await timed(SIGN_VERIFY_ROUNDS, () => verifyAccessToken(identity.keys, token));
  const bareVerify = await timed(SIGN_VERIFY_ROUNDS, () => jwtVerify(token, ring.publicKeys.get(ring.kid)!, { algorithms: ['ES256'] }));

  const origin = { ip: '192.0.2.10', userAgent: 'bench' };
  const password = 'bench-password-long';
  await createStaffUser(identity, store.id, { email: 'bench@example.test', password, displayName: 'Bench', role: 'manager' });
  const loginTimes = await timed(LOGIN_ROUNDS, () => login(identity, { tenantId: store.id, kind: 'staff', email: 'bench@example.test', password }, origin));
  let refreshToken = (await login(identity, { tenantId: store.id, kind: 'staff', email: 'bench@example.test', password }, origin)).refresh_token;
  const refreshTimes = await timed(REFRESH_ROUNDS, async () => {
    refreshToken = (await refresh(identity, store.id, refreshToken, origin)).refresh_token;
  });

  const owner = new pg.Client({ connectionString: scratch.url });
  await owner.connect();
  await owner.query(
    `insert into tenants (subdomain, name, plan, status, created_at)
     select 'store-' || i, 'Village Shop ' || i, (array['free','starter','growth','enterprise'])[1 + i % 4],
            case when i % 50 = 0 then 'suspended' else 'active' end, now() - i * interval '1 minute'
       from generate_series(1, $1::int) as i`,
    [STORES],
  );
  // A steady-state fleet: statistics current, GIN pending lists merged (stores arrive one at a time in life).
  await owner.query('vacuum analyze tenants');
  await owner.end();

  const operatorPassword = 'operator-password-long';
  await createPlatformUser(identity, { email: 'ops@bench.test', password: operatorPassword, displayName: 'Ops' });
  const operator = await login(identity, { tenantId: null, kind: 'platform', email: 'ops@bench.test', password: operatorPassword }, origin);
  const headers = { host: 'localhost', authorization: `Bearer ${operator.access_token}` };
  const deepCursor = (await app.inject({ url: '/admin/platform/stores?limit=200', headers })).json().next_cursor;
  const queries: Record<string, string> = {
    first_page: '/admin/platform/stores?limit=50',
    search: '/admin/platform/stores?limit=50&q=Shop%2042',
    plan_and_status: '/admin/platform/stores?limit=50&plan=growth&status=active',
    suspended: '/admin/platform/stores?limit=50&status=suspended',
    cursor_page: `/admin/platform/stores?limit=50&cursor=${deepCursor}`,
  };
  const storeListFor = (url: string) => async () => {
    const response = await app.inject({ url, headers });
    if (response.statusCode !== 200) throw new Error(`store list answered ${response.statusCode}: ${response.body}`);
  };
  const labels = Object.keys(queries);
  const storeList = await timed(STORE_LIST_ROUNDS, (i) => storeListFor(queries[labels[i % labels.length]!]!)());
  const storeListByQuery: Record<string, { median_ms: number; p95_ms: number }> = {};
  for (const label of labels) {
    const { median_ms, p95_ms } = await timed(STORE_LIST_ROUNDS / labels.length, storeListFor(queries[label]!));
    storeListByQuery[label] = { median_ms, p95_ms };
  }

  await app.close();
  await running.stop();
  console.log(
    JSON.stringify(
      {
        benchmark: 'identity',
        database: process.env.DATABASE_URL ? 'DATABASE_URL server' : 'embedded',
        access_token_sign: sign,
        access_token_verify: verify,
        bare_jose_verify: bareVerify,
        verify_overhead_ratio: Math.round((verify.median_ms / bareVerify.median_ms) * 100) / 100,
        refresh_exchange: { rounds: REFRESH_ROUNDS, ...refreshTimes },
        password_login_bcrypt_cost_12: { rounds: LOGIN_ROUNDS, ...loginTimes },
        store_list_http: { stores: STORES + 1, rounds: STORE_LIST_ROUNDS, ...storeList, by_query: storeListByQuery },
        targets: { issuance_median_ms: { seed: 50, goal: 1 }, store_list_p95_ms: { seed: 300, goal: 30 } },
      },
      null,
      2,
    ),
  );
} finally {
  await scratch.drop();
}
