/** `npm run monitoring`: writes monitoring/ and docs/operations/alert_catalog.md from the telemetry definitions. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { collect } from './monitoring/collect.ts';
import { GENERATED_DIRS, generate } from './monitoring/generate.ts';

const root = join(import.meta.dirname, '..');
const { files, counts } = generate(collect());

for (const dir of GENERATED_DIRS) {
  for (const entry of await readdir(join(root, dir), { recursive: true, withFileTypes: true }).catch(() => [])) {
    const path = join(entry.parentPath, entry.name).slice(root.length + 1);
    if (entry.isFile() && !files.has(path)) await rm(join(root, path));
  }
}
for (const [path, content] of files) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}
for (const [path, count] of counts) console.log(`${path}: ${count}`);
