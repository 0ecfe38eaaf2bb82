/**
 * `npm run mail -- [recipient] [--limit N]`: the newest messages of the outbox (the embedded default's mailbox),
 * against DATABASE_URL or the embedded server when the application is not running.
 */
import { loadConfig } from '../config/config.ts';
import { createDb } from '../db/database.ts';
import { openOwnerDatabase } from '../db/owner.ts';
import { createMail } from './mail.ts';

const args = process.argv.slice(2);
const limitAt = args.indexOf('--limit');
const limit = limitAt >= 0 ? Number(args.splice(limitAt, 2)[1]) : 20;
const to = args[0];
if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
  console.error('usage: npm run mail -- [recipient] [--limit 1..1000]');
  process.exit(2);
}

const config = loadConfig();
const owner = await openOwnerDatabase(config);
const db = createDb({ ownerUrl: owner.url, appUrl: config.appDatabaseUrl, poolMax: 1, statementTimeoutMs: 10_000 });
try {
  for (const row of (await createMail(config.mail, db, null).recent({ ...(to ? { to } : {}), limit })).reverse()) {
    const state = row.sent_at ? `sent ${row.sent_at.toISOString()}` : row.attempts > 0 ? `failed ×${row.attempts}: ${row.last_error}` : 'in outbox';
    console.log(`--- ${row.created_at.toISOString()}  to ${row.to_address}  (${state})\nSubject: ${row.subject}\n\n${row.body_text}\n`);
  }
} finally {
  await db.close();
  await owner.stop();
}
