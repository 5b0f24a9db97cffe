/**
 * A minimal RFC 4180 writer. The only CSV writer installed is fast-csv, an undeclared dependency of exceljs that
 * silently drops NUL characters and would need a worksheet round trip; quoting is a few lines, so it lives here.
 */

const UTF8_BOM = '\uFEFF';

/**
 * Spreadsheet formula injection (OWASP "CSV Injection"): Excel, WPS and LibreOffice evaluate a cell that starts
 * with `=`, `+`, `-` or `@` (also after a leading tab or carriage return). Such cells get a leading `'`, which the
 * spreadsheet shows as text; the original value is otherwise unchanged.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** One field: quoted when it holds `"`, `,`, CR or LF, with inner quotes doubled (RFC 4180 §2.6–2.7). */
export function csvField(value: string | number | null): string {
  const cell = value === null ? '' : typeof value === 'number' ? String(value) : neutraliseFormula(value);
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** A whole file: a UTF-8 BOM (so Excel reads the Chinese text as UTF-8), then CRLF-terminated records. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return UTF8_BOM + [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
