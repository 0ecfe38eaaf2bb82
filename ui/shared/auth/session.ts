import createClient from 'openapi-fetch';
import { reactive } from 'vue';
import { ok } from '../api/problem.ts';
import type { paths } from '../api/schema';

const REFRESH_KEY = 'vs.refresh_token';
/** Renew when this share of the access token's lifetime has passed, well before it expires. */
const RENEW_AT = 0.8;

interface Tokens {
  access_token: string;
  expires_in: number;
  refresh_token: string;
}

/**
 * A staff member's session in the browser. The access token lives in memory only; the rotating refresh token
 * in localStorage, so a reload or a second tab stays signed in. Renewal runs before expiry and after any 401,
 * one tab at a time (Web Locks), reading the stored token under the lock: a tab never presents a token that
 * another tab already spent, which the server would treat as theft and answer by revoking the whole family.
 */
export class Session {
  readonly state = reactive({ accessToken: null as string | null });
  readonly #auth = createClient<paths>({ baseUrl: location.origin });
  #timer: ReturnType<typeof setTimeout> | undefined;
  #renewing: Promise<boolean> | undefined;

  get signedIn(): boolean {
    return this.state.accessToken !== null;
  }

  /** Password sign-in; platform super-users with a second factor add the current one-time code (`otp`). */
  async signIn(email: string, password: string, otp?: string): Promise<void> {
    this.#accept(await ok(this.#auth.POST('/auth/login', { body: { email, password, ...(otp ? { otp } : {}) } })));
  }

  /**
   * Step-up of a platform super-user: the one-time code proves the second factor for this session's next access
   * token. Renewals keep it for an hour after the code; then a screen that needs the second factor asks again.
   */
  async stepUp(code: string): Promise<void> {
    const token = this.state.accessToken;
    const { access_token } = await ok(this.#auth.POST('/auth/mfa/verify', { body: { code }, headers: { authorization: `Bearer ${token}` } }));
    this.state.accessToken = access_token;
  }

  /**
   * An impersonation hand-off: the platform console opens the admin with the grant's access token in the URL
   * fragment (never sent to a server). It lives in memory only and is not renewed: the grant is short on purpose.
   */
  adoptHandoff(): boolean {
    const token = new URLSearchParams(location.hash.slice(1)).get('impersonation');
    if (!token) return false;
    history.replaceState(null, '', location.pathname + location.search);
    clearTimeout(this.#timer);
    this.state.accessToken = token;
    return true;
  }

  /** Silent renewal: a new access token from the stored refresh token; false when the member must sign in again. */
  renew(): Promise<boolean> {
    this.#renewing ??= this.#locked(() => this.#renewNow()).finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async signOut(): Promise<void> {
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    this.#forget();
    if (refreshToken) await this.#auth.POST('/auth/logout', { body: { refresh_token: refreshToken } }).catch(() => undefined);
  }

  /** Forgets the tokens locally (after the server ended the session, e.g. an impersonation). */
  #forget(): void {
    clearTimeout(this.#timer);
    localStorage.removeItem(REFRESH_KEY);
    this.state.accessToken = null;
  }

  end(): void {
    this.#forget();
  }

  /** Runs under the lock and reads the token there: always the newest, even when another tab just rotated it. */
  async #renewNow(): Promise<boolean> {
    const stored = localStorage.getItem(REFRESH_KEY);
    if (!stored) return false;
    const { data, response } = await this.#auth.POST('/auth/refresh', { body: { refresh_token: stored } });
    if (response.ok && data) {
      this.#accept(data);
      return true;
    }
    if (response.status === 401 || response.status === 400) this.#forget();
    return false;
  }

  #accept(tokens: Tokens): void {
    this.state.accessToken = tokens.access_token;
    localStorage.setItem(REFRESH_KEY, tokens.refresh_token);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.renew(), tokens.expires_in * 1000 * RENEW_AT);
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    return navigator.locks ? (navigator.locks.request('vs.session.renew', fn) as Promise<T>) : fn();
  }
}
