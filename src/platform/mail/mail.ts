import { sql } from 'kysely';
import type { MailConfig } from '../config/config.ts';
import type { Db, Tx } from '../db/database.ts';
import { logger } from '../observability/logger.ts';
import { claimDue, insertMail, markAttempt, type OutboxRow, recentMail } from './outbox.ts';
import { type MailTransport, smtpTransport } from './smtp.ts';
import { mailDeliveries } from './telemetry.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * Outgoing mail. Every message is first a row of the outbox, written in a unit of work, so mail leaves only
 * when the business transaction commits. With the SMTP transport a relay in the worker role delivers due rows
 * (locked with SKIP LOCKED, so replicas never send one twice, retried with a minute's back-off per attempt);
 * with the embedded default the outbox is the mailbox, read with `npm run mail`.
 */
export interface Mail {
  /** Writes the message in the caller's unit of work (its store, or the platform context). */
  enqueue(trx: Tx, message: MailMessage): Promise<void>;
  /** Newest messages first, in the platform context (dev mailbox, tests, support). */
  recent(filter?: { to?: string; limit?: number }): Promise<OutboxRow[]>;
  /** Delivers what is due now; the relay calls it every second. Resolves with the messages sent. */
  deliverDue(): Promise<number>;
  startRelay(): void;
  stop(): Promise<void>;
}

const RELAY_INTERVAL_MS = 1_000;
const BATCH = 20;
const log = logger('mail');

export function createMail(config: MailConfig, db: Db, transport: MailTransport | null = config.smtpUrl && config.transport === 'smtp' ? smtpTransport(config.smtpUrl) : null): Mail {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function deliverDue(): Promise<number> {
    if (!transport) return 0;
    return db.withPlatform(async (trx) => {
      let sent = 0;
      for (const row of await claimDue(trx, BATCH)) {
        try {
          await transport.deliver({ from: config.from, to: row.to_address, subject: row.subject, text: row.body_text });
          await markAttempt(trx, row.id, null);
          mailDeliveries.inc({ outcome: 'sent' });
          sent++;
        } catch (error) {
          log.warn({ err: error, mail_id: row.id, attempt: row.attempts + 1 }, 'mail delivery failed; will retry');
          await markAttempt(trx, row.id, (error as Error).message ?? String(error));
          mailDeliveries.inc({ outcome: 'failed' });
        }
      }
      return sent;
    });
  }

  return {
    async enqueue(trx, message) {
      await insertMail(trx, {
        tenant_id: sql<string | null>`app_current_tenant()` as unknown as string | null,
        to_address: message.to.toLowerCase(),
        subject: message.subject,
        body_text: message.text,
      });
    },
    recent: (filter = {}) => db.withPlatform((trx) => recentMail(trx, { to: filter.to, limit: filter.limit ?? 50 })),
    deliverDue,
    startRelay() {
      if (!transport || timer) return;
      timer = setInterval(() => {
        running ??= deliverDue()
          .catch((error: unknown) => {
            log.warn({ err: error }, 'mail relay round failed');
            return 0;
          })
          .finally(() => {
            running = undefined;
          });
      }, RELAY_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
      transport?.close();
    },
  };
}
