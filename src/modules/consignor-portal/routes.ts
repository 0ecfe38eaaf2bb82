import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireScopes } from '../../platform/http/auth.ts';
import { idempotent } from '../../platform/http/idempotency.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { consignment } from '../consignment/index.ts';
import { csrfToken, type Html, verifyCsrf } from '../storefront/index.ts';
import { acceptLink, invite, signIn, signOut, TOKEN } from './auth.ts';
import { portalDataRoutes } from './data-routes.ts';
import { cookieName, cookieOptions, PATH, sendPage, tenantOf } from './http.ts';
import { signInPage, welcomePage } from './pages.ts';

const Credentials = Type.Object({ _csrf: Type.String({ maxLength: 100 }), email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
const NewPassword = Type.Object({ _csrf: Type.String({ maxLength: 100 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
const LinkParams = Type.Object({ token: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const Invitation = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

const originOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

/** The consignor portal pages on the store's host, and the staff call that invites a consignor. */
export async function portalRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  await root.register(cookie);
  await root.register(formbody);
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: Html, status = 200) => sendPage(platform, request, reply, title, body, status);
  const signedIn = (request: FastifyRequest, reply: FastifyReply, token: string) => {
    reply.setCookie(cookieName(request), token, { ...cookieOptions(request), maxAge: 30 * 24 * 3600 });
    return reply.redirect(PATH, 303);
  };
  const formError = (error: unknown) => {
    if (error instanceof HttpProblem && error.status < 500 && error.status !== 429) return error.message;
    throw error;
  };

  await portalDataRoutes(app, platform);

  app.get(`${PATH}/sign-in`, async (request, reply) => send(request, reply, 'Consignor sign-in', signInPage(csrfToken(request, reply), null)));

  app.post(`${PATH}/sign-in`, { schema: { body: Credentials } }, async (request, reply) => {
    const tenant = tenantOf(request);
    verifyCsrf(request, request.body._csrf);
    try {
      return signedIn(request, reply, await signIn(platform, tenant.id, request.body.email, request.body.password, originOf(request)));
    } catch (error) {
      return send(request, reply, 'Consignor sign-in', signInPage(request.body._csrf, formError(error), request.body.email), 401);
    }
  });

  app.get(`${PATH}/welcome/:token`, { schema: { params: LinkParams } }, async (request, reply) => {
    if (!TOKEN.test(request.params.token)) throw new HttpProblem(404, 'Not Found', 'No such link.');
    return send(request, reply, 'Choose your password', welcomePage(csrfToken(request, reply), request.params.token, null));
  });

  app.post(`${PATH}/welcome/:token`, { schema: { params: LinkParams, body: NewPassword } }, async (request, reply) => {
    const tenant = tenantOf(request);
    verifyCsrf(request, request.body._csrf);
    try {
      return signedIn(request, reply, await acceptLink(platform, tenant.id, request.params.token, request.body.password, originOf(request)));
    } catch (error) {
      const status = error instanceof HttpProblem ? error.status : 500;
      return send(request, reply, 'Choose your password', welcomePage(request.body._csrf, request.params.token, formError(error)), status);
    }
  });

  app.post(`${PATH}/sign-out`, { schema: { body: Type.Object({ _csrf: Type.String({ maxLength: 100 }) }, { additionalProperties: false }) } }, async (request, reply) => {
    const tenant = tenantOf(request);
    verifyCsrf(request, request.body._csrf);
    await signOut(platform, tenant.id, request.cookies[cookieName(request)]);
    reply.clearCookie(cookieName(request), { path: PATH });
    return reply.redirect(`${PATH}/sign-in`, 303);
  });

  app.post(
    '/admin/api/v1/consignment/consignors/:id/portal-invitations',
    {
      schema: {
        tags: ['consignment'],
        summary: 'Invite a consignor to the portal (e-mails a one-time link that sets the password)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
        body: Invitation,
        response: { 201: Type.Object({ expires_at: Type.String({ format: 'date-time' }) }) },
      },
      preHandler: requireScopes('consignment:write'),
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const portalUrl = `${request.protocol}://${request.host}`;
      const consignor = { id: request.params.id, email: request.body.email, name: request.body.name };
      const result = await platform.db.withTenant(tenant.id, (trx) =>
        idempotent(trx, tenant.id, request, async () => {
          if (!(await consignment.getConsignor(trx, tenant.id, consignor.id))) throw new HttpProblem(404, 'Not Found', 'No such consignor in this store.');
          return { status: 201, body: await invite(platform, trx, tenant, consignor, portalUrl) };
        }),
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(result.body);
    },
  );
}
