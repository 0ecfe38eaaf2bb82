import { type ColumnType, type RawBuilder, sql } from 'kysely';
import type { Static } from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import type { AuditColumns } from '../../platform/db/schema.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { checkoutSettings, saveCheckoutSettings } from '../payments/index.ts';
import type { ShippingTaxBody, ShippingTaxView, ShippingZoneSetting, TaxRateSetting } from './schemas.ts';
import { type StoreTable, TableRateSource, type Zone } from './shipping.ts';
import { DEFAULT_RATES, RegionTaxCalculator, type TaxCalculator } from './tax.ts';

type ZoneSetting = Static<typeof ShippingZoneSetting>;
type TaxRate = Static<typeof TaxRateSetting>;
export type ShippingTaxSettings = Static<typeof ShippingTaxBody>;

interface ShippingTaxSettingsTable extends AuditColumns {
  tenant_id: string;
  shipping_zones: ColumnType<ZoneSetting[], string | undefined, string>;
  tax_rates: ColumnType<TaxRate[] | null, string | null | undefined, string | null>;
  revision: ColumnType<number, never, number | RawBuilder<number>>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    shipping_tax_settings: ShippingTaxSettingsTable;
  }
}

/** What checkout uses for one store: its own table and calculator, or none (the platform's defaults). */
export interface StoreRates {
  table: StoreTable | undefined;
  tax: TaxCalculator | undefined;
}

const DEFAULT_TAX_RATES: TaxRate[] = Object.entries(DEFAULT_RATES).flatMap(([country, { rate, regions }]) => [
  { country, region: null, rate_basis_points: rate },
  ...Object.entries(regions ?? {}).map(([region, regional]) => ({ country, region, rate_basis_points: regional })),
]);

/** The part of a method's id that comes from a name: `Standard (3–5 days)` → `standard-3-5-days`. */
const slug = (name: string) => name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
const slugOr = (name: string, fallback: string) => slug(name) || fallback;

/** The checkout table of a store's zones: specific zones before the rest of the world, each rate a flat amount. */
function tableOf(zones: ZoneSetting[]): Zone[] {
  return [...zones]
    .map((zone, index) => ({ zone, index }))
    .sort((a, b) => Number(a.zone.rest_of_world) - Number(b.zone.rest_of_world))
    .map(({ zone, index }) => ({
      id: slugOr(zone.name, `zone-${index + 1}`),
      countries: zone.rest_of_world ? '*' : zone.countries,
      methods: zone.rates.map((rate, position) => ({
        id: slugOr(rate.name, `rate-${position + 1}`),
        name: rate.name,
        bands: [{ maxGrams: Number.MAX_SAFE_INTEGER, amountMinor: rate.amount_minor }],
        ...(rate.free_over_minor === null ? {} : { freeFromMinor: rate.free_over_minor }),
      })),
    }));
}

function calculatorOf(rates: TaxRate[]): RegionTaxCalculator {
  const byCountry: typeof DEFAULT_RATES = {};
  for (const { country, region, rate_basis_points: rate } of rates) {
    byCountry[country] ??= { rate: 0 };
    const entry = byCountry[country];
    if (region === null) entry.rate = rate;
    else entry.regions = { ...entry.regions, [region]: rate };
  }
  return new RegionTaxCalculator(byCountry);
}

export async function storeRates(trx: Tx): Promise<StoreRates> {
  const row = await trx.selectFrom('shipping_tax_settings').select(['shipping_zones', 'tax_rates', 'revision']).executeTakeFirst();
  if (!row) return { table: undefined, tax: undefined };
  return {
    table: row.shipping_zones.length > 0 ? { version: `r${row.revision}`, source: new TableRateSource(tableOf(row.shipping_zones)) } : undefined,
    tax: row.tax_rates ? calculatorOf(row.tax_rates) : undefined,
  };
}

