import { BURN_TIERS } from './slo.ts';

/**
 * Alertmanager routing: on-call and critical alerts page (and post to chat), warnings go to chat and e-mail,
 * info opens a ticket. Secrets (PagerDuty routing key, Slack webhook, SMTP password, ticket token) are read
 * from files mounted at SECRETS_DIR, never written here.
 */
export const SECRETS_DIR = '/etc/alertmanager/secrets';

export const RECEIVERS = { pager: 'pager', team: 'team-chat-email', ticket: 'ticket' } as const;

/** Queue-depth alerts held back by their cause or a more severe alert, and each faster burn-rate tier holding back the slower ones of the same SLO. */
function inhibitions() {
  const named = [
    { source: 'WorkerPodRestartRate', target: 'CriticalQueueDepthHigh', why: 'restarting workers explain a backed-up queue' },
    { source: 'AnyQueueDepthCritical', target: 'DefaultQueueDepthHigh', why: 'the more severe alert supersedes' },
  ].map((rule) => ({ source_matchers: [`alertname="${rule.source}"`], target_matchers: [`alertname="${rule.target}"`] }));
  const tiers = BURN_TIERS.map((tier) => tier.tier);
  const burn = tiers.slice(0, -1).map((tier, index) => ({
    source_matchers: [`burnrate_tier="${tier}"`],
    target_matchers: [`burnrate_tier=~"${tiers.slice(index + 1).join('|')}"`],
    equal: ['alertname', 'slo'],
  }));
  return [...named, ...burn];
}

export function alertmanagerConfig() {
  return {
    global: {
      resolve_timeout: '5m',
      smtp_smarthost: 'smtp.villagecompute.com:587',
      smtp_from: 'alerts@villagecompute.com',
      smtp_auth_username: 'alerts@villagecompute.com',
      smtp_auth_password_file: `${SECRETS_DIR}/smtp-password`,
      smtp_require_tls: true,
    },
    route: {
      receiver: RECEIVERS.team,
      group_by: ['alertname', 'component', 'slo'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { receiver: RECEIVERS.pager, matchers: ['oncall="true"'], repeat_interval: '1h' },
        { receiver: RECEIVERS.pager, matchers: ['severity="critical"'], repeat_interval: '1h' },
        { receiver: RECEIVERS.team, matchers: ['severity="warning"'] },
        { receiver: RECEIVERS.ticket, matchers: ['severity="info"'], group_interval: '1h', repeat_interval: '24h' },
      ],
    },
    inhibit_rules: inhibitions(),
    receivers: [
      {
        name: RECEIVERS.pager,
        pagerduty_configs: [{ routing_key_file: `${SECRETS_DIR}/pagerduty-routing-key`, send_resolved: true }],
        slack_configs: [{ api_url_file: `${SECRETS_DIR}/slack-webhook-url`, channel: '#alerts-storefront', send_resolved: true }],
      },
      {
        name: RECEIVERS.team,
        slack_configs: [{ api_url_file: `${SECRETS_DIR}/slack-webhook-url`, channel: '#alerts-storefront', send_resolved: true }],
        email_configs: [{ to: 'eng-storefront@villagecompute.com', send_resolved: true }],
      },
      {
        name: RECEIVERS.ticket,
        webhook_configs: [
          {
            url: 'https://tickets.villagecompute.com/hooks/alertmanager',
            http_config: { authorization: { type: 'Bearer', credentials_file: `${SECRETS_DIR}/ticket-token` } },
            send_resolved: false,
          },
        ],
      },
    ],
  };
}

/** Label sets and the receivers they must reach, checked with `amtool config routes test`. */
export const ROUTING_CASES: readonly { labels: Record<string, string>; receivers: string }[] = [
  { labels: { alertname: 'HighErrorRate', severity: 'critical', oncall: 'true' }, receivers: RECEIVERS.pager },
  { labels: { alertname: 'WorkerHeartbeatMissing', severity: 'warning', oncall: 'true' }, receivers: RECEIVERS.pager },
  { labels: { alertname: 'SlowAPIResponses', severity: 'warning', oncall: 'false' }, receivers: RECEIVERS.team },
  { labels: { alertname: 'HydrationBundleSizeLarge', severity: 'info', oncall: 'false' }, receivers: RECEIVERS.ticket },
  { labels: { alertname: 'Unlabelled' }, receivers: RECEIVERS.team },
];
