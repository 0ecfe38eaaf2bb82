/**
 * What a merchant should read instead of a schema's pattern: by the field's last path segment. The server's
 * own words are kept for every other message ("must be 1 to 300 characters").
 */
const PATTERN_HINTS: Record<string, string> = {
  sku: 'Use letters, digits and . _ / - only, no spaces (at most 64 characters).',
  handle: 'Use lowercase letters, digits and single dashes, e.g. wool-scarf.',
  currency: 'Use a three-letter currency code in capitals, e.g. USD.',
  primary_color: 'Use a hex colour such as #1f3a5f.',
  accent_color: 'Use a hex colour such as #e07a5f.',
  logo_url: 'Use an address that starts with https://.',
  code: 'Use lowercase letters, digits and dashes.',
  hostname: 'Use a domain name such as shop.example.com.',
  email: 'Enter an e-mail address such as rose@example.com.',
  countries: 'Use two-letter country codes, e.g. US, CA.',
  country: 'Use a two-letter country code in capitals, e.g. US.',
  region: 'Use the region’s code, e.g. CA for California.',
};

function readable(field: string, message: string): string {
  if (message === 'must NOT have fewer than 1 characters') return 'This field is required.';
  // A nullable field's schema is a union: its failure names the union, not what the value lacks.
  const shape = message.startsWith('must match pattern') || message.startsWith('must match format') || message === 'must match a schema in anyOf';
  if (!shape) return message;
  // An item of a list (`countries/1`) takes the list's hint.
  const name = field.split('/').filter((segment) => !/^\d+$/.test(segment)).at(-1) ?? '';
  return PATTERN_HINTS[name] ?? 'This value is not in the expected form.';
}

/** An RFC 9457 problem answer of the API, with validation failures keyed by field path (`variants/0/sku`). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  /** The domain error's code (`over_refund`), for screens that place a message beside the field it concerns. */
  readonly code: string | undefined;
  /** Why an authentication failed (`mfa_required`, `mfa_invalid`), for screens that ask for what is missing. */
  readonly reason: string | undefined;
  readonly fields: Record<string, string>;

  constructor(status: number, body: unknown) {
    const problem = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const title = typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
    super(title);
    this.status = status;
    this.title = title;
    this.detail = typeof problem.detail === 'string' ? problem.detail : 'The server could not complete the request.';
    this.requestId = typeof problem.request_id === 'string' ? problem.request_id : undefined;
    this.code = typeof problem.code === 'string' ? problem.code : undefined;
    this.reason = typeof problem.reason === 'string' ? problem.reason : undefined;
    this.fields = {};
    for (const entry of Array.isArray(problem.errors) ? problem.errors : []) {
      if (typeof entry?.field !== 'string') continue;
      const field = entry.field.replace(/^body\/?/, '');
      this.fields[field] = readable(field, String(entry.message ?? 'is invalid'));
    }
    // A conflict names its field (`handle`, `sku`): the message belongs beside that field.
    if (typeof problem.field === 'string') this.fields[problem.field] = this.detail;
  }
}

/** The body of a successful openapi-fetch answer, or the answer's problem thrown as an ApiError. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, error);
  return data as T;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError && (error.status === 400 || error.status === 422) && Object.keys(error.fields).length > 0) return 'Some fields need attention: see the messages beside them.';
  if (error instanceof ApiError) return `${error.detail}${error.requestId ? ` (reference ${error.requestId})` : ''}`;
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  return error instanceof Error ? error.message : String(error);
}
