import createClient from 'openapi-fetch';
import type { Session } from '../auth/session.ts';
import type { paths } from './schema';

export type { components, paths } from './schema';

/**
 * The typed API client: paths, parameters and bodies come from the committed OpenAPI document, so a route the
 * server changes breaks the app's type check. Adds the bearer token; on a 401 renews the session once and retries.
 */
export function apiClient(session: Session, onSignedOut: () => void) {
  const authorised = async (request: Request): Promise<Response> => {
    const attempt = (token: string | null) => {
      const copy = request.clone();
      if (token) copy.headers.set('authorization', `Bearer ${token}`);
      return fetch(copy);
    };
    const response = await attempt(session.state.accessToken);
    if (response.status !== 401) return response;
    if (!(await session.renew())) {
      onSignedOut();
      return response;
    }
    return attempt(session.state.accessToken);
  };
  return createClient<paths>({ baseUrl: location.origin, fetch: authorised });
}

export type Api = ReturnType<typeof apiClient>;
