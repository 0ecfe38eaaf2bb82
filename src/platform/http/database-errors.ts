/**
 * What a failure of the database means for the client. A value PostgreSQL cannot store is the client's bad input
 * (400); an unreachable, restarting, overloaded or lock-bound database is a temporary outage (503 with Retry-After,
 * so clients and load balancers back off and retry; the pool reconnects by itself). Nothing else is mapped here.
 */
export interface DatabaseProblem {
  status: 400 | 503;
  title: string;
  detail: string;
  errorType: string;
  headers: Record<string, string>;
}

/** Text the server cannot store: U+0000 (22021 character_not_in_repertoire), untranslatable characters (22P05). */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);
/** Connection exceptions (08…), too many connections, shutdown or start-up, lock and statement timeouts. */
const UNAVAILABLE = /^(08...|53300|57P01|57P02|57P03|55P03|57014)$/;
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
/** pg and pg-pool report a lost or never-made connection by message only. */
const LOST = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly)/;

export const RETRY_AFTER_SECONDS = 2;

export function databaseProblem(error: unknown): DatabaseProblem | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : '';
  if (UNSTORABLE_TEXT.has(code)) {
    return { status: 400, title: 'Bad Request', detail: 'The request holds text that cannot be stored (e.g. U+0000).', errorType: `pg_${code}`, headers: {} };
  }
  if (UNAVAILABLE.test(code) || NETWORK.has(code) || LOST.test(message)) {
    return {
      status: 503,
      title: 'Service Unavailable',
      detail: 'The service is temporarily unavailable; retry shortly.',
      errorType: code ? `db_${code}` : 'db_unavailable',
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    };
  }
  return undefined;
}
