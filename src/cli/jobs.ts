/** `npm run jobs -- <command>`: the jobs CLI with the product's modules. */
import { modules } from '../modules/index.ts';
import { jobsCli } from '../platform/jobs/cli.ts';

process.exit(await jobsCli(modules, process.argv.slice(2)));
