import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The repository stands on its own: code, comments and docs never point at documents a person who clones it
 * does not have (the specification files it was written from, or a shared architecture note beside it).
 */
const OUTSIDE = [/\bseeds?\s+0\d\d\b/i, /\bseed\s*§/i, /\(seed\b/i, /\bseed's\b/i, /\bseeds?\s+(?:target|budget)/i, /ARCHITECTURE\.md/, /\.\.\/shared\/(?:seeds|reviews|research)/, /\b00[014] §\d/];

describe('the repository is self-contained', () => {
  it('has no reference to documents outside it', () => {
    const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
      .split('\n')
      .filter((file) => /\.(ts|js|vue|md|sql|ya?ml|sh|json)$/.test(file) && !file.endsWith('package-lock.json') && file !== 'test/self-contained.test.ts');
    const found: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      text.split('\n').forEach((line, index) => {
        if (OUTSIDE.some((pattern) => pattern.test(line))) found.push(`${file}:${index + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(found).toEqual([]);
  });
});
