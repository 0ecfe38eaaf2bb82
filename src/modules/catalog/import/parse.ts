import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';

export type ImportFormat = 'csv' | 'jsonl';

/** The longest record (a CSV record or a JSONL line) an import takes; longer ones are row errors. */
export const MAX_RECORD_BYTES = 64 * 1024;

/** A parsed record with the line it starts on, or the line that could not be parsed. */
export type ParsedRecord = { line: number; record: Record<string, unknown> } | { line: number; error: string };

/** The export writes text that a spreadsheet would run as a formula with a leading apostrophe; it is dropped here. */
const unneutralised = (value: string) => (/^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value);

/** CSV with a header row; records stream through, so a file of any size uses constant memory. */
async function* csvRecords(source: Readable): AsyncGenerator<ParsedRecord> {
  const parser = source.pipe(parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, info: true, max_record_size: MAX_RECORD_BYTES }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { line: info.lines, record: Object.fromEntries(Object.entries(record).map(([column, value]) => [column, unneutralised(value)])) };
    }
  } catch (error) {
    // A malformed CSV (an unclosed quote) cannot be resynchronised: the rest of the file is one error.
    const line = typeof error === 'object' && error && 'lines' in error ? Number(error.lines) : 0;
    yield { line, error: error instanceof Error ? error.message : String(error) };
  }
}

/** One JSON object per line; blank lines are skipped. */
async function* jsonlRecords(source: Readable): AsyncGenerator<ParsedRecord> {
  let line = 0;
  for await (const text of createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text.trim() === '') continue;
    if (text.length > MAX_RECORD_BYTES) {
      yield { line, error: `is longer than ${MAX_RECORD_BYTES} characters` };
      continue;
    }
    try {
      const record: unknown = JSON.parse(text);
      if (record && typeof record === 'object' && !Array.isArray(record)) yield { line, record: record as Record<string, unknown> };
      else yield { line, error: 'is not a JSON object' };
    } catch {
      yield { line, error: 'is not valid JSON' };
    }
  }
}

export function parseRecords(source: Readable, format: ImportFormat): AsyncGenerator<ParsedRecord> {
  return format === 'csv' ? csvRecords(source) : jsonlRecords(source);
}
