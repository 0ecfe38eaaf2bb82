import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded.ts';
import { migrate } from '../../src/platform/db/migrate.ts';

/** A fresh, migrated database for one benchmark run: on DATABASE_URL's server, else an embedded PostgreSQL. */
export async function benchDatabase(): Promise<{ url: string; server: string; drop(): Promise<void> }> {
  let adminUrl: string;
  let stopServer = async () => {};
  let server = 'embedded';
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    adminUrl = url.toString();
    server = `${url.host}`;
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'vs-bench-pg-'));
    const embedded = await startEmbeddedPostgres(dir);
    adminUrl = embedded.adminUrl;
    stopServer = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const name = `vs_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString(), 'up');
  const versionClient = new pg.Client({ connectionString: url.toString() });
  await versionClient.connect();
  const { rows } = await versionClient.query('show server_version');
  await versionClient.end();
  return {
    url: url.toString(),
    server: `${server} PostgreSQL ${rows[0].server_version}`,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      await stopServer();
    },
  };
}

/** A CSV catalog of `products` products with `variantsPerProduct` variants each, in the import format. */
export function* catalogCsv(products: number, variantsPerProduct: number, prefix = 'p'): Generator<string> {
  yield 'handle,title,description,status,tags,sku,variant_title,price_minor,currency,cost_minor,weight_grams,options\n';
  const sizes = ['S', 'M', 'L', 'XL', 'XXL'];
  for (let index = 0; index < products; index++) {
    const tag = index % 10 === 0 ? 'featured' : 'regular';
    let chunk = '';
    for (let variant = 0; variant < variantsPerProduct; variant++) {
      const size = sizes[variant % sizes.length];
      chunk += `${prefix}-${index},Product ${index} cotton tee,"Organic cotton tee number ${index}, soft and durable",published,${tag},${prefix.toUpperCase()}-${index}-${size},Size ${size},${1000 + (index % 5000)},USD,${400 + (index % 100)},${200 + variant},size=${size}\n`;
    }
    yield chunk;
  }
}
