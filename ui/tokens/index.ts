/**
 * The product's design tokens: the one source both the server-rendered storefront (as CSS custom properties)
 * and the Vue apps (as the PrimeVue theme) read. A store's branding overrides the two brand colours only.
 * Plain TypeScript with no imports, so Node and the browser bundle both load it as it is.
 */
export const designTokens = {
  'color-primary': '#1f3a5f',
  'color-accent': '#e07a5f',
  // Derived from the accent (see brandTokens): text on an accent background, and the accent as text on a card.
  'color-on-accent': '#000000',
  'color-accent-text': '#a25844',
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

/**
 * A store chooses its accent freely, so the colours drawn with it are derived to stay readable (WCAG AA, 4.5:1):
 * button text is white or black, whichever contrasts more; the accent used as text is darkened until it reads
 * on a white card.
 */
export function brandTokens(brand: BrandColours = {}): DesignTokens {
  const accent = brand.accent_color ?? designTokens['color-accent'];
  return {
    ...designTokens,
    'color-primary': brand.primary_color ?? designTokens['color-primary'],
    'color-accent': accent,
    'color-on-accent': readableOn(accent),
    'color-accent-text': darkenUntilReadable(accent, designTokens['color-card']),
  };
}

const AA_CONTRAST = 4.5;

type Rgb = [number, number, number];

function channels(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function toHex([r, g, b]: Rgb): string {
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

function linear(channel: number): number {
  const s = channel / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

function luminance(hex: string): number {
  const [r, g, b] = channels(hex);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** The WCAG contrast ratio of two `#rrggbb` colours. */
export function contrastRatio(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

function readableOn(background: string): string {
  const light = '#ffffff';
  // Black, not the body text's near-black: only black guarantees 4.5:1 against every mid-tone.
  const dark = '#000000';
  return contrastRatio(light, background) >= contrastRatio(dark, background) ? light : dark;
}

function darkenUntilReadable(colour: string, background: string): string {
  let rgb = channels(colour);
  while (contrastRatio(toHex(rgb), background) < AA_CONTRAST && rgb.some((c) => c > 0)) {
    rgb = [Math.floor(rgb[0] * 0.9), Math.floor(rgb[1] * 0.9), Math.floor(rgb[2] * 0.9)];
  }
  return toHex(rgb);
}

/** `--vs-<name>:<value>` declarations, for a `:root{…}` rule or a `style` attribute. */
export function cssVariables(tokens: DesignTokens): string {
  return Object.entries(tokens)
    .map(([name, value]) => `--vs-${name}:${value}`)
    .join(';');
}
