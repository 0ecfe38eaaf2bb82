/**
 * Run by main.ts as `node --expose-gc cache-memory.ts <url> <stores>`: resolves every store once through the
 * real TenantDirectory, once with a cache that keeps them all and once with a one-entry cache, and prints the
 * heap difference per entry (query garbage cancels out) and the rate of uncached resolutions.
 */
import { TenantDirectory } from '../../src/modules/tenancy/directory.ts';
import { createDb } from '../../src/platform/db/database.ts';

const [url, storesArg] = process.argv.slice(2);
const stores = Number(storesArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!url || !gc) throw new Error('usage: node --expose-gc cache-memory.ts <url> <stores>');

const heap = () => {
  for (let round = 0; round < 3; round++) gc();
  return process.memoryUsage().heapUsed;
};

const db = createDb({ ownerUrl: url, appUrl: undefined, poolMax: 10, statementTimeoutMs: 15_000 });
async function fill(max: number): Promise<{ bytes: number; ms: number; directory: TenantDirectory }> {
  const before = heap();
  const directory = new TenantDirectory(db, { max, ttlMs: 3_600_000 });
  const started = performance.now();
  for (let store = 1; store <= stores; store++) {
    await directory.resolve({ kind: 'subdomain', host: `s${store}.villagestorefront.dev`, subdomain: `s${store}` });
  }
  const ms = performance.now() - started;
  return { bytes: heap() - before, ms, directory };
}
const single = await fill(1);
const all = await fill(stores);
console.log(JSON.stringify({ bytesPerEntry: (all.bytes - single.bytes) / stores, resolutionsPerS: stores / ((single.ms + all.ms) / 2000) }));
await db.close();
