import { invalidField } from '../../domain/errors.js';
import { said } from '../../domain/said.js';
import { PROGRESS_WORDS } from './progress-words.js';

/**
 * The columns of a bulk import, for CSV and xlsx alike: each names a report field by its English id or by the Chinese
 * header a clerk sees (the exports' word where they have one), and says how a cell is read. Cells keep what they do
 * not understand as text, so validation names the cell and the row.
 */
export interface ImportColumn {
  field: string;
  header: string;
  /** Other Chinese headers clerks write for the same column. */
  aliases?: readonly string[];
  read?: (cell: string) => unknown;
}

const asNumber = (cell: string): unknown => (/^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell);

/** `3=98.6; 4=12` → [{ indicatorId: 3, value: 98.6 }, …]; full-width ；＝ as a Chinese keyboard types them are read too. */
function indicatorValues(cell: string): unknown {
  const entries = cell
    .split(/[;；\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  const parsed = entries.map((entry) => /^(\d+)\s*[=＝]\s*(-?\d+(?:\.\d+)?)$/.exec(entry));
  return parsed.every(Boolean) ? parsed.map((m) => ({ indicatorId: Number(m![1]), value: Number(m![2]) })) : cell;
}

/** One evidence item per line: `title | url`. */
function evidence(cell: string): unknown {
  return cell
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [title, url] = line.split(/[|｜]/).map((part) => part.trim());
      return url ? { title, url } : { title };
    });
}

const YES = ['true', '1', 'yes', '是'];
const NO = ['false', '0', 'no', '否'];
function submit(cell: string): unknown {
  if (YES.includes(cell.toLowerCase())) return true;
  if (NO.includes(cell.toLowerCase())) return false;
  return cell;
}

const STATUS_OF_WORD = new Map(Object.entries(PROGRESS_WORDS).map(([status, word]) => [word, status]));
/** 推进中 → in_progress; an English id stays as it is. */
const status = (cell: string): unknown => STATUS_OF_WORD.get(cell) ?? cell;

/** The fields of a report row (ReportInput), in the order a CSV lists them. */
export const REPORT_COLUMNS: readonly ImportColumn[] = [
  { field: 'measureId', header: '措施ID', read: asNumber },
  { field: 'unit', header: '单位', aliases: ['责任单位', '填报单位'] },
  { field: 'period', header: '报告期' },
  { field: 'status', header: '状态', read: status },
  { field: 'narrative', header: '进展情况' },
  { field: 'percentComplete', header: '完成百分比', read: asNumber },
  { field: 'evidence', header: '佐证材料', read: evidence },
  { field: 'indicatorValues', header: '指标值', read: indicatorValues },
  { field: 'submit', header: '提交', aliases: ['是否提交'], read: submit },
];

/** A measure named as the breakdown table prints it, instead of by id: the task's 序号 and the measure's number in it. */
export const PRINTED_COLUMNS: readonly ImportColumn[] = [
  { field: 'taskNo', header: '序号', aliases: ['任务序号'], read: asNumber },
  { field: 'measureNo', header: '措施序号', read: asNumber },
];

/** Columns a report template shows for reading (what is owed); an import passes over them. */
export const READING_HEADERS = ['具体实施措施', '工作目标', '完成时限', '指标'] as const;

/** The fields a row fills in (the others say where the report goes): a row filling none of them is left out. */
const FILL_FIELDS = new Set(['status', 'narrative', 'percentComplete', 'evidence', 'indicatorValues', 'submit']);

const COLUMNS = [...PRINTED_COLUMNS, ...REPORT_COLUMNS];
const COLUMN_OF_HEADER = new Map(COLUMNS.flatMap((column) => [column.field, column.header, ...(column.aliases ?? [])].map((name) => [name, column] as const)));

/** How a header row is read: the column each position fills, null for a column shown for reading. */
export type HeaderColumns = (ImportColumn | null)[];

/** The columns a header row names (a blank header is passed over); 400 for a header no column has, a column named twice, or missing key columns. */
export function headerColumns(header: readonly string[]): HeaderColumns {
  const named = header.map((name) => (name === '' || (READING_HEADERS as readonly string[]).includes(name) ? null : COLUMN_OF_HEADER.get(name)));
  const unknown = header.filter((_, i) => named[i] === undefined);
  if (unknown.length > 0) {
    const known = COLUMNS.map((c) => `${c.field}/${c.header}`).join(', ');
    throw invalidField('/body', said(`含有无法识别的列：${unknown.join('、')}；可用的列为 ${known}`, `has unknown columns ${unknown.join(', ')}; the columns are ${known}`));
  }
  const columns = named.map((c) => c ?? null);
  const found = columns.filter((c): c is ImportColumn => c !== null);
  const twice = found.filter((c, i) => found.indexOf(c) !== i).map((c) => c.header);
  if (twice.length > 0) throw invalidField('/body', said(`同一列出现了两次：${twice.join('、')}`, `names a column twice: ${twice.join(', ')}`));
  const has = (field: string) => found.some((c) => c.field === field);
  const missing = [
    has('measureId') || has('taskNo') ? undefined : said('措施ID（或 序号 + 措施序号）', 'measureId (or taskNo + measureNo)'),
    has('period') ? undefined : said('报告期', 'period'),
    has('status') ? undefined : said('状态', 'status'),
  ].filter((m) => m !== undefined);
  if (missing.length > 0) {
    throw invalidField('/body', said(`缺少必需的列：${missing.map((m) => m.zh).join('、')}`, `lacks the columns ${missing.map((m) => m.en).join(', ')}`));
  }
  return columns;
}

/** A row of cells as a report row: empty cells left out; undefined for a row that fills nothing (a template's untouched row). */
export function rowOf(columns: HeaderColumns, cells: readonly string[]): Record<string, unknown> | undefined {
  const row: Record<string, unknown> = {};
  columns.forEach((column, index) => {
    const cell = cells[index]?.trim() ?? '';
    if (column && cell !== '') row[column.field] = (column.read ?? String)(cell);
  });
  return Object.keys(row).some((field) => FILL_FIELDS.has(field)) ? row : undefined;
}
