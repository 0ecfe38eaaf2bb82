import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { createStore } from '../platform-admin/index.ts';
import { SUBDOMAIN_REFUSALS, subdomainRefusal, tenancy } from '../tenancy/index.ts';
import type { SignupForm } from './pages.ts';

declare module '../tenancy/index.ts' {
  interface FeatureFlagValues {
    'platform.signup': boolean;
  }
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export const signupEnabled = (platform: Platform) => tenancy(platform).flags.platformValue('platform.signup');

/** A form the merchant can correct: the fields at fault, each with what is wrong. */
export class SignupRefused extends Error {
  readonly fields: Partial<Record<keyof SignupForm, string>>;

  constructor(fields: Partial<Record<keyof SignupForm, string>>) {
    super('The sign-up form has errors.');
    this.fields = fields;
  }
}

function mistakes(form: SignupForm): Partial<Record<keyof SignupForm, string>> {
  const fields: Partial<Record<keyof SignupForm, string>> = {};
  if (!form.store_name.trim()) fields.store_name = 'Enter the name of your store.';
  const subdomain = form.subdomain.trim().toLowerCase();
  const refusal = subdomain ? subdomainRefusal(subdomain) : undefined;
  if (!subdomain) fields.subdomain = 'Choose the address of your store.';
  else if (refusal) fields.subdomain = `This address ${SUBDOMAIN_REFUSALS[refusal]}.`;
  if (!form.owner_name.trim()) fields.owner_name = 'Enter your name.';
  if (!EMAIL.test(form.owner_email.trim())) fields.owner_email = 'Enter the e-mail address the link should go to.';
  return fields;
}

/**
 * A merchant creates their own store: the same audited command as an operator's (`tenant.create`, actor
 * `signup:<address>`), the same subdomain rules, the owner invited by mail. Each client address may create a few
 * stores an hour, on top of the platform host's request budget.
 */
export async function signUp(platform: Platform, ip: string, storeOrigin: (subdomain: string) => string, form: SignupForm) {
  const missing = mistakes(form);
  if (Object.keys(missing).length > 0) throw new SignupRefused(missing);
  const perHour = platform.config.tenantGateway.signupsPerAddressPerHour;
  const decision = await tenancy(platform).rateLimiter.take(`signup:ip:${ip}`, { capacity: perHour, refillPerSecond: perHour / 3600 });
  if (!decision.allowed) {
    throw new HttpProblem(429, 'Too many sign-ups', `This address opened several stores recently; try again in ${Math.ceil(decision.retryAfterSeconds / 60)} minutes.`, {
      headers: { 'retry-after': String(decision.retryAfterSeconds) },
    });
  }
  const subdomain = form.subdomain.trim().toLowerCase();
  try {
    return await createStore(platform.db, platform.mail, storeOrigin, {
      subdomain,
      name: form.store_name.trim(),
      owner: { email: form.owner_email.trim(), name: form.owner_name.trim() },
      actor: `signup:${ip}`,
      reason: 'Merchant sign-up',
    });
  } catch (error) {
    if (error instanceof HttpProblem && error.status === 409) throw new SignupRefused({ subdomain: `${subdomain} is taken; choose another address.` });
    throw error;
  }
}
