import { parseOptions } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { HttpProblem } from '../../platform/http/problem.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  it('hashes with bcrypt at the production cost of 12 and verifies', async () => {
    const stored = await hashPassword('correct horse battery', 12);
    expect(parseOptions(stored)).toMatchObject({ cost: 12 });
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery!', stored)).toBe(false);
  });

  it('refuses passwords bcrypt would truncate or that are too short', async () => {
    await expect(hashPassword('é'.repeat(37), 4)).rejects.toBeInstanceOf(HttpProblem);
    await expect(hashPassword('short', 4)).rejects.toBeInstanceOf(HttpProblem);
  });
});
