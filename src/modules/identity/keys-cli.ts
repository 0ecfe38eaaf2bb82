/**
 * `npm run keys -- generate`: prints a new ES256 private JWK (with its kid) for AUTH_SIGNING_KEYS.
 * `npm run keys -- rotate`: the embedded default's rotation: a new database key signs, the old one keeps
 * verifying for RETIRED_KEY_GRACE_MS. See docs/operations/key-rotation.md.
 */
import { loadConfig } from '../../platform/config/config.ts';
import { createDb } from '../../platform/db/database.ts';
import { openOwnerDatabase } from '../../platform/db/owner.ts';
import { configureLogging, flushLogs } from '../../platform/observability/logger.ts';
import { generateSigningKey, rotateDatabaseKey } from './keys.ts';

const command = process.argv[2];
if (command === 'generate') {
  const key = await generateSigningKey();
  console.log(JSON.stringify({ ...key.private_jwk, kid: key.kid }));
} else if (command === 'rotate') {
  const config = loadConfig();
  configureLogging(config);
  if (config.auth.signingKeys) {
    console.error('AUTH_SIGNING_KEYS is set: keys come from configuration; rotate them there (docs/operations/key-rotation.md).');
    process.exit(2);
  }
  const owner = await openOwnerDatabase(config);
  const db = createDb({ ownerUrl: owner.url, appUrl: config.appDatabaseUrl, poolMax: 1, statementTimeoutMs: config.db.statementTimeoutMs });
  try {
    console.log(`new signing key: ${await rotateDatabaseKey(db)}`);
  } finally {
    await db.close();
    await owner.stop();
    await flushLogs();
  }
} else {
  console.error('usage: npm run keys -- generate|rotate');
  process.exit(2);
}
