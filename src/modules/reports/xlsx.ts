import ExcelJS from 'exceljs';
import { invalidField } from '../../domain/errors.js';
import { said } from '../../domain/said.js';
import { visitZipEntries } from '../../http/zip-entries.js';
import { BULK_MAX_ROWS } from './bulk.js';
import { headerColumns, rowOf } from './columns.js';

/** The sheet a report template fills; an upload without it is read from its first sheet. */
export const REPORT_SHEET = '进展报告';

export interface SheetRows {
  rows: Record<string, unknown>[];
  /** The sheet row each report row is on (the header is row 1). */
  lines: number[];
}

// Bounds on what exceljs is given, which holds a whole workbook in memory, a few hundred bytes per cell: the rows of
// the largest import with a header, a template's columns with room to spare, and the text 5,000 long reports make.
const MAX_SHEET_ROWS = BULK_MAX_ROWS + 1;
const MAX_CELLS = MAX_SHEET_ROWS * 40;
const ZIP_BOUNDS = { maxEntries: 200, maxBytes: 96 * 1024 * 1024 };

/** How many `element`s (any namespace prefix) the XML holds, counting no further than `limit` + 1. */
function countUpTo(xml: string, element: string, limit: number): number {
  const tag = new RegExp(`<(?:\\w{1,20}:)?${element}[\\s/>]`, 'g');
  let found = 0;
  while (found <= limit && tag.exec(xml)) found++;
  return found;
}

/** Refuses a workbook with more rows or cells than an import reads, counted in its sheets' XML before exceljs builds them. */
async function checkSize(bytes: Buffer): Promise<void> {
  let cells = 0;
  await visitZipEntries(bytes, ZIP_BOUNDS, (name, content) => {
    if (!/^xl\/worksheets\/[^/]+\.xml$/.test(name)) return;
    // Tags are ASCII: read as Latin-1, the text keeps one byte a character whatever the cells hold.
    const xml = content.toString('latin1');
    const rows = countUpTo(xml, 'row', MAX_SHEET_ROWS);
    if (rows > MAX_SHEET_ROWS) {
      throw invalidField('/body', said(`工作表超过 ${MAX_SHEET_ROWS} 行：每次导入至多 ${BULK_MAX_ROWS} 行（另加表头）`, `has a sheet of more than ${MAX_SHEET_ROWS} rows; at most ${BULK_MAX_ROWS} per import (and a header)`));
    }
    cells += countUpTo(xml, 'c', MAX_CELLS - cells);
    if (cells > MAX_CELLS) throw invalidField('/body', said(`工作簿超过 ${MAX_CELLS} 个单元格`, `has more than ${MAX_CELLS} cells`));
  });
}

/** A cell as the text a clerk sees in it: rich text joined, a formula's result, a link's text. */
function textOf(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('result' in value) return textOf(value.result as ExcelJS.CellValue);
  if ('text' in value) return textOf(value.text as ExcelJS.CellValue);
  if ('error' in value) return value.error;
  return '';
}

/**
 * Reads a bulk import from an .xlsx workbook: the report template's sheet (or the first one), a header row of English
 * ids or Chinese headers (columns.ts), one report per row below it. Rows that fill nothing in are left out (a template's
 * untouched rows). Anything that is not a workbook within the bounds is a 400, never handed on.
 */
export async function readReportsXlsx(bytes: Buffer): Promise<SheetRows> {
  await checkSize(bytes);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch {
    throw invalidField('/body', said('不是 Excel 能打开的 xlsx 工作簿：请用 Excel 或 WPS 另存为 .xlsx 后重试', 'is not a workbook Excel opens: save it as .xlsx from Excel or WPS and retry'));
  }
  const sheet = workbook.getWorksheet(REPORT_SHEET) ?? workbook.worksheets[0];
  if (!sheet) throw invalidField('/body', said('工作簿中没有工作表', 'holds no sheet'));
  const header: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (cell, column) => (header[column - 1] = textOf(cell.value).trim()));
  while (header.length > 0 && header.at(-1) === '') header.pop();
  const columns = headerColumns(header);
  const read: SheetRows = { rows: [], lines: [] };
  sheet.eachRow((row, line) => {
    if (line === 1) return;
    const report = rowOf(
      columns,
      columns.map((_, index) => textOf(row.getCell(index + 1).value)),
    );
    if (!report) return;
    read.rows.push(report);
    read.lines.push(line);
  });
  return read;
}
