import t from 'tap';
import ExcelJS from 'exceljs';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { writeFingerprint } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { PROGRESS_WORDS } from '../../../src/modules/reports/progress-words.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const { app, databasePath } = await buildTestAppWithDatabase(t);
const county = issueKey(databasePath, 'reporter', '北林区');
const otherCounty = issueKey(databasePath, 'reporter', '海伦市');
const coordinator = issueKey(databasePath, 'coordinator');
const reader = issueKey(databasePath, 'reader');
const unitId = county.unitId!;

const templateUrl = (id: number, period: string) => `/api/v1/units/${id}/report-template.xlsx?period=${period}`;
const download = (id: number, period: string, key: { headers: Record<string, string> } = county) => app.inject({ url: templateUrl(id, period), headers: key.headers });
const upload = (bytes: Buffer | string, query = '', key = county) =>
  app.inject({ method: 'POST', url: `/api/v1/reports/bulk${query}`, headers: { ...key.headers, 'content-type': XLSX }, payload: bytes });

async function workbookOf(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  return workbook;
}
const headerOf = (sheet: ExcelJS.Worksheet) => (sheet.getRow(1).values as unknown[]).slice(1).map(String);
const column = (sheet: ExcelJS.Worksheet, header: string) => headerOf(sheet).indexOf(header) + 1;
const ownReports = async () =>
  (await app.inject({ url: `/api/v1/reports?unit=${unitId}&limit=500`, headers: county.headers })).json().items as {
    measureId: number;
    taskId: number;
    period: string;
    status: string;
    state: string;
    narrative: string;
    percentComplete: number | null;
    evidence: { title: string; url?: string }[];
    indicatorValues: { indicatorId: number; value: number }[];
  }[];

const template = await download(unitId, '2024-Q3');

t.test('a unit’s template: its obligations for the period, key columns locked, fill columns unlocked with dropdowns', async (t) => {
  t.equal(template.statusCode, 200);
  t.equal(template.headers['content-type'], XLSX);
  t.match(template.headers['content-disposition'], /^attachment; filename="report-template-\d+-2024-Q3\.xlsx"; filename\*=UTF-8''/);
  const workbook = await workbookOf(template.rawPayload);
  const sheet = workbook.getWorksheet('进展报告')!;
  t.ok(workbook.getWorksheet('填写说明'), 'a sheet says how to fill it in');
  t.same(headerOf(sheet), ['序号', '措施序号', '单位', '报告期', '具体实施措施', '工作目标', '完成时限', '指标', '状态', '完成百分比', '进展情况', '佐证材料', '指标值', '提交']);
  t.match(sheet.views[0], { state: 'frozen', ySplit: 1 }, 'header row frozen');

  // One row per obligation 北林区 owes that a 2024-Q3 report answers, or that falls due in the quarter.
  const owed = (await app.inject(`/api/v1/obligations?unit=${unitId}&year=2024&limit=500`)).json().items as {
    measure: { id: number };
    period: string;
    periodStart: string;
    periodEnd: string;
    dueDate: string;
  }[];
  const expected = new Set(
    owed
      .filter((o) => (o.periodStart <= '2024-07-01' && o.periodEnd >= '2024-09-30') || (o.dueDate >= '2024-07-01' && o.dueDate <= '2024-09-30'))
      .map((o) => o.measure.id),
  );
  t.equal(sheet.rowCount - 1, expected.size, 'one row per measure owed for the quarter');
  t.ok(sheet.rowCount > 10);
  const row2 = sheet.getRow(2);
  t.equal(row2.getCell(3).value, '北林区人民政府');
  t.equal(row2.getCell(4).value, '2024-Q3');

  const sheetWithProtection = sheet as ExcelJS.Worksheet & { sheetProtection?: { sheet?: boolean } };
  t.equal(sheetWithProtection.sheetProtection?.sheet, true, 'sheet protection is on');
  for (const header of ['序号', '措施序号', '单位', '报告期', '具体实施措施', '工作目标']) {
    t.not(row2.getCell(column(sheet, header)).protection?.locked, false, `${header} is locked`);
  }
  for (const header of ['状态', '完成百分比', '进展情况', '佐证材料', '提交']) {
    t.equal(row2.getCell(column(sheet, header)).protection?.locked, false, `${header} is open to fill`);
  }
  const status = row2.getCell(column(sheet, '状态')).dataValidation;
  t.equal(status.type, 'list');
  t.equal(status.formulae[0], `"${Object.values(PROGRESS_WORDS).join(',')}"`, 'the status dropdown offers the Chinese words the exports print');
  t.match(row2.getCell(column(sheet, '完成百分比')).dataValidation, { type: 'whole', operator: 'between', formulae: [0, 100] });
  t.match(row2.getCell(column(sheet, '提交')).dataValidation, { type: 'list', formulae: ['"是,否"'] });
  t.equal(sheet.getColumn(column(sheet, '进展情况')).width, 48);
  t.equal(row2.getCell(column(sheet, '具体实施措施')).alignment?.wrapText, true);
});

