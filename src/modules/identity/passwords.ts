import { hash, verify } from '@node-rs/bcrypt';
import { HttpProblem } from '../../platform/http/problem.ts';

/** bcrypt reads at most 72 bytes; a longer password would be silently truncated, so it is refused instead. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_LENGTH = 10;

export async function hashPassword(password: string, cost: number): Promise<string> {
  if (password.length < PASSWORD_MIN_LENGTH || Buffer.byteLength(password) > PASSWORD_MAX_BYTES) {
    throw new HttpProblem(400, 'Validation failed', `A password has ${PASSWORD_MIN_LENGTH} characters at least and ${PASSWORD_MAX_BYTES} bytes at most.`, {
      extensions: { errors: [{ field: 'body/password', message: 'has an unacceptable length' }] },
    });
  }
  return hash(password, { cost });
}

export function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  return verify(password, passwordHash);
}
