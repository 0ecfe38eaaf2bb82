/**
 * bench/consignment: the consignment module's scenarios, each printing its figures; one JSON document on stdout.
 * Uses DATABASE_URL's server (a scratch database per scenario, dropped after) or an embedded PostgreSQL.
 */
import { payoutBench } from './payout.ts';

const results = { payout_run: await payoutBench() };
console.log(JSON.stringify(results, null, 2));
process.exit(0);
