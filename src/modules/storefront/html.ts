/**
 * The template engine: a tagged template that escapes every interpolated value unless it is already `Html`
 * (the result of another `html` call). There is no way to insert a raw string, so escaping cannot be forgotten.
 */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => ESCAPES[char]!);
}

type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0]!;
  for (let index = 0; index < values.length; index++) out += render(values[index]) + strings[index + 1]!;
  return new Html(out);
}

/** Only http(s) URLs may become links or image sources (no `javascript:` or `data:`). */
export function safeUrl(url: string | null | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

/** One formatter per currency: building an Intl.NumberFormat costs far more than formatting with one. */
const moneyFormats = new Map<string, { format: Intl.NumberFormat; divisor: number }>();

export function formatMoney(minor: number, currency: string): string {
  let money = moneyFormats.get(currency);
  if (!money) {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    money = { format, divisor: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) };
    moneyFormats.set(currency, money);
  }
  return money.format.format(minor / money.divisor);
}
