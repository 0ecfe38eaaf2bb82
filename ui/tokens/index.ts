/**
 * The product's design tokens: the one source both the server-rendered storefront (as CSS custom properties)
 * and the Vue apps (as the PrimeVue theme) read. A store's branding overrides the two brand colours only.
 * Plain TypeScript with no imports, so Node and the browser bundle both load it as it is.
 */
export const designTokens = {
  'color-primary': '#1f3a5f',
  'color-accent': '#e07a5f',
  'color-surface': '#fbfaf8',
  'color-card': '#ffffff',
  'color-text': '#222222',
  'color-muted': '#5b6170',
  'color-danger': '#b3261e',
  'color-success': '#1e7a46',
  'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  radius: '6px',
} as const;

export type TokenName = keyof typeof designTokens;
export type DesignTokens = Record<TokenName, string>;

/** The colours a store may choose itself (its branding settings). */
export interface BrandColours {
  primary_color?: string | null;
  accent_color?: string | null;
}

export function brandTokens(brand: BrandColours = {}): DesignTokens {
  return {
    ...designTokens,
    'color-primary': brand.primary_color ?? designTokens['color-primary'],
    'color-accent': brand.accent_color ?? designTokens['color-accent'],
  };
}

/** `--vs-<name>:<value>` declarations, for a `:root{…}` rule or a `style` attribute. */
export function cssVariables(tokens: DesignTokens): string {
  return Object.entries(tokens)
    .map(([name, value]) => `--vs-${name}:${value}`)
    .join(';');
}
