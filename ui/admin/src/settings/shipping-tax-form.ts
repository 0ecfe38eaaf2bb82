import type { paths } from '../../../shared/api/schema';

type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
export type ShippingTaxView = Json<paths['/admin/api/v1/shipping-tax-settings']['get']['responses'][200]>;
export type ShippingTaxBody = NonNullable<paths['/admin/api/v1/shipping-tax-settings']['put']['requestBody']>['content']['application/json'];

/** The form's shapes: money in major units as the merchant types it, countries as typed text. */
export interface RateRow {
  name: string;
  amount: number | null;
  freeOver: number | null;
}
export interface ZoneRow {
  name: string;
  countries: string;
  restOfWorld: boolean;
  rates: RateRow[];
}
export interface TaxRow {
  country: string;
  region: string;
  percent: number | null;
}

const toMajor = (minor: number) => minor / 100;
const toMinor = (major: number | null) => Math.round((major ?? 0) * 100);

/** `us, ca de` → `['US', 'CA', 'DE']`. */
export const countryCodes = (text: string) => text.split(/[\s,;]+/).map((code) => code.trim().toUpperCase()).filter(Boolean);

const names = new Intl.DisplayNames(undefined, { type: 'region' });
/** The name of a two-letter code, or null when it is not a country code. */
export function countryName(code: string): string | null {
  if (!/^[A-Z]{2}$/.test(code)) return null;
  const name = names.of(code);
  return name && name !== code ? name : null;
}

export function formOf(view: ShippingTaxView): { zones: ZoneRow[]; pricesIncludeTax: boolean; taxes: TaxRow[] } {
  return {
    zones: view.shipping.zones.map((zone) => ({
      name: zone.name,
      countries: zone.countries.join(', '),
      restOfWorld: zone.rest_of_world,
      rates: zone.rates.map((rate) => ({ name: rate.name, amount: toMajor(rate.amount_minor), freeOver: rate.free_over_minor === null ? null : toMajor(rate.free_over_minor) })),
    })),
    pricesIncludeTax: view.tax.prices_include_tax,
    taxes: view.tax.rates.map((rate) => ({ country: rate.country, region: rate.region ?? '', percent: rate.rate_basis_points / 100 })),
  };
}

export function bodyOf(form: { zones: ZoneRow[]; pricesIncludeTax: boolean; taxes: TaxRow[] }): ShippingTaxBody {
  return {
    shipping: {
      zones: form.zones.map((zone) => ({
        name: zone.name.trim(),
        countries: zone.restOfWorld ? [] : countryCodes(zone.countries),
        rest_of_world: zone.restOfWorld,
        rates: zone.rates.map((rate) => ({ name: rate.name.trim(), amount_minor: toMinor(rate.amount), free_over_minor: rate.freeOver === null ? null : toMinor(rate.freeOver) })),
      })),
    },
    tax: {
      prices_include_tax: form.pricesIncludeTax,
      rates: form.taxes.map((rate) => ({ country: rate.country.trim().toUpperCase(), region: rate.region.trim() ? rate.region.trim().toUpperCase() : null, rate_basis_points: Math.round((rate.percent ?? 0) * 100) })),
    },
  };
}

/** The first server message under a field path, including its items (`countries/1` belongs to `countries`). */
export function fieldError(fields: Record<string, string>, path: string): string | undefined {
  const key = Object.keys(fields).find((field) => field === path || field.startsWith(`${path}/`));
  return key ? fields[key] : undefined;
}
