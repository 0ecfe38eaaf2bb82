/** `npm run migrate -- up|down|status [count]`: migrations against DATABASE_URL, or the embedded server. */
import { loadConfig } from '../config/config.ts';
import { configureLogging, flushLogs } from '../observability/logger.ts';
import { type Direction, migrate, migrationStatus } from './migrate.ts';
import { openOwnerDatabase, ownerUrlFor } from './owner.ts';

const [command = 'up', countArg] = process.argv.slice(2);
if (!['up', 'down', 'status'].includes(command) || (countArg !== undefined && !/^\d+$/.test(countArg))) {
  console.error('usage: npm run migrate -- up|down|status [count]');
  process.exit(2);
}

const config = loadConfig();
configureLogging(config);
const owner = await openOwnerDatabase(config);
try {
  if (command === 'status') {
    for (const row of await migrationStatus(ownerUrlFor(owner, 'migrations'))) {
      console.log(`${row.appliedAt ? 'applied ' : 'pending '} ${row.name}${row.appliedAt ? `  ${row.appliedAt.toISOString()}` : ''}`);
    }
  } else {
    const names = await migrate(ownerUrlFor(owner, 'migrations'), command as Direction, countArg ? Number(countArg) : undefined);
    console.log(names.length ? `${command}: ${names.join(', ')}` : `${command}: nothing to do`);
  }
} finally {
  await owner.stop();
  await flushLogs();
}
