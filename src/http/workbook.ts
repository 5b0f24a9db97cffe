import ExcelJS from 'exceljs';
import { invalidField } from '../domain/errors.js';
import { said, type Said } from '../domain/said.js';
import { visitZipEntries, type ZipBounds } from './zip-entries.js';

/**
 * An uploaded .xlsx, opened by exceljs only once it is known to be within bounds: exceljs holds a whole workbook in
 * memory, a few hundred bytes per cell, so the zip's entries (zip-entries.ts) and the sheets' rows and cells are
 * counted first.
 */
export interface WorkbookBounds {
  zip: ZipBounds;
  /** Rows of any one sheet, and what a clerk is told when a sheet has more. */
  maxSheetRows: number;
  tooManyRows: Said;
  /** Cells of all sheets together. */
  maxCells: number;
}

/** How many `element`s (any namespace prefix) the XML holds, counting no further than `limit` + 1. */
function countUpTo(xml: string, element: string, limit: number): number {
  const tag = new RegExp(`<(?:\\w{1,20}:)?${element}[\\s/>]`, 'g');
  let found = 0;
  while (found <= limit && tag.exec(xml)) found++;
  return found;
}

/** Refuses a workbook with more rows or cells than the bounds, counted in its sheets' XML before exceljs builds them. */
async function checkSize(bytes: Buffer, bounds: WorkbookBounds): Promise<void> {
  let cells = 0;
  await visitZipEntries(bytes, bounds.zip, (name, content) => {
    if (!/^xl\/worksheets\/[^/]+\.xml$/.test(name)) return;
    // Tags are ASCII: read as Latin-1, the text keeps one byte a character whatever the cells hold.
    const xml = content.toString('latin1');
    if (countUpTo(xml, 'row', bounds.maxSheetRows) > bounds.maxSheetRows) throw invalidField('/body', bounds.tooManyRows);
    cells += countUpTo(xml, 'c', bounds.maxCells - cells);
    if (cells > bounds.maxCells) throw invalidField('/body', said(`工作簿超过 ${bounds.maxCells} 个单元格`, `has more than ${bounds.maxCells} cells`));
  });
}

/** The workbook in the bytes; anything that is not a workbook within the bounds is a 400, never handed on. */
export async function loadWorkbook(bytes: Buffer, bounds: WorkbookBounds): Promise<ExcelJS.Workbook> {
  await checkSize(bytes, bounds);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch {
    throw invalidField(
      '/body',
      said('不是 Excel 能打开的 xlsx 工作簿：请用 Excel 或 WPS 另存为 .xlsx 后重试', 'is not a workbook Excel opens: save it as .xlsx from Excel or WPS and retry'),
    );
  }
  return workbook;
}

/** A cell as the text a clerk sees in it: rich text joined, a formula's result, a link's text. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  if ('text' in value) return cellText(value.text as ExcelJS.CellValue);
  if ('error' in value) return value.error;
  return '';
}
