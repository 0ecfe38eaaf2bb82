/** `npm run build:ui`: the typed API client from the committed OpenAPI document, then every app's production build. */
import { build } from 'vite';
import { generateApiTypes } from './generate-api-types.ts';

const APPS = ['admin', 'console'];

export async function buildApps(): Promise<void> {
  await generateApiTypes();
  for (const app of APPS) {
    process.env.APP = app;
    await build({ configFile: new URL('./vite.config.ts', import.meta.url).pathname, logLevel: 'warn' });
  }
}

if (import.meta.main) await buildApps();
