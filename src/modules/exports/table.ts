import ExcelJS from 'exceljs';
import { shanghaiDate } from '../../http/calendar.js';
import { cleanText } from '../../http/text.js';
import { toCsv } from './csv.js';
import { BODY_FONT, rowHeight, setUpPrinting } from './print.js';

/** A cell colour with a meaning: done, moving, behind, at risk, nothing known. */
export type Tone = 'green' | 'blue' | 'red' | 'amber' | 'grey';

export interface Column {
  header: string;
  /** Excel column width, in characters of the default font (a Chinese character takes about two). */
  width: number;
  /** Long text: wrapped in the cell instead of overflowing into the next one. */
  wrap?: boolean;
  /** The cells are absolute URLs: written as links a reader can click. */
  link?: boolean;
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
const THIN: ExcelJS.Border = { style: 'thin', color: { argb: 'FF808080' } };
/** Ruled like the printed table: without borders a printed sheet has no lines at all. */
const RULED: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
/** Excel's own hyperlink colour. */
const LINK_COLOUR = 'FF0563C1';

/**
 * The table as an .xlsx workbook that opens cleanly in Excel and WPS and prints on A4 landscape (print.ts): bold
 * header row frozen in place with an autofilter on it and repeated on every printed page, column widths set, long
 * text wrapped and top-aligned in rows tall enough to show it, ruled cells, coloured cells where the row says so,
 * links clickable.
 */
export async function toXlsx(table: Table, properties: { title: string; asOf: Date }): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'plan-tracker';
  workbook.title = properties.title;
  workbook.created = properties.asOf;
  workbook.modified = properties.asOf;
  const sheet = workbook.addWorksheet(table.sheetName, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  sheet.columns = table.columns.map((column) => ({ header: column.header, width: column.width }));

  const headers = table.columns.map((column) => column.header);
  const header = sheet.getRow(1);
  header.height = rowHeight(
    headers,
    table.columns.map((column) => ({ ...column, wrap: true })),
  );
  header.eachCell((cell) => {
    cell.font = { ...BODY_FONT, bold: true };
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.fill = solid('FFF2F2F2');
    cell.border = RULED;
  });

  for (const row of cleaned(table.rows)) {
    const added = sheet.addRow(row.cells.map((cell) => cell ?? ''));
    added.height = rowHeight(
      row.cells.map((cell) => String(cell ?? '')),
      table.columns,
    );
    table.columns.forEach((column, index) => {
      const cell = added.getCell(index + 1);
      cell.alignment = { vertical: 'top', wrapText: column.wrap === true };
      cell.border = RULED;
      cell.font = BODY_FONT;
      const tone = row.tones?.[index];
      if (tone) {
        cell.fill = solid(TONES[tone].fill);
        cell.font = { ...BODY_FONT, color: { argb: TONES[tone].font } };
      }
      const url = row.cells[index];
      if (column.link && typeof url === 'string' && url !== '') {
        cell.value = { text: url, hyperlink: url };
        cell.font = { ...BODY_FONT, color: { argb: LINK_COLOUR }, underline: true };
      }
    });
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  setUpPrinting(sheet, properties.title, shanghaiDate(properties.asOf));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The table as RFC 4180 CSV with a UTF-8 BOM (see csv.ts). */
export function toCsvText(table: Table): string {
  return toCsv(
    table.columns.map((c) => c.header),
    cleaned(table.rows).map((r) => r.cells),
  );
}
