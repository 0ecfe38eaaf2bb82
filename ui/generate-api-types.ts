/** Writes ui/shared/api/schema.d.ts from the committed OpenAPI document, so the apps type-check against the real API. */
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';

const SOURCE = new URL('../docs/api/openapi.json', import.meta.url);
const TARGET = new URL('./shared/api/schema.d.ts', import.meta.url);

export async function generateApiTypes(): Promise<void> {
  const document = JSON.parse(await readFile(SOURCE, 'utf8'));
  const ast = await openapiTS(document, { alphabetize: true });
  await writeFile(TARGET, `// Generated from docs/api/openapi.json by ui/generate-api-types.ts. Do not edit.\n${astToString(ast)}`);
}

if (import.meta.main) await generateApiTypes();
