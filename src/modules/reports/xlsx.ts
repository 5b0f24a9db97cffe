import { invalidField } from '../../domain/errors.js';
import { said } from '../../domain/said.js';
import { cellText, loadWorkbook, type WorkbookBounds } from '../../http/workbook.js';
import { BULK_MAX_ROWS } from './bulk.js';
import { headerColumns, rowOf } from './columns.js';

/** The sheet a report template fills; an upload without it is read from its first sheet. */
export const REPORT_SHEET = '进展报告';

export interface SheetRows {
  rows: Record<string, unknown>[];
  /** The sheet row each report row is on (the header is row 1). */
  lines: number[];
}

// Bounds on what exceljs is given: the rows of the largest import with a header, a template's columns with room to
// spare, and the text 5,000 long reports make.
const MAX_SHEET_ROWS = BULK_MAX_ROWS + 1;
const BOUNDS: WorkbookBounds = {
  zip: { maxEntries: 200, maxBytes: 96 * 1024 * 1024 },
  maxSheetRows: MAX_SHEET_ROWS,
  tooManyRows: said(`工作表超过 ${MAX_SHEET_ROWS} 行：每次导入至多 ${BULK_MAX_ROWS} 行（另加表头）`, `has a sheet of more than ${MAX_SHEET_ROWS} rows; at most ${BULK_MAX_ROWS} per import (and a header)`),
  maxCells: MAX_SHEET_ROWS * 40,
};

/**
 * Reads a bulk import from an .xlsx workbook: the report template's sheet (or the first one), a header row of English
 * ids or Chinese headers (columns.ts), one report per row below it. Rows that fill nothing in are left out (a template's
 * untouched rows). Anything that is not a workbook within the bounds is a 400, never handed on.
 */
export async function readReportsXlsx(bytes: Buffer): Promise<SheetRows> {
  const workbook = await loadWorkbook(bytes, BOUNDS);
  const sheet = workbook.getWorksheet(REPORT_SHEET) ?? workbook.worksheets[0];
  if (!sheet) throw invalidField('/body', said('工作簿中没有工作表', 'holds no sheet'));
  const header: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (cell, column) => (header[column - 1] = cellText(cell.value).trim()));
  while (header.length > 0 && header.at(-1) === '') header.pop();
  const columns = headerColumns(header);
  const read: SheetRows = { rows: [], lines: [] };
  sheet.eachRow((row, line) => {
    if (line === 1) return;
    const report = rowOf(
      columns,
      columns.map((_, index) => cellText(row.getCell(index + 1).value)),
    );
    if (!report) return;
    read.rows.push(report);
    read.lines.push(line);
  });
  return read;
}
