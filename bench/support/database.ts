import pg from 'pg';
import { createScratchDatabase } from '../../src/platform/db/scratch.ts';

/** A fresh, migrated database for one benchmark run: on DATABASE_URL's server, else an embedded PostgreSQL. */
export async function benchDatabase(): Promise<{ url: string; server: string; drop(): Promise<void> }> {
  const database = await createScratchDatabase('vs-bench', { migrated: true });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query('show server_version');
  await client.end();
  return { url: database.url, server: `${database.server} PostgreSQL ${rows[0].server_version}`, drop: database.drop };
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
