import { defineMetric } from '../observability/metrics.ts';

export const mailDeliveries = defineMetric({
  name: 'villagecompute_storefront_mail_deliveries_total',
  help: 'Outbox messages handed to the SMTP server (sent) or refused by it (failed, retried later).',
  type: 'counter',
  labels: ['outcome'],
  component: 'mail',
});
