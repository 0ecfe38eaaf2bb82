import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from './identity.ts';
import { OAuthError, clientCredentialsGrant } from './clients.ts';

type Params = Record<string, string | undefined>;

/** RFC 6749 §2.3.1: HTTP Basic with the form-urlencoded client id and secret. */
function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  if (!header) return undefined;
  const encoded = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header)?.[1];
  const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError(401, 'invalid_client', 'The Authorization header must be HTTP Basic with client_id:client_secret.');
  try {
    return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    throw new OAuthError(401, 'invalid_client', 'The Basic credentials are not form-urlencoded.');
  }
}

function parameters(body: unknown): Params {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new OAuthError(400, 'invalid_request', 'The request body must be form-encoded parameters.');
  const params: Params = {};
  for (const [name, value] of Object.entries(body)) {
    // RFC 6749 §3.2: parameters must not be repeated.
    if (typeof value !== 'string') throw new OAuthError(400, 'invalid_request', `Parameter ${name} must appear once, as a string.`);
    params[name] = value;
  }
  return params;
}

async function grant(identity: Identity, request: FastifyRequest) {
  if (!request.tenant) throw new OAuthError(400, 'invalid_request', "The token endpoint is served on the store's host.");
  const params = parameters(request.body);
  if (!params.grant_type) throw new OAuthError(400, 'invalid_request', 'grant_type is required.');
  if (params.grant_type !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'Only client_credentials is supported here.');
  const basic = basicCredentials(request.headers.authorization);
  if (basic && (params.client_id !== undefined || params.client_secret !== undefined)) {
    throw new OAuthError(400, 'invalid_request', 'Use one client authentication method, not two.');
  }
  const clientId = basic?.clientId ?? params.client_id;
  const clientSecret = basic?.clientSecret ?? params.client_secret;
  if (!clientId || !clientSecret) throw new OAuthError(401, 'invalid_client', 'Client authentication is required.');
  if (params.scope !== undefined && !/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(params.scope)) {
    throw new OAuthError(400, 'invalid_scope', 'scope must be space-separated scope tokens.');
  }
  return clientCredentialsGrant(identity, request.tenant.id, { clientId, clientSecret, scope: params.scope });
}

/** POST /oauth/token. Errors use the RFC 6749 §5.2 body (`error`, `error_description`), with request_id added. */
export async function tokenEndpoint(identity: Identity, request: FastifyRequest, reply: FastifyReply) {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  try {
    return await grant(identity, request);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    if (error.status === 401) reply.header('www-authenticate', 'Basic realm="oauth"');
    return reply.code(error.status).send({ error: error.error, error_description: error.message, request_id: request.id });
  }
}
