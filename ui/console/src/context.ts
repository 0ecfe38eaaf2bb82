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
  /** `verifications` counts step-ups, so that screens hidden behind the second factor load again after one. */
  readonly state = reactive({ me: null as Me | null, verifications: 0 });

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

  /**
   * Whether the current access token proves the second factor (its `amr` claim). Read from the token itself:
   * a silent renewal gives a password-only token, and the screens must know at once.
   */
  get verified(): boolean {
    const payload = this.session.state.accessToken?.split('.')[1];
    if (!payload) return false;
    try {
      const claims = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/')));
      return Array.isArray(claims.amr) && claims.amr.includes('otp');
    } catch {
      return false;
    }
  }

  can(scope: string): boolean {
    return this.me?.scopes.includes(scope) ?? false;
  }

  /** Proves the second factor again (impersonation needs it; renewals keep it for an hour only). */
  async stepUp(code: string): Promise<void> {
    await this.session.stepUp(code);
    await this.load();
    this.state.verifications++;
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
