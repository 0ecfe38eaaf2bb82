import { type InjectionKey, inject, reactive } from 'vue';
import { type Api, apiClient } from '../../shared/api/client.ts';
import { ok } from '../../shared/api/problem.ts';
import { Session } from '../../shared/auth/session.ts';
import { forgetPrefetched } from './prefetch.ts';

export type Bootstrap = Awaited<ReturnType<typeof fetchBootstrap>>;

async function fetchBootstrap(api: Api) {
  return ok(api.GET('/admin/bootstrap'));
}

/** What every screen shares: the session, the typed API client, and the bootstrap document (store, user, scopes). */
export class AdminContext {
  readonly session = new Session();
  readonly api: Api;
  readonly state = reactive({ bootstrap: null as Bootstrap | null });

  constructor(onSignedOut: () => void) {
    this.api = apiClient(this.session, onSignedOut);
    this.api.use({
      onRequest({ request }) {
        if (request.method !== 'GET') forgetPrefetched();
      },
    });
  }

  async load(): Promise<Bootstrap> {
    const bootstrap = await fetchBootstrap(this.api);
    this.state.bootstrap = bootstrap;
    return bootstrap;
  }

  get user() {
    return this.state.bootstrap?.user ?? null;
  }

  can(scope: string): boolean {
    return this.user?.scopes.includes(scope) ?? false;
  }
}

export const contextKey: InjectionKey<AdminContext> = Symbol('admin');

export function useAdmin(): AdminContext {
  const context = inject(contextKey);
  if (!context) throw new Error('useAdmin outside the admin app');
  return context;
}
