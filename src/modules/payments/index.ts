import { defineSchedule } from '../../platform/jobs/definitions.ts';
import type { Platform, PlatformModule } from '../../platform/platform.ts';
import { paymentsRoutes } from './routes.ts';
import { telemetry } from './telemetry.ts';
import { orphanPaymentsJob, webhookPartitionsJob, webhookPartitionsSchedule } from './jobs.ts';
import { webhookJob } from './webhooks.ts';

let started: Platform | undefined;
const current = () => {
  if (!started) throw new Error('the payments module has not started');
  return started;
};
const processWebhook = webhookJob(current);
const voidOrphans = orphanPaymentsJob(current);

/** Payment providers (test, Stripe), payments and refunds, provider webhooks. */
export const paymentsModule: PlatformModule = {
  name: 'payments',
  telemetry,
  routes: (app, platform) => paymentsRoutes(app, platform, processWebhook),
  jobs: [processWebhook, webhookPartitionsJob, voidOrphans],
  schedules: [webhookPartitionsSchedule, defineSchedule(voidOrphans, '*/5 * * * *', {})],
  async start(platform) {
    started = platform;
  },
};

export type { CaptureMode, PaymentRequest } from './provider.ts';
export { PaymentDeclined, PaymentUnavailable } from './provider.ts';
export { type CheckoutSettings, type Payment, checkoutSettings, paymentsOfOrder, saveCheckoutSettings } from './repository.ts';
export { type PaymentChange, type Payments, paymentsOf } from './service.ts';
export { TEST_TOKENS } from './test-provider.ts';
export { stripeClient } from './stripe-provider.ts';
export type { ProviderEventListener } from './service.ts';
