import type { FastifyRequest } from 'fastify';

/** Browsers ask for HTML; API clients (JSON, any type, no Accept header) get problem+json. */
export function wantsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/.test(request.headers.accept ?? '');
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

// One <style> block, no style attributes: the Content-Security-Policy allows inline styles only by their hash.
const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f3a5f}' +
  '.brand{letter-spacing:.1em;text-transform:uppercase;color:#e07a5f}.reference{color:#667;font-size:.85rem}';

function page(title: string, body: string, requestId: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><p class="brand">Village Storefront</p>${body}` +
    `<p class="reference">Reference: <code>${escapeHtml(requestId)}</code></p></body></html>`
  );
}

export function storeNotFoundPage(host: string, requestId: string): string {
  return page(
    'Store not found',
    `<h1>Store not found</h1><p>There is no store at <strong>${escapeHtml(host)}</strong>. ` +
      'Check the address, or the store may have moved to a new one.</p>',
    requestId,
  );
}

export function storeSuspendedPage(storeName: string, supportUrl: string, requestId: string): string {
  return page(
    `${storeName} is temporarily unavailable`,
    `<h1>${escapeHtml(storeName)} is temporarily unavailable</h1>` +
      '<p>This store is paused for now. If you shop here, please check back later.</p>' +
      `<p>Are you the owner? <a href="${escapeHtml(supportUrl)}">Contact Village Storefront support</a> and quote the reference below.</p>`,
    requestId,
  );
}
