import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has working defaults for the dev profile (embedded database)', () => {
    const config = loadConfig({});
    expect(config.profile).toBe('dev');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.http.port).toBe(8080);
    expect(config.dataDir).toBe('.data');
    expect(config.seedDemo).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ APP_PROFILE: 'staging' }, 'APP_PROFILE'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ LOG_LEVELS: 'db=chatty' }, 'LOG_LEVELS'],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO'],
    [{ TENANT_CACHE_MAX: '0' }, 'TENANT_CACHE_MAX'],
    [{ SUPPORT_URL: 'mailto:help@example.com' }, 'SUPPORT_URL'],
    [{ DNS_RESOLVER: 'dns.example.com' }, 'DNS_RESOLVER'],
    [{ APP_PROFILE: 'prod' }, 'DATABASE_URL'],
    [{ APP_PROFILE: 'prod', DATABASE_URL: 'postgres://o@h/db' }, 'APP_DATABASE_URL'],
  ])('refuses %j naming %s', (env, variable) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message).toContain(variable);
  });

  it('reads per-category log levels', () => {
    expect(loadConfig({ LOG_LEVELS: 'db=debug, http=warn' }).logLevels).toEqual({ db: 'debug', http: 'warn' });
  });
});
