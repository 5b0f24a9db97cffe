import { parse, type Info } from 'csv-parse';
import { said } from '../../domain/said.js';
import { invalidField } from '../../domain/errors.js';
import { pieces } from '../../http/slices.js';
import { headerColumns, REPORT_COLUMNS, rowOf } from './columns.js';

/** The CSV columns of a bulk import by their English ids, in the order a file lists them (Chinese headers: columns.ts). */
export const CSV_COLUMNS = REPORT_COLUMNS.map((column) => column.field);

export interface CsvRows {
  rows: Record<string, unknown>[];
  /** The line of the file each row starts on (the header is line 1). */
  lines: number[];
}

/** Characters handed to the CSV parser between pauses. */
const CHUNK_CHARACTERS = 64 * 1024;

type CsvRecord = { record: Record<string, string>; info: Info };

/** csv-parse's stream, fed a chunk at a time with a pause between chunks (a 32 MiB file would hold the loop). */
async function recordsInSlices(text: string, pause: () => Promise<void>): Promise<CsvRecord[]> {
  const parser = parse({ columns: true, bom: true, skip_empty_lines: true, trim: true, info: true });
  const records: CsvRecord[] = [];
  let failure: unknown;
  parser.on('data', (record: CsvRecord) => records.push(record));
  parser.on('error', (error) => (failure ??= error));
  const ended = new Promise<void>((resolve) => parser.on('close', resolve).on('end', resolve));
  for (const piece of pieces(text, CHUNK_CHARACTERS)) {
    if (failure !== undefined) break;
    parser.write(piece);
    await pause();
  }
  if (failure === undefined) parser.end();
  else parser.destroy();
  await ended;
  if (failure !== undefined) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    throw invalidField('/body', said(`不是有效的 CSV：${reason}`, `is not valid CSV: ${reason}`));
  }
  return records;
}

/**
 * Parses a bulk-import CSV (header row; English ids or Chinese headers, see columns.ts) into report rows; empty cells
 * are left out, and so are rows that fill nothing in.
 */
export async function parseReportsCsv(text: string, pause: () => Promise<void>): Promise<CsvRows> {
  const records = await recordsInSlices(text, pause);
  const header = records[0] ? Object.keys(records[0].record) : [];
  const columns = records.length > 0 ? headerColumns(header) : [];
  // csv-parse counts lines up to a record's end; a record starts after the one before it (or the header).
  const lines = records.map((_, i) => (i === 0 ? 2 : records[i - 1]!.info.lines + 1));
  const read = records.map(({ record }, i) => ({ row: rowOf(columns, Object.values(record)), line: lines[i]! }));
  const kept = read.filter((r): r is { row: Record<string, unknown>; line: number } => r.row !== undefined);
  return { rows: kept.map((r) => r.row), lines: kept.map((r) => r.line) };
}
