import { definePreset, palette, updatePrimaryPalette } from '@primeuix/themes';
import Aura from '@primeuix/themes/aura';
import { type DesignTokens, designTokens } from '../tokens/index.ts';

/** PrimeVue's Aura theme with the product's design tokens: the same colours, type and radius as the storefront. */
export const themePreset = definePreset(Aura, {
  primitive: { borderRadius: { md: designTokens.radius } },
  semantic: {
    primary: palette(designTokens['color-primary']),
    colorScheme: { light: { surface: palette('#f4f3f0') } },
  },
});

/** Applies a store's tokens: its brand colour to PrimeVue, every token as a CSS custom property. */
export function applyTokens(tokens: DesignTokens): void {
  updatePrimaryPalette(palette(tokens['color-primary']));
  for (const [name, value] of Object.entries(tokens)) document.documentElement.style.setProperty(`--vs-${name}`, value);
}
