import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { AppBuild } from './assets.ts';
import { APP_POLICY, IMMUTABLE, NO_CACHE, send } from './delivery.ts';

const BASE = '/admin/platform';

function onPlatformHost(request: FastifyRequest): void {
  if (request.tenant) throw new HttpProblem(404, 'Not Found', 'The platform console is served on the platform host only.');
}

/**
 * The platform console under /admin/platform/ on the platform host. The console's API shares the prefix: its
 * routes are registered with exact paths and win over the shell's wildcard, and the console's own screens use
 * other path segments (fleet, search, audit …), so a reload of any screen gets the shell. A path that is
 * neither, asked for by an API client (no text/html in Accept), is an ordinary 404 problem.
 */
export async function consoleRoutes(root: FastifyInstance, build: AppBuild): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.get(`${BASE}/assets/:file`, { schema: { hide: true, params: Type.Object({ file: Type.String({ pattern: '^[\\w.-]{1,120}$' }) }) } }, async (request, reply) => {
    onPlatformHost(request);
    const file = build.assets.get(request.params.file);
    if (!file) throw new HttpProblem(404, 'Not Found', 'No such console asset (it may belong to an older release: reload the page).');
    return send(request, reply, file, IMMUTABLE);
  });

  const shell = async (request: FastifyRequest, reply: FastifyReply) => {
    onPlatformHost(request);
    if (!/\btext\/html\b/.test(request.headers.accept ?? '')) throw new HttpProblem(404, 'Not Found', `No route for GET ${request.url.split('?')[0]}`);
    return send(request, reply.header('content-security-policy', APP_POLICY), build.index, NO_CACHE);
  };
  app.get(BASE, { schema: { hide: true } }, (_request, reply) => reply.redirect(`${BASE}/`));
  app.get(`${BASE}/`, { schema: { hide: true } }, shell);
  app.get(`${BASE}/*`, { schema: { hide: true } }, shell);
}
