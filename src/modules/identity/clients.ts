import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Identity } from './identity.ts';
import { CLIENT_GRANTABLE_SCOPES } from './rbac.ts';
import { revokeSubject } from './revocations.ts';
import { type OAuthClient, findClient, insertClient, listClients, revokeClient } from './repository.ts';
import { tokenIssuanceDuration } from './telemetry.ts';
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from './tokens.ts';

/** An RFC 6749 §5.2 error: the token endpoint answers `{error, error_description}`, not a problem document. */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';
  constructor(status: number, error: OAuthError['error'], description: string) {
    super(description);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
  }
}

// Client secrets are 256 random bits, so a fast hash is as strong as a slow one; SHA-256 keeps the token
// endpoint cheap (ADR 0060).
const secretHash = (secret: string) => createHash('sha256').update(secret).digest();

export async function createClient(db: Db, tenantId: string, input: { name: string; scopes: string[] }): Promise<{ client: OAuthClient; secret: string }> {
  const unknown = input.scopes.filter((scope) => !(CLIENT_GRANTABLE_SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) {
    throw new HttpProblem(400, 'Validation failed', `API clients may hold only ${CLIENT_GRANTABLE_SCOPES.join(', ')}.`, {
      extensions: { errors: [{ field: 'body/scopes', message: `not grantable: ${unknown.join(', ')}` }] },
    });
  }
  const secret = randomBytes(32).toString('base64url');
  const client = await db.withTenant(tenantId, (trx) =>
    insertClient(trx, {
      tenant_id: tenantId,
      client_id: `vsc_${randomBytes(12).toString('base64url')}`,
      secret_hash: secretHash(secret),
      name: input.name,
      scopes: [...new Set(input.scopes)],
    }),
  );
  return { client, secret };
}

export function clients(db: Db, tenantId: string): Promise<OAuthClient[]> {
  return db.withTenant(tenantId, listClients);
}

/** Revokes a client: no new tokens, and the tokens it holds are refused at once (the revocation list). */
export async function revoke(identity: Identity, tenantId: string, clientId: string): Promise<void> {
  const revoked = await identity.db.withTenant(tenantId, async (trx) => {
    if (!(await revokeClient(trx, clientId))) return false;
    await revokeSubject(trx, clientId);
    return true;
  });
  if (!revoked) throw new HttpProblem(404, 'API client not found', `No active API client ${clientId} in this store.`);
  identity.revocations.invalidate();
}

/** RFC 6749 §4.4: a client of this store authenticates with its secret and receives a 15-minute access token. */
export async function clientCredentialsGrant(
  identity: Identity,
  tenantId: string,
  request: { clientId: string; clientSecret: string; scope: string | undefined },
): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
  const client = await identity.db.withTenant(tenantId, (trx) => findClient(trx, request.clientId));
  const presented = secretHash(request.clientSecret);
  if (!client || client.revoked_at !== null || !timingSafeEqual(presented, client.secret_hash)) {
    throw new OAuthError(401, 'invalid_client', 'Client authentication failed.');
  }
  const requested = request.scope === undefined ? client.scopes : [...new Set(request.scope.split(' ').filter(Boolean))];
  const refused = requested.filter((scope) => !client.scopes.includes(scope));
  if (requested.length === 0 || refused.length > 0) {
    throw new OAuthError(400, 'invalid_scope', refused.length ? `Scope not granted to this client: ${refused.join(' ')}.` : 'No scope requested.');
  }
  const stop = tokenIssuanceDuration.startTimer({ grant: 'client_credentials' });
  const accessToken = await signAccessToken(identity.keys, { kind: 'client', subject: client.client_id, tenantId, roles: [], scopes: requested });
  stop();
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, scope: requested.join(' ') };
}
