import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config/config.ts';
import { configuredKeys, generateSigningKey } from './keys.ts';
import { signAccessToken, verifyAccessToken } from './tokens.ts';

const claims = { kind: 'staff' as const, subject: 's-1', tenantId: '5f0c6a4e-6a2b-4c1f-9a55-0d5a2b1c9e10', roles: ['owner'], scopes: [] };

describe('configured signing keys (AUTH_SIGNING_KEYS)', () => {
  it('signs with AUTH_SIGNING_KID and keeps verifying the other keys, so a rotation logs nobody out', async () => {
    const oldKey = await generateSigningKey();
    const newKey = await generateSigningKey();
    const jwks = (keys: (typeof oldKey)[]) => JSON.stringify(keys.map((key) => ({ ...key.private_jwk, kid: key.kid })));
    const before = configuredKeys(loadConfig({ AUTH_SIGNING_KEYS: jwks([oldKey]) }).auth);
    const issuedBefore = await signAccessToken(before, claims);
    const after = configuredKeys(loadConfig({ AUTH_SIGNING_KEYS: jwks([oldKey, newKey]), AUTH_SIGNING_KID: newKey.kid }).auth);
    expect(decodeProtectedHeader(await signAccessToken(after, claims)).kid).toBe(newKey.kid);
    await expect(verifyAccessToken(after, issuedBefore)).resolves.toMatchObject({ subject: 's-1' });
    expect((await after.current()).jwks.keys.map((key) => key.kid)).toEqual([oldKey.kid, newKey.kid]);
  });

  it.each([
    [{ AUTH_SIGNING_KEYS: 'not json' }, 'AUTH_SIGNING_KEYS'],
    [{ AUTH_SIGNING_KEYS: '[]' }, 'AUTH_SIGNING_KEYS'],
    [{ AUTH_SIGNING_KEYS: '[{"kty":"EC"}]' }, 'AUTH_SIGNING_KEYS'],
    [{ AUTH_SIGNING_KEYS: '[{"kid":"a"}]', AUTH_SIGNING_KID: 'b' }, 'AUTH_SIGNING_KID'],
    [{ APP_PROFILE: 'prod', DATABASE_URL: 'postgres://o@h/db', APP_DATABASE_URL: 'postgres://a@h/db' }, 'AUTH_SIGNING_KEYS'],
    [{ AUTH_BCRYPT_COST: '8' }, 'AUTH_BCRYPT_COST'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it('uses bcrypt cost 12 outside the test profile', () => {
    expect(loadConfig({}).auth.bcryptCost).toBe(12);
    expect(loadConfig({ APP_PROFILE: 'test' }).auth.bcryptCost).toBe(4);
  });

  it('refuses a key that is not ES256 when the ring is built', async () => {
    const source = configuredKeys(loadConfig({ AUTH_SIGNING_KEYS: '[{"kid":"rsa","kty":"RSA","n":"x","e":"AQAB","d":"y"}]' }).auth);
    await expect(source.current()).rejects.toThrow(/not an EC P-256 key/);
  });
});
