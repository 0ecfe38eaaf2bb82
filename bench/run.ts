/**
 * `npm run bench [-- name …]`: runs every benchmark folder `bench/<name>/main.ts` (or the named ones), each
 * in its own process, one after another. Each benchmark prints one JSON document on stdout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${here}${entry.name}/main.ts`))
  .map((entry) => entry.name)
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const name of wanted.length ? wanted : available) {
  console.error(`== bench/${name}`);
  const run = spawnSync(process.execPath, [`${here}${name}/main.ts`], { stdio: 'inherit', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
  if (run.status !== 0) {
    console.error(`bench/${name} failed with exit code ${run.status}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
