import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brandTokens, contrastRatio, designTokens } from '../ui/tokens/index.ts';

const hexColour = fc.integer({ min: 0, max: 0xffffff }).map((value) => `#${value.toString(16).padStart(6, '0')}`);

describe('design tokens', () => {
  it('derive readable colours from any accent a store picks (WCAG AA, 4.5:1)', () => {
    fc.assert(
      fc.property(hexColour, (accent) => {
        const tokens = brandTokens({ accent_color: accent });
        expect(contrastRatio(tokens['color-on-accent'], accent)).toBeGreaterThanOrEqual(4.5);
        expect(contrastRatio(tokens['color-accent-text'], designTokens['color-card'])).toBeGreaterThanOrEqual(4.5);
      }),
    );
  });

  it('keep the static defaults equal to what the default accent derives', () => {
    expect(brandTokens()).toEqual(designTokens);
  });
});
