import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import { storeSettings } from './service.ts';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

export async function tenancyRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  app.get('/', async (request, reply) => {
    const tenant = request.tenant;
    if (!tenant) {
      return reply.type('text/html; charset=utf-8').send('<!doctype html><title>Village Storefront</title><h1>Village Storefront</h1>');
    }
    const settings = await storeSettings(platform.db, tenant.id);
    const name = escapeHtml(tenant.name);
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name}</title></head>` +
          `<body style="font-family:sans-serif;color:${settings?.primary_color ?? '#1f3a5f'}"><h1>${name}</h1>` +
          `<p>${escapeHtml(settings?.tagline ?? '')}</p></body></html>`,
      );
  });
}
