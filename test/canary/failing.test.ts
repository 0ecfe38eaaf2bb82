/**
 * A test that always fails, run only when TEST_CANARY=fail. CI runs it through `npm test` and fails the build
 * unless the run exits non-zero, so a test runner that reports green on failures cannot go unnoticed.
 */
import { expect, inject, it } from 'vitest';

it('fails on purpose, after the run set up its database', () => {
  expect(inject('databaseUrl')).toMatch(/^postgres:\/\//);
  expect('the canary').toBe('a failing test');
});
