import { parse as parseCsv } from 'csv-parse/sync';
import { invalidField } from '../../../domain/errors.js';
import { said } from '../../../domain/said.js';
import { cellText, loadWorkbook, type WorkbookBounds } from '../../../http/workbook.js';
import { lineCorrectionsFit, parse as parseText, type RawPlan } from '../../../seed/read/parse.js';
import type { Corrections } from '../../../seed/read/types.js';
import type { Problems } from '../../../seed/read/problems.js';
import { readRows, type TableRow } from '../../../seed/read/rows.js';

/**
 * A breakdown table as uploaded: a workbook's or a CSV's rows, or the document's text. Uploads are read into this
 * while the body is parsed, so the import itself reads and writes in one turn of the event loop (the group commit
 * its response waits for is the one it writes to).
 */
export type UploadedTable = { format: 'xlsx' | 'csv'; rows: TableRow[] } | { format: 'text'; text: string };

/** Rows a breakdown table may have: the largest plans run to a few hundred measures; ten times that is room enough. */
export const MAX_TABLE_ROWS = 5000;

export type LineCorrections = Pick<Corrections, 'continuationLines' | 'deadlineCells'>;

// A breakdown table has a dozen columns (the export's twelve, a county's own few more).
const BOUNDS: WorkbookBounds = {
  zip: { maxEntries: 200, maxBytes: 64 * 1024 * 1024 },
  maxSheetRows: MAX_TABLE_ROWS,
  tooManyRows: said(`工作表超过 ${MAX_TABLE_ROWS} 行：一张分解表不会有这么多行`, `has a sheet of more than ${MAX_TABLE_ROWS} rows, more than any breakdown table`),
  maxCells: MAX_TABLE_ROWS * 30,
};

/** The first sheet's rows as text, each with its row number (merged cells read as their first cell's text). */
export async function workbookTable(bytes: Buffer): Promise<UploadedTable> {
  const workbook = await loadWorkbook(bytes, BOUNDS);
  const sheet = workbook.worksheets[0];
  if (!sheet) throw invalidField('/body', said('工作簿中没有工作表', 'holds no sheet'));
  const rows: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => (cells[column - 1] = cellText(cell.value)));
    rows.push({ line, cells: Array.from(cells, (c) => c ?? '') });
  });
  return { format: 'xlsx', rows };
}

/** CSV records as rows, each with the line it starts on. */
export function csvTable(text: string): UploadedTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, { bom: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidField('/body', said(`不是有效的 CSV：${reason}`, `is not valid CSV: ${reason}`));
  }
  if (records.length > MAX_TABLE_ROWS) throw invalidField('/body', said(`CSV 超过 ${MAX_TABLE_ROWS} 行`, `has more than ${MAX_TABLE_ROWS} rows`));
  // csv-parse counts lines up to a record's end; a record starts on the line after the one before it.
  return { format: 'csv', rows: records.map(({ record }, i) => ({ line: i === 0 ? 1 : records[i - 1]!.info.lines + 1, cells: record })) };
}

/** The table's tasks and measures as printed, and the plan's title etc. where the upload names them. */
export function readTable(table: UploadedTable, problems: Problems, lineCorrections: LineCorrections): RawPlan {
  if (table.format !== 'text') return readRows(table.rows, problems);
  // Line corrections (corrections.json) name lines of the seed's own copy: another text is read as it stands.
  const text = table.text.replace(/\r\n?/g, '\n');
  return parseText(text, lineCorrectionsFit(text, lineCorrections) ? lineCorrections : { continuationLines: [], deadlineCells: [] }, problems);
}
