import { defineConfig } from 'vitest/config';

/** TEST_CANARY=fail runs only test/canary/: a failing test that proves `npm test` exits non-zero (see .ci/run). */
const canary = process.env.TEST_CANARY === 'fail';

export default defineConfig({
  test: {
    include: canary ? ['test/canary/*.test.ts'] : ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: canary ? [] : ['test/canary/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    env: { LOG_LEVEL: 'warn' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
