import type ExcelJS from 'exceljs';
import type { Column } from './table.js';

/**
 * How an export prints, as offices print it: on A4 landscape, scaled to the page width, the header row repeated on
 * every page. Excel, WPS and LibreOffice never grow a row written with a file to fit its wrapped text, so each row
 * gets the height its longest wrapped cell needs, estimated here from the text and the column width.
 */

/** The body text: 10 pt 宋体, the face of printed government tables; about two column-width units a Chinese character. */
export const BODY_FONT = { name: '宋体', size: 10 } as const;

/** Points a line of 10 pt text takes (CJK faces have a tall line: 宋体 13.5, Noto CJK in LibreOffice 14) and a row's space above and below. */
const LINE_POINTS = 14;
const ROW_PADDING_POINTS = 6;
/** Excel's highest row. */
const MAX_ROW_POINTS = 409;
/** Column-width units a cell's inner margins take from its text. */
const CELL_PADDING_UNITS = 1;

/** Excel's "Narrow" margins, in inches: room for the table, the page header and footer still clear of it. */
const MARGINS = { left: 0.25, right: 0.25, top: 0.75, bottom: 0.75, header: 0.3, footer: 0.3 };

/**
 * Width of a line of text in column-width units (the default font's digit). Everything from Hangul Jamo on — Chinese
 * characters, their punctuation, and the ‰ ≥ “ ” … CJK faces draw full width — takes about two; the rest one.
 */
export function textUnits(text: string): number {
  let units = 0;
  for (const char of text) units += char.codePointAt(0)! >= 0x1100 ? 2 : 1;
  return units;
}

/**
 * What a line may not be broken within: a run of Latin letters, digits and signs (`2022-12-31`, `3·15`, a URL), else one
 * character; with the closing punctuation that may not start a line (，。、） ” …) and the opening punctuation that may
 * not end one (（ “ 《 …) kept on the same line, as Excel, WPS and LibreOffice lay out Chinese text.
 */
const UNBREAKABLE = /[（《「『【〈“‘([]*(?:[\x21-\x7E·]+|.)[，。、；：？！）》」』】〉”’,.;:?!)\]%‰‱]*/gsu;

/** Lines one paragraph takes when filled line by line; a piece longer than a whole line is broken where the line ends. */
function paragraphLines(paragraph: string, perLine: number): number {
  let lines = 1;
  let used = 0;
  for (const [piece] of paragraph.matchAll(UNBREAKABLE)) {
    const units = textUnits(piece);
    if (used > 0 && used + units > perLine) {
      lines += 1;
      used = 0;
    }
    used += units;
    while (used > perLine) {
      lines += 1;
      used -= perLine;
    }
  }
  return lines;
}

/** Lines a wrapped cell takes in a column this wide: each paragraph starts a line of its own. */
export function wrappedLines(text: string, width: number): number {
  const perLine = Math.max(2, width - CELL_PADDING_UNITS);
  return text.split('\n').reduce((lines, paragraph) => lines + paragraphLines(paragraph, perLine), 0);
}

/** The height, in points, of a row showing all of its wrapped cells; an unwrapped cell is one line. */
export function rowHeight(cells: string[], columns: Column[]): number {
  const lines = Math.max(1, ...columns.map((column, i) => (column.wrap ? wrappedLines(cells[i] ?? '', column.width) : 1)));
  return Math.min(MAX_ROW_POINTS, lines * LINE_POINTS + ROW_PADDING_POINTS);
}

/** `&` opens a code in a page header or footer; a literal one is doubled. */
const headerText = (text: string) => text.replace(/&/g, '&&');

/**
 * A4 (paper size 9) landscape, fit to one page wide and as many tall as it takes, row 1 repeated on every page; the
 * title in bold at the top of each page, the date of the data and 第 n 页 共 m 页 at the bottom.
 */
export function setUpPrinting(sheet: ExcelJS.Worksheet, title: string, asOfDate: string): void {
  sheet.pageSetup = {
    ...sheet.pageSetup,
    paperSize: 9,
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    printTitlesRow: '1:1',
    margins: MARGINS,
  };
  // The size before &B: a size code reads every digit after it, and a title may start with a year.
  sheet.headerFooter = { oddHeader: `&C&12&B${headerText(title)}`, oddFooter: `&L数据截至 ${asOfDate}&C第 &P 页 共 &N 页` };
}
