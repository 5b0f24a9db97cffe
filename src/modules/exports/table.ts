import ExcelJS from 'exceljs';
import { cleanText } from '../../http/text.js';
import { toCsv } from './csv.js';

/** A cell colour with a meaning: done, moving, behind, at risk, nothing known. */
export type Tone = 'green' | 'blue' | 'red' | 'amber' | 'grey';

export interface Column {
  header: string;
  /** Excel column width, in characters of the default font (a Chinese character takes about two). */
  width: number;
  /** Long text: wrapped in the cell instead of overflowing into the next one. */
  wrap?: boolean;
}

export type Cell = string | number | null;

export interface Row {
  cells: Cell[];
  /** Cells to colour, by column index. */
  tones?: Partial<Record<number, Tone>>;
}

/** What an export produces, before it is rendered as a workbook or as CSV. */
export interface Table {
  sheetName: string;
  columns: Column[];
  rows: Row[];
}

// Excel's own "good / neutral / bad" cell styles, plus a blue and a grey of the same weight.
const TONES: Record<Tone, { fill: string; font: string }> = {
  green: { fill: 'FFC6EFCE', font: 'FF006100' },
  blue: { fill: 'FFDDEBF7', font: 'FF1F4E78' },
  red: { fill: 'FFFFC7CE', font: 'FF9C0006' },
  amber: { fill: 'FFFFEB9C', font: 'FF9C5700' },
  grey: { fill: 'FFEDEDED', font: 'FF595959' },
};

/**
 * The rows as the exports may write them: text cleaned of what XML cannot hold (src/http/text.ts). The API refuses
 * such text, but the database may hold some from before the rule or from the seed, and exceljs writes U+FFFE as is:
 * one such cell and Excel will not open the workbook. Both renderers start here, so no export skips it.
 */
function cleaned(rows: Row[]): Row[] {
  return rows.map((row) => ({ ...row, cells: row.cells.map((cell) => (typeof cell === 'string' ? cleanText(cell) : cell)) }));
}

const solid = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });

/**
 * The table as an .xlsx workbook that opens cleanly in Excel and WPS: bold header row frozen in place with an
 * autofilter on it, column widths set, long text wrapped and top-aligned, coloured cells where the row says so.
 */
export async function toXlsx(table: Table, properties: { title: string; created: Date }): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'plan-tracker';
  workbook.title = properties.title;
  workbook.created = properties.created;
  workbook.modified = properties.created;
  const sheet = workbook.addWorksheet(table.sheetName, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  sheet.columns = table.columns.map((column) => ({ header: column.header, width: column.width }));

  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  header.eachCell((cell) => {
    cell.fill = solid('FFF2F2F2');
  });

  for (const row of cleaned(table.rows)) {
    const added = sheet.addRow(row.cells.map((cell) => cell ?? ''));
    table.columns.forEach((column, index) => {
      const cell = added.getCell(index + 1);
      cell.alignment = { vertical: 'top', wrapText: column.wrap === true };
      const tone = row.tones?.[index];
      if (tone) {
        cell.fill = solid(TONES[tone].fill);
        cell.font = { color: { argb: TONES[tone].font } };
      }
    });
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The table as RFC 4180 CSV with a UTF-8 BOM (see csv.ts). */
export function toCsvText(table: Table): string {
  return toCsv(
    table.columns.map((c) => c.header),
    cleaned(table.rows).map((r) => r.cells),
  );
}
