export interface Address {
  name: string;
  line1: string;
  line2?: string | undefined;
  city: string;
  region?: string | undefined;
  postal_code: string;
  country: string;
}

export type AddressVerdict = { valid: true; address: Address } | { valid: false; errors: { field: string; message: string }[] };

/** Checks a shipping address; a carrier or address service can take the place of the offline default. */
export interface AddressValidator {
  validate(address: Address): Promise<AddressVerdict>;
}

/** Postal-code formats of the countries the platform ships to by default; null: the country has no postal codes. */
const POSTAL_CODES: Record<string, RegExp | null> = {
  US: /^\d{5}(-\d{4})?$/,
  CA: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/,
  GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/,
  DE: /^\d{5}$/,
  FR: /^\d{5}$/,
  NL: /^\d{4} ?[A-Z]{2}$/,
  IE: /^[A-Z]\d[\dW] ?[A-Z\d]{4}$/,
  AU: /^\d{4}$/,
  NZ: /^\d{4}$/,
  JP: /^\d{3}-?\d{4}$/,
  HK: null,
};

/** Offline: the country must be one shipped to, the postal code must have that country's format. */
export class OfflineAddressValidator implements AddressValidator {
  async validate(address: Address): Promise<AddressVerdict> {
    const country = address.country.toUpperCase();
    const postal = address.postal_code.trim().toUpperCase();
    if (!(country in POSTAL_CODES)) return { valid: false, errors: [{ field: 'shipping_address/country', message: `we do not ship to ${country}` }] };
    const format = POSTAL_CODES[country];
    if (format && !format.test(postal)) return { valid: false, errors: [{ field: 'shipping_address/postal_code', message: `is not a ${country} postal code` }] };
    return { valid: true, address: { ...address, country, postal_code: postal, ...(address.region ? { region: address.region.toUpperCase() } : {}) } };
  }
}
