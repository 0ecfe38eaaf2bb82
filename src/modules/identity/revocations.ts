import type { Db, Tx } from '../../platform/db/database.ts';
import { insertRevocations, revocationsSince } from './repository.ts';
import { ACCESS_TOKEN_TTL_SECONDS, type AccessClaims } from './tokens.ts';

/** How long a replica trusts its copy of the list: the longest a revoked token still works on another replica. */
export const REVOCATION_CACHE_TTL_MS = 2_000;
/** A row older than any token it could refuse (lifetime plus clock tolerance) no longer matters. */
export const REVOCATION_HORIZON_MS = (ACCESS_TOKEN_TTL_SECONDS + 120) * 1000;

/**
 * The access-token revocation list, checked on every authenticated request. Access tokens are stateless for
 * 15 minutes; logout, password change, staff disable and client revocation add a row here, and each replica
 * keeps the rows of the last 17 minutes in memory, reloaded at most every REVOCATION_CACHE_TTL_MS (the replica
 * that wrote a row reloads at once). The list stays small: only revocations younger than a token's lifetime.
 */
export class RevocationList {
  private sessions = new Set<string>();
  private subjects = new Map<string, number>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async isRevoked(claims: AccessClaims): Promise<boolean> {
    if (Date.now() - this.loadedAt > REVOCATION_CACHE_TTL_MS) await this.reload();
    if (claims.sessionId && this.sessions.has(claims.sessionId)) return true;
    const revokedAt = this.subjects.get(claims.subject);
    return revokedAt !== undefined && (claims.issuedAt ?? 0) * 1000 <= revokedAt;
  }

  /** After a revocation on this replica: the next check reloads. */
  invalidate(): void {
    this.loadedAt = 0;
  }

  private reload(): Promise<void> {
    this.loading ??= (async () => {
      const startedAt = Date.now();
      const rows = await revocationsSince(this.db, new Date(startedAt - REVOCATION_HORIZON_MS));
      const sessions = new Set<string>();
      const subjects = new Map<string, number>();
      for (const row of rows) {
        if (row.kind === 'session') sessions.add(row.target);
        else subjects.set(row.target, Math.max(subjects.get(row.target) ?? 0, row.revoked_at.getTime()));
      }
      this.sessions = sessions;
      this.subjects = subjects;
      this.loadedAt = startedAt;
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }
}

/** Refuses from now on the access tokens of these sessions (refresh families, impersonations). */
export const revokeSessions = (trx: Tx, sessionIds: string[]) => insertRevocations(trx, 'session', sessionIds);

/** Refuses every access token of an account or API client issued until now. */
export const revokeSubject = (trx: Tx, subject: string) => insertRevocations(trx, 'subject', [subject]);
