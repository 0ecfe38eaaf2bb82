import { definePreset, palette, updatePrimaryPalette } from '@primeuix/themes';
import Aura from '@primeuix/themes/aura';
import { type DesignTokens, designTokens } from '../tokens/index.ts';

/** PrimeVue's Aura theme with the product's design tokens: the same colours, type and radius as the storefront. */
export const themePreset = definePreset(Aura, {
  primitive: { borderRadius: { md: designTokens.radius } },
  // Messages and text buttons one step darker than Aura's defaults: 4.5:1 contrast on their tinted backgrounds.
  components: {
    message: {
      colorScheme: {
        light: {
          error: { color: '{red.800}' },
          success: { color: '{green.800}' },
          warn: { color: '{yellow.800}' },
          info: { color: '{sky.800}' },
        },
      },
    },
    toast: {
      colorScheme: {
        light: {
          success: { color: '{green.800}', detailColor: '{surface.800}' },
          error: { color: '{red.800}', detailColor: '{surface.800}' },
          info: { color: '{sky.800}', detailColor: '{surface.800}' },
        },
      },
    },
    button: {
      colorScheme: {
        light: {
          // Red 500 under white text, or as text on white, is below WCAG AA contrast: destructive buttons use red 700.
          root: {
            danger: {
              background: '{red.700}',
              hoverBackground: '{red.800}',
              activeBackground: '{red.900}',
              borderColor: '{red.700}',
              hoverBorderColor: '{red.800}',
              activeBorderColor: '{red.900}',
            },
          },
          outlined: { danger: { color: '{red.700}', borderColor: '{red.700}' } },
          text: { danger: { color: '{red.700}' }, secondary: { color: '{surface.600}' } },
        },
      },
    },
  },
  semantic: {
    primary: palette(designTokens['color-primary']),
    // Warm neutrals for text, borders and panels, beside the storefront's off-white surface.
    colorScheme: {
      light: {
        surface: Object.fromEntries([0, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950].map((step) => [step, step === 0 ? '#ffffff' : `{stone.${step}}`])),
      },
    },
  },
});

/** Applies a store's tokens: its brand colour to PrimeVue, every token as a CSS custom property. */
export function applyTokens(tokens: DesignTokens): void {
  updatePrimaryPalette(palette(tokens['color-primary']) as Parameters<typeof updatePrimaryPalette>[0]);
  for (const [name, value] of Object.entries(tokens)) document.documentElement.style.setProperty(`--vs-${name}`, value);
}
