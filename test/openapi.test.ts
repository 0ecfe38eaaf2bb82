import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { modules } from '../src/modules/index.ts';
import { OPENAPI_FILE, generateOpenApi } from '../src/platform/http/openapi-document.ts';

describe('OpenAPI document', () => {
  it('is committed and matches the routes (run `npm run openapi` after changing an API)', async () => {
    const committed = await readFile(OPENAPI_FILE, 'utf8');
    expect(committed === (await generateOpenApi(modules)), 'docs/api/openapi.json is stale: run `npm run openapi`').toBe(true);
  });

  it('documents the APIs, not the storefront pages or probes', async () => {
    const paths = Object.keys(JSON.parse(await readFile(OPENAPI_FILE, 'utf8')).paths);
    expect(paths).toEqual(expect.arrayContaining(['/admin/api/v1/products', '/admin/api/v1/inventory/adjustments', '/admin/api/v1/imports']));
    expect(paths.filter((path) => path === '/' || /^\/(products|collections|search|cart|q)\b/.test(path))).toEqual([]);
  });
});
