/**
 * A start-up failure a person can act on: what failed (`message`) and what to do about it (`hint`). main.ts
 * prints both and exits 1; anything else that escapes start-up is printed with its stack.
 */
export class StartupError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.hint = hint;
    this.name = 'StartupError';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** Names the server of a failed first connection (host:port, never the password) and the likely fix. */
export function connectionFailure(url: string, variable: string, error: unknown): StartupError | undefined {
  const code = (error as { code?: string } | undefined)?.code;
  let where = 'the database';
  try {
    const parsed = new URL(url);
    where = `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {}
  if (code && CONNECTION_CODES.has(code)) {
    return new StartupError(`The database at ${where} is unreachable (${code})`, `Is PostgreSQL running there? Check ${variable}.`, { cause: error });
  }
  if (code === '28P01' || code === '28000') {
    return new StartupError(`The database at ${where} refused the credentials (${(error as Error).message})`, `Check the user and password in ${variable}.`, { cause: error });
  }
  if (code === '3D000') {
    return new StartupError(`The database at ${where} does not exist`, `Create it (createdb) or fix the database name in ${variable}.`, { cause: error });
  }
  return undefined;
}