export async function shippingTaxSettings(trx: Tx): Promise<Static<typeof ShippingTaxView>> {
  const [row, checkout] = await Promise.all([
    trx.selectFrom('shipping_tax_settings').select(['shipping_zones', 'tax_rates', 'updated_at']).executeTakeFirst(),
    checkoutSettings(trx),
  ]);
  return {
    shipping: { zones: row?.shipping_zones ?? [] },
    tax: { prices_include_tax: checkout.prices_include_tax, rates: row?.tax_rates ?? DEFAULT_TAX_RATES },
    updated_at: row?.updated_at.toISOString() ?? null,
  };
}

/** What the schema cannot say: names and countries unique, one rest-of-world zone, every other zone with a country. */
function problemsOf(settings: ShippingTaxSettings): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const zones = new Map<string, number>();
  const countries = new Map<string, number>();
  settings.shipping.zones.forEach((zone, index) => {
    const at = `body/shipping/zones/${index}`;
    const key = slugOr(zone.name, `zone-${index + 1}`);
    if (zones.has(key)) problems.push({ field: `${at}/name`, message: `Another zone is already called “${zone.name}”.` });
    zones.set(key, index);
    if (zone.rest_of_world && zone.countries.length > 0) problems.push({ field: `${at}/countries`, message: 'The rest-of-world zone covers every other country: leave its countries empty.' });
    if (!zone.rest_of_world && zone.countries.length === 0) problems.push({ field: `${at}/countries`, message: 'Add at least one country.' });
    if (zone.rest_of_world && settings.shipping.zones.findIndex((other) => other.rest_of_world) !== index) {
      problems.push({ field: `${at}/rest_of_world`, message: 'Only one zone can cover the rest of the world.' });
    }
    const taken = zone.countries.filter((country, position) => countries.has(country) || zone.countries.indexOf(country) !== position);
    if (taken.length > 0) problems.push({ field: `${at}/countries`, message: `Each country belongs to one zone only: ${[...new Set(taken)].join(', ')} ${taken.length === 1 ? 'is' : 'are'} listed twice.` });
    for (const country of zone.countries) countries.set(country, index);
    const rates = new Set<string>();
    zone.rates.forEach((rate, position) => {
      const rateKey = slugOr(rate.name, `rate-${position + 1}`);
      if (rates.has(rateKey)) problems.push({ field: `${at}/rates/${position}/name`, message: `This zone already has a rate called “${rate.name}”.` });
      rates.add(rateKey);
    });
  });
  const regions = new Set<string>();
  settings.tax.rates.forEach((rate, index) => {
    const key = `${rate.country}-${rate.region ?? ''}`;
    if (regions.has(key)) {
      problems.push({ field: `body/tax/rates/${index}/${rate.region === null ? 'country' : 'region'}`, message: `${rate.region ? `${rate.country}-${rate.region}` : rate.country} already has a rate.` });
    }
    regions.add(key);
  });
  return problems;
}

export async function saveShippingTaxSettings(trx: Tx, tenantId: string, settings: ShippingTaxSettings): Promise<Static<typeof ShippingTaxView>> {
  const problems = problemsOf(settings);
  if (problems.length > 0) {
    throw new HttpProblem(422, 'Settings invalid', 'Some shipping or tax settings need attention.', { extensions: { code: 'invalid_shipping_tax_settings', errors: problems } });
  }
  const values = { shipping_zones: JSON.stringify(settings.shipping.zones), tax_rates: JSON.stringify(settings.tax.rates) };
  await trx
    .insertInto('shipping_tax_settings')
    .values({ tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...values, revision: sql<number>`shipping_tax_settings.revision + 1`, updated_at: new Date() }))
    .execute();
  const checkout = await checkoutSettings(trx);
  if (checkout.prices_include_tax !== settings.tax.prices_include_tax) await saveCheckoutSettings(trx, tenantId, { ...checkout, prices_include_tax: settings.tax.prices_include_tax });
  return shippingTaxSettings(trx);
}
