import ExcelJS from 'exceljs';
import { cleanText } from '../../http/text.js';
import { PRINTED_COLUMNS, READING_HEADERS, REPORT_COLUMNS } from './columns.js';
import { PROGRESS_WORDS } from './progress-words.js';
import type { TemplateRow } from './template.js';
import { REPORT_SHEET } from './xlsx.js';

/** Whose template, for which period. */
export interface TemplateOf {
  unit: string;
  period: string;
  created: Date;
}

type Part = 'key' | 'read' | 'fill';
interface SheetColumn {
  header: string;
  width: number;
  part: Part;
  wrap?: boolean;
  cell: (row: TemplateRow) => string | number;
  validation?: ExcelJS.DataValidation;
}

// The headers come from the import's own table, so a filled template always reads back.
const header = (field: string) => [...PRINTED_COLUMNS, ...REPORT_COLUMNS].find((c) => c.field === field)!.header;
const [MEASURE, TARGET, DUE, INDICATORS] = READING_HEADERS;

const choice = (words: string[], prompt: string): ExcelJS.DataValidation => ({
  type: 'list',
  allowBlank: true,
  formulae: [`"${words.join(',')}"`],
  showErrorMessage: true,
  errorTitle: '请从下拉列表中选择',
  error: `可选：${words.join('、')}`,
  showInputMessage: true,
  prompt,
});

const indicatorList = (row: TemplateRow) => row.indicators.map((i) => `${i.id}=${i.name}（${i.unit}）`).join('\n');

const COLUMNS: SheetColumn[] = [
  { header: header('taskNo'), width: 6, part: 'key', cell: (r) => r.taskNo },
  { header: header('measureNo'), width: 8, part: 'key', cell: (r) => r.measureNo },
  { header: header('unit'), width: 18, part: 'key', wrap: true, cell: (r) => r.unit },
  { header: header('period'), width: 10, part: 'key', cell: (r) => r.period },
  { header: MEASURE, width: 48, part: 'read', wrap: true, cell: (r) => r.measureText },
  { header: TARGET, width: 36, part: 'read', wrap: true, cell: (r) => r.target },
  { header: DUE, width: 12, part: 'read', cell: (r) => r.dueDate },
  { header: INDICATORS, width: 28, part: 'read', wrap: true, cell: indicatorList },
  { header: header('status'), width: 10, part: 'fill', cell: () => '', validation: choice(Object.values(PROGRESS_WORDS), '从下拉列表中选择；留空的行不导入') },
  {
    header: header('percentComplete'),
    width: 11,
    part: 'fill',
    cell: () => '',
    validation: { type: 'whole', operator: 'between', allowBlank: true, formulae: [0, 100], showErrorMessage: true, errorTitle: '完成百分比', error: '请填写 0–100 的整数' },
  },
  { header: header('narrative'), width: 48, part: 'fill', wrap: true, cell: () => '' },
  { header: header('evidence'), width: 36, part: 'fill', wrap: true, cell: () => '' },
  { header: header('indicatorValues'), width: 18, part: 'fill', wrap: true, cell: () => '' },
  { header: header('submit'), width: 8, part: 'fill', cell: () => '', validation: choice(['是', '否'], '是：直接提交审核；否或留空：保存为草稿') },
];

const solid = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });
const FILLS: Record<Part, string> = { key: 'FFD9D9D9', read: 'FFF2F2F2', fill: 'FFFFF2CC' };

const instructions = (of: TemplateOf) => [
  `${of.unit} ${of.period} 进展报告模板`,
  '',
  '只填写黄色的列，每行一项义务：',
  `· ${header('status')}：从下拉列表中选择（${Object.values(PROGRESS_WORDS).join('、')}）；状态留空、其余也未填写的行不导入。`,
  `· ${header('percentComplete')}：0–100 的整数。`,
  `· ${header('narrative')}：做了什么、进展到哪一步。`,
  `· ${header('evidence')}：每行一项，写作“标题 | 网址”，如：甄别台账 | https://example.gov.cn/taizhang.xlsx`,
  `· ${header('indicatorValues')}：本措施有指标时填写，写作“编号=数值”，多项用分号隔开，如：3=98.6; 4=12（编号见“${INDICATORS}”列）。`,
  `· ${header('submit')}：是＝直接提交审核；否或留空＝保存为草稿，可再修改。`,
  '',
  '灰色的列（序号、措施序号、单位、报告期等）用来找到对应的措施，请勿修改；也请勿增删列或改动表头。',
  '填好后保存为 .xlsx，上传到 POST /api/v1/reports/bulk（Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet），可先加 ?dryRun=true 检查。',
];

/**
 * A unit's report template as an .xlsx workbook: the rows to report on, with the key columns (序号, 措施序号, 单位,
 * 报告期) and what is owed locked under sheet protection, the columns to fill unlocked, with dropdowns and a
 * whole-number check; a second sheet says how to fill it in. The indicator columns appear when a measure has indicators.
 */
export async function templateWorkbook(rows: TemplateRow[], of: TemplateOf): Promise<Buffer> {
  const withIndicators = rows.some((r) => r.indicators.length > 0);
  const columns = COLUMNS.filter((c) => withIndicators || (c.header !== INDICATORS && c.header !== header('indicatorValues')));
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'plan-tracker';
  workbook.title = `${of.unit} ${of.period} 进展报告`;
  workbook.created = of.created;
  workbook.modified = of.created;
  const sheet = workbook.addWorksheet(REPORT_SHEET, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  columns.forEach((c, index) => (sheet.getRow(1).getCell(index + 1).fill = solid(FILLS[c.part])));

  for (const row of rows) {
    const added = sheet.addRow(
      columns.map((c) => {
        const value = c.cell(row);
        return typeof value === 'string' ? cleanText(value) : value;
      }),
    );
    columns.forEach((c, index) => {
      const cell = added.getCell(index + 1);
      cell.alignment = { vertical: 'top', wrapText: c.wrap === true };
      // A measure without indicators has no values to give: its cell stays locked.
      const fillable = c.part === 'fill' && (c.header !== header('indicatorValues') || row.indicators.length > 0);
      if (!fillable) return;
      cell.protection = { locked: false };
      cell.fill = solid(FILLS.fill);
      if (c.validation) cell.dataValidation = c.validation;
    });
  }
  // No password: protection keeps slips off the key cells, it is no secret (and a clerk may need to lift it).
  await sheet.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true });

  const help = workbook.addWorksheet('填写说明');
  help.getColumn(1).width = 110;
  instructions(of).forEach((line, i) => {
    const cell = help.getCell(i + 1, 1);
    cell.value = cleanText(line);
    cell.alignment = { wrapText: true, vertical: 'top' };
  });
  help.getCell(1, 1).font = { bold: true, size: 14 };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
