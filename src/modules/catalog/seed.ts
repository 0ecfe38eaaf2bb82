import type { Db } from '../../platform/db/database.ts';
import type { Platform } from '../../platform/platform.ts';
import { DEMO_SUBDOMAIN, type Tenant, tenancy } from '../tenancy/index.ts';
import { createCategory } from './categories.ts';
import { createCollection } from './collections.ts';
import { adjustInventory, createLocation } from './inventory.ts';
import { createProduct, publishProduct } from './service.ts';

const DEMO_PRODUCTS = [
  { handle: 'linen-shirt', title: 'Linen Shirt', category: 'apparel', tags: ['summer'], price: 4800, sizes: ['S', 'M', 'L'], text: 'Washed Belgian linen, relaxed fit, mother-of-pearl buttons.' },
  { handle: 'wool-scarf', title: 'Merino Wool Scarf', category: 'apparel', tags: ['winter'], price: 3500, sizes: [], text: 'Soft merino scarf knitted in a small Yorkshire mill.' },
  { handle: 'denim-jacket', title: 'Vintage Denim Jacket', category: 'apparel', tags: ['vintage'], price: 8900, sizes: ['M', 'L'], text: 'A 1990s trucker jacket, faded just right. Consigned.' },
  { handle: 'ceramic-mug', title: 'Stoneware Mug', category: 'home', tags: ['summer', 'gift'], price: 2200, sizes: [], text: 'Hand-thrown stoneware mug with a speckled oat glaze.' },
  { handle: 'beeswax-candle', title: 'Beeswax Candle', category: 'home', tags: ['gift', 'winter'], price: 1600, sizes: [], text: 'Pure beeswax pillar candle, forty hours of warm light.' },
  { handle: 'leather-tote', title: 'Leather Tote Bag', category: 'accessories', tags: ['vintage', 'gift'], price: 12500, sizes: [], text: 'Vegetable-tanned leather tote that ages beautifully.' },
  { handle: 'straw-hat', title: 'Straw Sun Hat', category: 'accessories', tags: ['summer'], price: 3900, sizes: ['S', 'M'], text: 'Wide-brimmed straw hat for long summer markets.' },
  { handle: 'silver-ring', title: 'Hammered Silver Ring', category: 'accessories', tags: ['gift'], price: 5400, sizes: ['6', '7', '8'], text: 'Recycled sterling silver ring with a hammered finish.' },
];

/** A small published catalog for the demo store, so `npm start` shows a real shop. */
export async function seedDemoCatalog(platform: Platform): Promise<void> {
  const host = `${DEMO_SUBDOMAIN}.${platform.config.platformDomain}`;
  const { tenant } = await tenancy(platform).directory.resolve({ kind: 'subdomain', host, subdomain: DEMO_SUBDOMAIN });
  if (tenant) await seedSampleCatalog(platform.db, tenant);
}

/** Categories, a stocked location, eight published products and two collections; only into an empty catalog. */
export async function seedSampleCatalog(db: Db, tenant: Tenant): Promise<void> {
  await db.withTenant(tenant.id, async (trx) => {
    if (await trx.selectFrom('products').select('id').limit(1).executeTakeFirst()) return;
    const categories = new Map<string, string>();
    for (const [handle, name] of [['apparel', 'Apparel'], ['home', 'Home'], ['accessories', 'Accessories']] as const) {
      categories.set(handle, (await createCategory(trx, tenant.id, { handle, name })).id);
    }
    const shop = await createLocation(trx, tenant.id, { code: 'shop', name: 'Shop floor' });
    const productIds: string[] = [];
    for (const item of DEMO_PRODUCTS) {
      const sizes = item.sizes.length ? item.sizes : [''];
      const product = await createProduct(trx, tenant.id, {
        handle: item.handle,
        title: item.title,
        description: item.text,
        category_id: categories.get(item.category) ?? null,
        tags: item.tags,
        variants: sizes.map((size, position) => ({
          sku: `DEMO-${item.handle.toUpperCase()}${size ? `-${size}` : ''}`,
          title: size ? `Size ${size}` : 'Default',
          price_minor: item.price,
          currency: 'USD',
          cost_minor: Math.round(item.price * 0.45),
          options: size ? { size } : ({} as Record<string, string>),
          position,
        })),
      });
      await publishProduct(trx, tenant.id, product.id, {});
      for (const variant of product.variants) {
        await adjustInventory(trx, tenant.id, { variant_id: variant.id, location_id: shop.id, delta: 5, reason: 'received' });
      }
      productIds.push(product.id);
    }
    await createCollection(trx, tenant.id, { handle: 'staff-picks', title: 'Staff Picks', kind: 'manual', product_ids: productIds.slice(0, 4) });
    await createCollection(trx, tenant.id, { handle: 'gifts', title: 'Gifts', kind: 'rule', rules: { tag: 'gift' } });
  });
}
