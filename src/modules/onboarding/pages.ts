import { brandTokens, cssVariables } from '../../../ui/tokens/index.ts';
import { type Html, html } from '../storefront/index.ts';

/** The owner's set-password form, shown in the store's own layout on its host. */
export function welcomePage(csrf: string, token: string, storeName: string, error: string | null): Html {
  return html`<h1>Welcome to ${storeName}</h1>
<p>You are the owner of this store. Choose the password you will sign in to the back office with.</p>
<form method="post" action="/admin/welcome/${token}" class="card narrow">
<input type="hidden" name="_csrf" value="${csrf}">
${error ? html`<p class="error" role="alert" id="password-error">${error}</p>` : null}
<label>New password<input type="password" name="password" required minlength="10" maxlength="72" autocomplete="new-password" aria-describedby="password-hint${error ? ' password-error' : ''}" ${error ? html`aria-invalid="true"` : null}></label>
<p class="hint" id="password-hint">At least 10 characters.</p>
<button type="submit">Set password</button>
</form>`;
}

export function welcomeDonePage(email: string): Html {
  return html`<h1>Your password is set</h1>
<p class="card narrow">Sign in to your back office with <strong>${email}</strong> and the password you just chose.</p>
<p><a class="button" href="/admin/">Go to the back office</a></p>`;
}

// One <style> block, no style attributes: the Content-Security-Policy allows inline styles only by their hash.
const PLATFORM_STYLES = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 var(--vs-font-family);color:var(--vs-color-text);background:var(--vs-color-surface)}
header{padding:1rem 2rem;background:var(--vs-color-primary);color:#fff}header p{margin:0;font-weight:700;font-size:1.25rem}
main{max-width:34rem;margin:0 auto;padding:2rem 1rem}a{color:var(--vs-color-primary)}
.card{background:var(--vs-color-card);border-radius:var(--vs-radius);padding:1.25rem;box-shadow:0 1px 3px #0002}
.card>:first-child{margin-top:0}.card>:last-child{margin-bottom:0}input[aria-invalid=true]{border-color:#b00020}
label{display:block;margin:.75rem 0 .2rem;font-weight:600}input{display:block;width:100%;font:inherit;padding:.45rem .6rem;border:1px solid #767676;border-radius:4px}
.suffix{display:flex;align-items:center;gap:.4rem}.suffix span{white-space:nowrap;color:#444}
.hint{color:#555;font-size:.9rem;margin:.25rem 0 0}.error{color:#b00020}.field-error{color:#b00020;font-size:.9rem;margin:.25rem 0 0}
button{margin-top:1.25rem;font:inherit;padding:.55rem 1.1rem;background:var(--vs-color-accent);color:var(--vs-color-on-accent);border:0;border-radius:4px;cursor:pointer}
button:focus-visible,a:focus-visible,input:focus-visible{outline:3px solid var(--vs-color-accent);outline-offset:2px}`;

/** A page of the platform's own host: the product's design tokens, no store. */
export function platformPage(title: string, body: Html): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Village Storefront</title><style>:root{${cssVariables(brandTokens())}}${PLATFORM_STYLES}</style></head>
<body><header><p>Village Storefront</p></header><main>${body}</main></body></html>`.value;
}

export interface SignupForm {
  store_name: string;
  subdomain: string;
  owner_name: string;
  owner_email: string;
}

const EMPTY: SignupForm = { store_name: '', subdomain: '', owner_name: '', owner_email: '' };

type Errors = Partial<Record<keyof SignupForm, string>>;

/** A labelled input with its error beside it (named by aria-describedby). */
function field(name: keyof SignupForm, label: string, value: string, errors: Errors, attributes: Html): Html {
  const error = errors[name];
  return html`<label for="${name}">${label}</label>
<input id="${name}" name="${name}" value="${value}" required ${attributes} ${error ? html`aria-invalid="true" aria-describedby="${name}-error"` : null}>
${error ? html`<p class="field-error" id="${name}-error">${error}</p>` : null}`;
}

/** The merchant's own sign-up: the store's name and address, and who owns it. */
export function signupPage(csrf: string, platformHost: string, form: SignupForm = EMPTY, errors: Errors = {}, error: string | null = null): Html {
  const subdomainDescribed = ['subdomain-hint', errors.subdomain ? 'subdomain-error' : null].filter(Boolean).join(' ');
  return html`<h1>Open your store</h1>
<p>Your store gets its own address and back office. We e-mail you a link to choose your password.</p>
<form method="post" action="/signup" class="card" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
${error ? html`<p class="error" role="alert">${error}</p>` : null}
${field('store_name', 'Store name', form.store_name, errors, html`maxlength="200" autocomplete="organization"`)}
<label for="subdomain">Store address</label>
<div class="suffix"><input id="subdomain" name="subdomain" value="${form.subdomain}" required maxlength="63" autocapitalize="none" spellcheck="false" aria-describedby="${subdomainDescribed}" ${errors.subdomain ? html`aria-invalid="true"` : null}><span>.${platformHost}</span></div>
<p class="hint" id="subdomain-hint">Lower-case letters, digits and hyphens. Names the platform uses, and names that look like them, are taken.</p>
${errors.subdomain ? html`<p class="field-error" id="subdomain-error">${errors.subdomain}</p>` : null}
${field('owner_name', 'Your name', form.owner_name, errors, html`maxlength="200" autocomplete="name"`)}
${field('owner_email', 'Your e-mail', form.owner_email, errors, html`type="email" maxlength="254" autocomplete="email"`)}
<button type="submit">Create my store</button>
</form>`;
}

export function signupDonePage(storeName: string, email: string): Html {
  return html`<h1>${storeName} is ready</h1>
<div class="card" role="status"><p>We sent a link to <strong>${email}</strong>. Open it to choose your password, then sign in to your back office.</p>
<p class="hint">The link works once, for 7 days. Nothing arrived? Check your spam folder.</p></div>`;
}
