import { type Html, html } from '../storefront/index.ts';
import { STYLES } from './shell.ts';

export function signInPage(csrf: string, error: string | null, email = ''): Html {
  return html`${STYLES}<h1>Consignor sign-in</h1>
<form method="post" action="/consignor/sign-in" class="card narrow">
<input type="hidden" name="_csrf" value="${csrf}">
${error ? html`<p class="error" role="alert">${error}</p>` : null}
<label>E-mail<input type="email" name="email" required value="${email}" autocomplete="email"></label>
<label>Password<input type="password" name="password" required autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
<p class="hint">First time here? Use the link in the invitation the store e-mailed you. Forgot your password? Ask the store to send a new link.</p>`;
}

export function welcomePage(csrf: string, token: string, error: string | null): Html {
  return html`${STYLES}<h1>Choose your password</h1>
<form method="post" action="/consignor/welcome/${token}" class="card narrow">
<input type="hidden" name="_csrf" value="${csrf}">
${error ? html`<p class="error" role="alert" id="password-error">${error}</p>` : null}
<label>New password<input type="password" name="password" required minlength="10" maxlength="72" autocomplete="new-password" ${error ? html`aria-describedby="password-error" aria-invalid="true"` : null}></label>
<button type="submit">Set password and sign in</button>
</form>`;
}
