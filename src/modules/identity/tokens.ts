import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT, errors, jwtVerify } from 'jose';
import type { Principal } from '../../platform/http/auth.ts';
import { type KeySource, SIGNING_ALG } from './keys.ts';

export const ISSUER = 'village-storefront';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const CLOCK_TOLERANCE_SECONDS = 30;

export interface Impersonation {
  id: string;
  actorId: string;
  reason: string;
  ticket?: string | undefined;
}

/** What an access token says about its bearer. */
export interface AccessClaims {
  kind: Principal['kind'];
  subject: string;
  tenantId: string | null;
  roles: string[];
  scopes: string[];
  /** The login session (refresh-token family) or impersonation the token belongs to. */
  sessionId?: string | undefined;
  impersonation?: Impersonation | undefined;
  /** RFC 8176 authentication methods: `pwd`, plus `otp` once a second factor was checked for this token. */
  amr?: string[] | undefined;
  /** Seconds since the epoch; set on verified tokens (the revocation list compares it). */
  issuedAt?: number | undefined;
}

export class TokenRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

interface Payload extends JWTPayload {
  kind: AccessClaims['kind'];
  tenant_id: string | null;
  roles: string[];
  scope: string;
  sid?: string;
  /** RFC 8693 actor claim: who really acts when a platform super-user impersonates. */
  act?: { sub: string };
  imp?: { id: string; reason: string; ticket?: string };
  amr?: string[];
}

export async function signAccessToken(keys: KeySource, claims: AccessClaims, now = Date.now()): Promise<string> {
  const ring = await keys.current();
  const payload: Payload = {
    kind: claims.kind,
    tenant_id: claims.tenantId,
    roles: claims.roles,
    scope: claims.scopes.join(' '),
    ...(claims.sessionId ? { sid: claims.sessionId } : {}),
    ...(claims.amr ? { amr: claims.amr } : {}),
    ...(claims.impersonation
      ? {
          act: { sub: claims.impersonation.actorId },
          imp: {
            id: claims.impersonation.id,
            reason: claims.impersonation.reason,
            ...(claims.impersonation.ticket ? { ticket: claims.impersonation.ticket } : {}),
          },
        }
      : {}),
  };
  const issuedAt = Math.floor(now / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: SIGNING_ALG, kid: ring.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject(claims.subject)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
    .sign(ring.privateKey);
}

const KINDS = new Set(['staff', 'customer', 'client', 'platform']);
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Verifies signature (ES256 only, known kid), issuer, expiry and claim shapes; throws TokenRejected. */
export async function verifyAccessToken(keys: KeySource, token: string): Promise<AccessClaims> {
  let payload: Payload;
  try {
    const result = await jwtVerify<Payload>(
      token,
      async (header) => {
        const key = header.kid ? await keys.lookup(header.kid) : undefined;
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      { algorithms: [SIGNING_ALG], issuer: ISSUER, typ: 'at+jwt', clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['sub', 'exp', 'iat'] },
    );
    payload = result.payload;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenRejected('token expired');
    if (error instanceof errors.JOSEError) throw new TokenRejected(`token invalid (${error.code})`);
    throw error;
  }
  const { kind, tenant_id, roles, scope, sid, act, imp, amr } = payload;
  if (!KINDS.has(kind) || !(tenant_id === null || typeof tenant_id === 'string') || !isStringArray(roles) || typeof scope !== 'string') {
    throw new TokenRejected('token claims malformed');
  }
  if ((act === undefined) !== (imp === undefined)) throw new TokenRejected('token claims malformed');
  if (amr !== undefined && !isStringArray(amr)) throw new TokenRejected('token claims malformed');
  return {
    kind,
    subject: payload.sub!,
    tenantId: tenant_id,
    roles,
    scopes: scope === '' ? [] : scope.split(' '),
    sessionId: typeof sid === 'string' ? sid : undefined,
    impersonation: act && imp ? { id: imp.id, actorId: act.sub, reason: imp.reason, ticket: imp.ticket } : undefined,
    amr,
    issuedAt: payload.iat!,
  };
}
