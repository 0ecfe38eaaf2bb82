import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/**
 * One Vite configuration for every browser app: `APP` names the app folder (admin today). Builds go to
 * ui/dist/<app>/ with content-hashed file names and a manifest the server reads; `vite` (dev) proxies the API
 * to a running server (API_ORIGIN, STORE_HOST: the store the dev admin talks to).
 */
const app = process.env.APP ?? 'admin';
const apiOrigin = process.env.API_ORIGIN ?? 'http://127.0.0.1:8080';
const storeHost = process.env.STORE_HOST ?? `demo.localhost:${new URL(apiOrigin).port || 80}`;
const proxied = { target: apiOrigin, headers: { host: storeHost } };

export default defineConfig({
  root: new URL(`./${app}/`, import.meta.url).pathname,
  base: `/${app}/`,
  plugins: [vue()],
  build: {
    outDir: new URL(`./dist/${app}/`, import.meta.url).pathname,
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/auth': proxied,
      [`/${app}/api`]: proxied,
      [`/${app}/bootstrap`]: proxied,
      [`/${app}/telemetry`]: proxied,
      '/products': proxied,
    },
  },
});