t.test('filled by a script and uploaded: exactly the filled rows become reports; again, nothing changes', async (t) => {
  const workbook = await workbookOf(template.rawPayload);
  const sheet = workbook.getWorksheet('进展报告')!;
  const at = (header: string) => column(sheet, header);
  // Task 1's measure carries an indicator (政务诚信承诺率): its row gets a value; two more rows filled, the rest left blank.
  const indicatorRow = [...Array(sheet.rowCount - 1).keys()].map((i) => i + 2).find((r) => String(sheet.getRow(r).getCell(at('指标')).value ?? '') !== '')!;
  const indicatorId = Number(/^(\d+)=/.exec(String(sheet.getRow(indicatorRow).getCell(at('指标')).value))![1]);
  const filled = [indicatorRow, indicatorRow + 2, indicatorRow + 4];
  const fill = (r: number, cells: Record<string, string | number>) => Object.entries(cells).forEach(([header, value]) => (sheet.getRow(r).getCell(at(header)).value = value));
  fill(filled[0]!, { 状态: '推进中', 完成百分比: 60, 进展情况: '第三季度已公示承诺书', 佐证材料: '承诺书 | https://example.gov.cn/c\n公示截图', 指标值: `${indicatorId}=82.5`, 提交: '是' });
  fill(filled[1]!, { 状态: '已完成', 完成百分比: 100, 进展情况: '已完成' });
  fill(filled[2]!, { 状态: '滞后', 进展情况: '人员不足', 提交: '否' });
  const keysOf = (r: number) => ({ taskNo: Number(sheet.getRow(r).getCell(1).value), measureNo: Number(sheet.getRow(r).getCell(2).value) });
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer());

  t.same(await ownReports(), [], 'no reports before');
  const res = await upload(bytes);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { status: 'imported', counts: { rows: 3, created: 3, rejected: 0 } });
  t.same(
    res.json().rows.map((r: { line: number }) => r.line),
    filled,
    'each row named by its sheet row',
  );

  const reports = await ownReports();
  t.equal(reports.length, 3, 'exactly the filled rows');
  const measures = await Promise.all(reports.map(async (r) => (await app.inject(`/api/v1/measures/${r.measureId}`)).json() as { taskNo: number; no: number | null; position: number }));
  t.same(
    measures.map((m) => ({ taskNo: m.taskNo, measureNo: m.no ?? m.position })).sort((a, b) => a.taskNo - b.taskNo || a.measureNo - b.measureNo),
    filled.map(keysOf).sort((a, b) => a.taskNo - b.taskNo || a.measureNo - b.measureNo),
    'each report on the measure its row names by printed numbers',
  );
  const first = reports.find((r) => r.narrative === '第三季度已公示承诺书')!;
  t.match(first, {
    period: '2024-Q3',
    status: 'in_progress',
    state: 'submitted',
    percentComplete: 60,
    evidence: [{ title: '承诺书', url: 'https://example.gov.cn/c' }, { title: '公示截图' }],
    indicatorValues: [{ indicatorId, value: 82.5 }],
  });
  t.match(reports.find((r) => r.narrative === '已完成'), { status: 'completed', state: 'draft', percentComplete: 100 });
  t.match(reports.find((r) => r.narrative === '人员不足'), { status: 'delayed', state: 'draft', percentComplete: null });

  const before = writeFingerprint(databasePath);
  const again = await upload(bytes);
  t.match(again.json(), { status: 'imported', counts: { rows: 3, unchanged: 3 } }, 'uploading it again changes nothing');
  t.equal(writeFingerprint(databasePath), before);
});

t.test('a rejected row is named by its sheet row; a template filled with nothing has no rows', async (t) => {
  const workbook = await workbookOf(template.rawPayload);
  const sheet = workbook.getWorksheet('进展报告')!;
  t.equal((await upload(Buffer.from(await workbook.xlsx.writeBuffer()))).statusCode, 400, 'nothing filled in');
  sheet.getRow(5).getCell(column(sheet, '状态')).value = '推进中';
  sheet.getRow(5).getCell(column(sheet, '完成百分比')).value = 150;
  sheet.getRow(6).getCell(column(sheet, '状态')).value = '进行中';
  sheet.getRow(7).getCell(column(sheet, '报告期')).value = '2024-Q4';
  sheet.getRow(7).getCell(column(sheet, '进展情况')).value = '报告期改了，状态忘了填';
  const res = await upload(Buffer.from(await workbook.xlsx.writeBuffer()), '?dryRun=true');
  t.equal(res.statusCode, 422);
  t.same(
    res.json().importSummary.conflicts.map((c: { line: number; field: string }) => [c.line, c.field]),
    [
      [5, '/body/rows/0/percentComplete'],
      [6, '/body/rows/1/status'],
      [7, '/body/rows/2/status'],
    ],
  );
});

t.test('who may download a template', async (t) => {
  t.equal((await download(unitId, '2024', otherCounty)).statusCode, 403, 'a reporter of another unit');
  t.match((await download(unitId, '2024', otherCounty)).json(), { status: 403 });
  t.equal((await download(unitId, '2024', reader)).statusCode, 403, 'a reader');
  t.equal((await app.inject(templateUrl(unitId, '2024'))).statusCode, 401, 'no key');
  t.equal((await download(unitId, '2024', coordinator)).statusCode, 200, 'a coordinator');
  const collective = (await app.inject(`/api/v1/units?kind=collective`)).json().items[0] as { id: number };
  const refused = await download(collective.id, '2024', coordinator);
  t.equal(refused.statusCode, 422, 'a collective: its members report');
  t.match(refused.json().errors, [{ field: '/params/id' }]);
  t.equal((await download(99999, '2024', coordinator)).statusCode, 404);
  for (const period of ['2024-Q5', '2030', 'Q3']) t.equal((await download(unitId, period)).statusCode, 400, period);
});

t.test('a year’s template asks for each quarter due in it by its own period', async (t) => {
  const sheet = (await workbookOf((await download(unitId, '2024')).rawPayload)).getWorksheet('进展报告')!;
  const periods = [...Array(sheet.rowCount - 1).keys()].map((i) => String(sheet.getRow(i + 2).getCell(4).value));
  t.ok(periods.includes('2024'));
  t.same(
    periods.filter((p) => p !== '2024'),
    ['2024-Q1', '2024-Q2', '2024-Q3', '2024-Q4'],
  );
});
