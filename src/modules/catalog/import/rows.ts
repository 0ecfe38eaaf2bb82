/**
 * One line of an import: one variant, with the fields of its product. Rows with the same handle form one
 * product (its fields come from the row that wrote it last). CSV and JSONL share these column names, and the
 * export writes them, so an export re-imports unchanged.
 */
export const IMPORT_COLUMNS = [
  'handle',
  'title',
  'description',
  'status',
  'tags',
  'sku',
  'variant_title',
  'price_minor',
  'currency',
  'cost_minor',
  'weight_grams',
  'options',
] as const;

export interface ImportRow {
  handle: string;
  title: string;
  description: string;
  status: 'draft' | 'published' | 'archived';
  tags: string[];
  sku: string;
  variant_title: string;
  price_minor: number;
  currency: string;
  cost_minor: number | null;
  weight_grams: number | null;
  options: Record<string, string>;
}

export interface RowError {
  line: number;
  field: string;
  message: string;
}

const HANDLE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;
const INTEGER = /^\d{1,15}$/;

type Raw = Record<string, unknown>;

const text = (raw: Raw, field: string) => {
  const value = raw[field];
  return value === undefined || value === null ? '' : typeof value === 'string' ? value.trim() : String(value);
};

/** Tags are `a|b|c` in CSV, an array in JSONL. */
function tagsOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.every((tag) => typeof tag === 'string') ? value.map((tag) => tag.trim()).filter(Boolean) : undefined;
  if (value === undefined || value === null || value === '') return [];
  return typeof value === 'string' ? value.split('|').map((tag) => tag.trim()).filter(Boolean) : undefined;
}

/** Options are `size=M;colour=red` in CSV, an object of strings in JSONL. */
function optionsOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    return entries.every(([, option]) => typeof option === 'string') ? Object.fromEntries(entries) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const options: Record<string, string> = {};
  for (const pair of value.split(';')) {
    const [name, option, ...rest] = pair.split('=');
    if (!name?.trim() || option === undefined || rest.length) return undefined;
    options[name.trim()] = option.trim();
  }
  return options;
}

function integer(raw: Raw, field: string, errors: RowError[], line: number, required: boolean): number | null {
  const value = raw[field];
  if (value === undefined || value === null || value === '') {
    if (required) errors.push({ line, field, message: 'is required' });
    return null;
  }
  const asText = typeof value === 'number' ? String(value) : text(raw, field);
  if (!INTEGER.test(asText)) {
    errors.push({ line, field, message: 'must be a whole number of at least 0' });
    return null;
  }
  return Number(asText);
}

/** Validates one record; every problem of the row is reported, not only the first. */
export function validateRow(raw: Raw, line: number): { row: ImportRow } | { errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (field: string, message: string) => errors.push({ line, field, message });
  const handle = text(raw, 'handle');
  if (!HANDLE.test(handle) || handle.length > 120) fail('handle', 'must be lowercase letters, digits and single dashes (at most 120)');
  const title = text(raw, 'title');
  if (title.length < 1 || title.length > 300) fail('title', 'must be 1 to 300 characters');
  const description = text(raw, 'description');
  if (description.length > 20_000) fail('description', 'must be at most 20000 characters');
  const status = text(raw, 'status') || 'draft';
  if (status !== 'draft' && status !== 'published' && status !== 'archived') fail('status', 'must be draft, published or archived');
  const tags = tagsOf(raw.tags);
  if (!tags || tags.length > 50 || tags.some((tag) => tag.length > 60)) fail('tags', 'must be at most 50 tags of at most 60 characters');
  const sku = text(raw, 'sku');
  if (!SKU.test(sku)) fail('sku', 'must be 1 to 64 letters, digits or ._/- starting with a letter or digit');
  const variantTitle = text(raw, 'variant_title');
  if (variantTitle.length > 200) fail('variant_title', 'must be at most 200 characters');
  const price = integer(raw, 'price_minor', errors, line, true);
  const currency = text(raw, 'currency');
  if (!CURRENCY.test(currency)) fail('currency', 'must be a three-letter ISO 4217 code in capitals');
  const cost = integer(raw, 'cost_minor', errors, line, false);
  const weight = integer(raw, 'weight_grams', errors, line, false);
  const options = optionsOf(raw.options);
  if (!options) fail('options', 'must be name=value pairs separated by ;');
  if (errors.length > 0 || price === null) return { errors };
  return {
    row: {
      handle,
      title,
      description,
      status: status as ImportRow['status'],
      tags: tags!,
      sku,
      variant_title: variantTitle,
      price_minor: price,
      currency,
      cost_minor: cost,
      weight_grams: weight,
      options: options!,
    },
  };
}
