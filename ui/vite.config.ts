import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/**
 * One Vite configuration for every browser app: `APP` names the app folder (admin, console). Builds go to
 * ui/dist/<app>/ with content-hashed file names and a manifest the server reads; `vite` (dev) proxies the API
 * to a running server (API_ORIGIN; STORE_HOST: the store the dev admin talks to; the console talks to the
 * platform host).
 */
const app = process.env.APP ?? 'admin';
/** Where the server serves each app: the admin on store hosts, the console on the platform host. */
const BASES: Record<string, string> = { admin: '/admin/', console: '/admin/platform/' };
const base = BASES[app] ?? `/${app}/`;
const apiOrigin = process.env.API_ORIGIN ?? 'http://127.0.0.1:8080';
const port = new URL(apiOrigin).port || 80;
const host = app === 'console' ? `localhost:${port}` : (process.env.STORE_HOST ?? `demo.localhost:${port}`);
const proxied = { target: apiOrigin, headers: { host } };
const API_PATHS: Record<string, string[]> = {
  admin: ['/admin/api', '/admin/bootstrap', '/admin/telemetry', '/products'],
  console: ['/admin/platform/stores', '/admin/platform/impersonations', '/admin/platform/commands', '/admin/platform/requests', '/admin/platform/widgets', '/admin/jobs'],
};

export default defineConfig({
  root: new URL(`./${app}/`, import.meta.url).pathname,
  base,
  plugins: [vue()],
  build: {
    outDir: new URL(`./dist/${app}/`, import.meta.url).pathname,
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(['/auth', ...(API_PATHS[app] ?? [])].map((path) => [path, proxied])),
  },
});
