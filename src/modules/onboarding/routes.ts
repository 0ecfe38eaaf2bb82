import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { INVITATION_TOKEN, acceptInvitation, identityOf } from '../identity/index.ts';
import { cartScript, csrfToken, type Html, layout, loadBranding, verifyCsrf } from '../storefront/index.ts';
import type { Tenant } from '../tenancy/index.ts';
import { type SignupForm, platformPage, signupDonePage, signupPage, welcomeDonePage, welcomePage } from './pages.ts';
import { SignupRefused, signUp, signupEnabled } from './signup.ts';

const HTML = 'text/html; charset=utf-8';
const Csrf = { _csrf: Type.String({ maxLength: 100 }) };
const TokenParams = Type.Object({ token: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const NewPassword = Type.Object({ ...Csrf, password: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
const Signup = Type.Object(
  {
    ...Csrf,
    store_name: Type.String({ maxLength: 200 }),
    subdomain: Type.String({ maxLength: 63 }),
    owner_name: Type.String({ maxLength: 200 }),
    owner_email: Type.String({ maxLength: 254 }),
  },
  { additionalProperties: false },
);

const originOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
const notFound = () => new HttpProblem(404, 'Not Found', 'No such page.');

function storeOf(request: FastifyRequest): Tenant {
  if (!request.tenant) throw notFound();
  return request.tenant;
}

/** A problem the person at the form can act on is said on the page; anything else stays an error. */
function formError(error: unknown): { status: number; message: string } {
  if (error instanceof HttpProblem && error.status < 500) return { status: error.status, message: error.message };
  throw error;
}

/**
 * The pages a new merchant meets: the sign-up form on the platform host (behind the `platform.signup` flag) and
 * the owner's set-password page on the new store's host, where the invitation mail leads.
 */
export async function onboardingRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  await root.register(cookie);
  await root.register(formbody);
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const identity = identityOf(platform);

  const storePage = async (request: FastifyRequest, reply: FastifyReply, title: string, body: Html, status = 200) => {
    const branding = await loadBranding(platform, storeOf(request));
    return reply.code(status).header('cache-control', 'private, no-store').type(HTML).send(layout(branding, title, body, cartScript.path).value);
  };
  const hostPage = (reply: FastifyReply, title: string, body: Html, status = 200) =>
    reply.code(status).header('cache-control', 'private, no-store').type(HTML).send(platformPage(title, body));

  app.get('/admin/welcome/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const store = storeOf(request);
    if (!INVITATION_TOKEN.test(request.params.token)) throw notFound();
    return storePage(request, reply, 'Choose your password', welcomePage(csrfToken(request, reply), request.params.token, store.name, null));
  });

  app.post('/admin/welcome/:token', { schema: { hide: true, params: TokenParams, body: NewPassword } }, async (request, reply) => {
    const store = storeOf(request);
    verifyCsrf(request, request.body._csrf);
    try {
      const email = await acceptInvitation(identity, store.id, request.params.token, request.body.password, originOf(request));
      return storePage(request, reply, 'Password set', welcomeDonePage(email));
    } catch (error) {
      const { status, message } = formError(error);
      return storePage(request, reply, 'Choose your password', welcomePage(request.body._csrf, request.params.token, store.name, message), status);
    }
  });

  // Before the body is validated: with the flag off there is no page, whatever is posted.
  const onRequest = async (request: FastifyRequest) => {
    if (request.tenant || !(await signupEnabled(platform))) throw notFound();
  };

  app.get('/signup', { onRequest, schema: { hide: true } }, async (request, reply) => {
    return hostPage(reply, 'Open your store', signupPage(csrfToken(request, reply), request.host));
  });

  app.post('/signup', { onRequest, schema: { hide: true, body: Signup } }, async (request, reply) => {
    verifyCsrf(request, request.body._csrf);
    const { _csrf, ...form } = request.body;
    const again = (status: number, fields: Partial<Record<keyof SignupForm, string>>, message: string | null) =>
      hostPage(reply, 'Open your store', signupPage(_csrf, request.host, form, fields, message), status);
    try {
      const created = await signUp(platform, request.ip, (subdomain) => `${request.protocol}://${subdomain}.${request.host}`, form);
      return hostPage(reply, 'Your store is ready', signupDonePage(created.tenant.name, created.owner.email), 201);
    } catch (error) {
      if (error instanceof SignupRefused) return again(400, error.fields, 'Please correct the fields marked below.');
      const { status, message } = formError(error);
      if (error instanceof HttpProblem) reply.headers(error.headers);
      return again(status, {}, message);
    }
  });
}
