import type { FastifyInstance } from 'fastify';
import { storeHost } from './auth.ts';

export type Visitor = ReturnType<typeof formVisitor>;

/** A browser-like visitor of one store host through `inject`: keeps its cookies and reads a form's CSRF token. */
export function formVisitor(app: FastifyInstance, store: { subdomain: string }) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const remember = (setCookie: string | string[] | undefined) => {
    for (const line of [setCookie ?? []].flat()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      if (value) jar.set(name!, value);
      else jar.delete(name!);
    }
  };
  const request = async (method: 'GET' | 'POST', url: string, form?: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await app.inject({
      method,
      url,
      headers: { host: storeHost(store), cookie: cookieHeader(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    remember(response.headers['set-cookie']);
    return response;
  };
  const csrf = async (url: string) => /name="_csrf" value="([^"]+)"/.exec((await request('GET', url)).body)![1]!;
  return { jar, request, csrf };
}
