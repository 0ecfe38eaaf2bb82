import { type InjectionKey, inject, reactive } from 'vue';
import { type Api, apiClient } from '../../shared/api/client.ts';
import { ok } from '../../shared/api/problem.ts';
import { Session } from '../../shared/auth/session.ts';
import type { Me } from './types.ts';

/**
 * What every console screen shares: the super-user's session, the typed API client, and who is signed in
 * (`/auth/me`: scopes, and whether a second factor is enrolled and proven for the current token).
 */
export class ConsoleContext {
  readonly session = new Session();
  readonly api: Api;
  readonly state = reactive({ me: null as Me | null });

  constructor(onSignedOut: () => void) {
    this.api = apiClient(this.session, onSignedOut);
  }

  async load(): Promise<Me> {
    const me = await ok(this.api.GET('/auth/me'));
    this.state.me = me;
    return me;
  }

  get me(): Me | null {
    return this.state.me;
  }

  /** A platform super-user with an enrolled second factor: the console's audience. */
  get admitted(): boolean {
    return this.me?.kind === 'platform' && this.me.second_factor?.enrolled === true;
  }

  get verified(): boolean {
    return this.me?.second_factor?.verified === true;
  }

  can(scope: string): boolean {
    return this.me?.scopes.includes(scope) ?? false;
  }

  /** Proves the second factor again (impersonation needs it; a renewed token has the password factor only). */
  async stepUp(code: string): Promise<void> {
    await this.session.stepUp(code);
    await this.load();
  }

  async signOut(): Promise<void> {
    await this.session.signOut();
    this.state.me = null;
  }
}

export const contextKey: InjectionKey<ConsoleContext> = Symbol('console');

export function useConsole(): ConsoleContext {
  const context = inject(contextKey);
  if (!context) throw new Error('useConsole outside the console app');
  return context;
}
