import { parse, type Info } from 'csv-parse';
import { invalidField } from '../../domain/errors.js';
import { pieces } from '../../http/slices.js';

/** The CSV columns of a bulk import, in the order a template would list them. */
export const CSV_COLUMNS = ['measureId', 'unit', 'period', 'status', 'narrative', 'percentComplete', 'evidence', 'indicatorValues', 'submit'] as const;
const REQUIRED_COLUMNS = ['measureId', 'period', 'status'];

export interface CsvRows {
  rows: Record<string, unknown>[];
  /** The line of the file each row starts on (the header is line 1). */
  lines: number[];
}

const asNumber = (cell: string): unknown => (/^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell);

/** `3=98.6; 4=12` → [{ indicatorId: 3, value: 98.6 }, …]; anything else stays text so validation names the cell. */
function indicatorValues(cell: string): unknown {
  const entries = cell.split(';').map((entry) => entry.trim()).filter(Boolean);
  const parsed = entries.map((entry) => /^(\d+)\s*=\s*(-?\d+(?:\.\d+)?)$/.exec(entry));
  return parsed.every(Boolean) ? parsed.map((m) => ({ indicatorId: Number(m![1]), value: Number(m![2]) })) : cell;
}

/** One evidence item per line: `title | url`. */
function evidence(cell: string): unknown {
  return cell
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [title, url] = line.split('|').map((part) => part.trim());
      return url ? { title, url } : { title };
    });
}

function submit(cell: string): unknown {
  if (['true', '1', 'yes'].includes(cell.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(cell.toLowerCase())) return false;
  return cell;
}

const CELL_READERS: Record<string, (cell: string) => unknown> = {
  measureId: asNumber,
  percentComplete: asNumber,
  indicatorValues,
  evidence,
  submit,
};

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
  if (failure !== undefined) throw invalidField('/body', `is not valid CSV: ${failure instanceof Error ? failure.message : String(failure)}`);
  return records;
}

/** Parses a bulk-import CSV (UTF-8, BOM allowed, header row) into report rows; empty cells are left out. */
export async function parseReportsCsv(text: string, pause: () => Promise<void>): Promise<CsvRows> {
  const records = await recordsInSlices(text, pause);
  const header = records[0] ? Object.keys(records[0].record) : [];
  const unknown = header.filter((column) => !(CSV_COLUMNS as readonly string[]).includes(column));
  if (unknown.length > 0) throw invalidField('/body', `has unknown columns ${unknown.join(', ')}; the columns are ${CSV_COLUMNS.join(', ')}`);
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (records.length > 0 && missing.length > 0) throw invalidField('/body', `lacks the columns ${missing.join(', ')}`);
  return {
    rows: records.map(({ record }) =>
      Object.fromEntries(
        Object.entries(record)
          .filter(([, cell]) => cell !== '')
          .map(([column, cell]) => [column, (CELL_READERS[column] ?? String)(cell)]),
      ),
    ),
    // csv-parse counts lines up to a record's end; a record starts after the one before it (or the header).
    lines: records.map((_, i) => (i === 0 ? 2 : records[i - 1]!.info.lines + 1)),
  };
}
