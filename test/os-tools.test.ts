import { describe, expect, it } from 'vitest';
import { requireTool } from './support/os-tools.ts';

describe('OS tools for tests', () => {
  it('finds an installed command', () => {
    expect(requireTool('sh')).toMatch(/\/sh$/);
  });

  it('names the Debian package of a missing one', () => {
    const previous = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => requireTool('promtool')).toThrow(/`promtool`, which is not installed: install the Debian package `prometheus`/);
    } finally {
      process.env.PATH = previous;
    }
  });
});
