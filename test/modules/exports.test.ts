import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { csvField, toCsv } from '../../src/modules/exports/csv.js';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { readClient } from '../helpers/http.js';
import { issueKey } from '../helpers/keys.js';
import { seed, seedTask } from '../helpers/seed.js';

const clock = new Date('2024-07-15T02:00:00Z');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock });
const { get, all } = readClient(app);
const bureau = issueKey(databasePath, 'reporter', '市营商环境局');
const civil = issueKey(databasePath, 'reporter', '市民政局');
const coordinator = issueKey(databasePath, 'coordinator');

const HEADERS = [
  '序号',
  '规划章节',
  '规划任务',
  '牵头单位',
  '责任单位',
  '具体实施措施和可用来检查的工作成果',
  '各年度工作目标',
  '完成时限',
  '状态',
  '亮灯',
  '最新报告',
  '指标达成',
];
const FOLLOW_UP_HEADERS = ['类型', '事项', '序号', '责任单位', '起始日期', '持续天数', '链接'];
const MEASURES = seed.plan.tasks.reduce((n, task) => n + task.measures.length, 0);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Measure {
  id: number;
  taskId: number;
  taskNo: number;
  no: number | null;
}
const indicator = (await get<{ items: { id: number; measureId: number; key: string }[] }>('/api/v1/indicators?task=1')).items.find(
  (i) => i.key === 'gov-integrity-commitment-rate',
)!;
const civilMeasure = (await all<Measure>('/api/v1/measures?unit=市民政局')).find((m) => m.taskNo === 4 && m.no === 1)!;

async function report(key: typeof bureau, body: Record<string, unknown>, review: 'approve' | 'return') {
  const posted = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: key.headers, payload: { ...body, submit: true } });
  if (posted.statusCode !== 201) throw new Error(posted.body);
  const reviewed = await app.inject({
    method: 'POST',
    url: `/api/v1/reports/${posted.json().id}/${review}`,
    headers: coordinator.headers,
    payload: review === 'return' ? { note: '数据待核实' } : {},
  });
  if (reviewed.statusCode !== 200) throw new Error(reviewed.body);
}

// Task 1 measure 1 completed, with its indicator at 82.5% against the 2024 target ≥80%; the narrative carries an
// ASCII quote and comma (CSV quoting) and a line break (flattened in the 最新报告 cell).
const narrative = '已公示"政务诚信承诺"书, 共 42 份\n详见台账';
await report(
  bureau,
  { measureId: indicator.measureId, period: '2024-Q2', status: 'completed', narrative, indicatorValues: [{ indicatorId: indicator.id, value: 82.5 }] },
  'approve',
);
await report(civil, { measureId: civilMeasure.id, period: '2024-Q2', status: 'in_progress', narrative: '已甄别重错码 12 条' }, 'approve');
await report(civil, { measureId: civilMeasure.id, period: '2024-Q1', status: 'in_progress', narrative: '一季度情况' }, 'return');

async function workbook(url: string) {
  const res = await app.inject(url);
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
  const sheet = book.worksheets[0]!;
  const rows: (string | number)[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    rows.push(
      Array.from({ length: sheet.columnCount }, (_, i) => {
        const cell = row.getCell(i + 1);
        // A link cell's value is { text, hyperlink }: compared by the text it shows.
        return typeof cell.value === 'number' ? cell.value : cell.text;
      }),
    );
  });
  return { res, book, sheet, rows };
}

async function csv(url: string) {
  const res = await app.inject(url);
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  // record_delimiter CRLF only: a bare LF between records would merge two rows and break the comparisons below.
  const rows = parse(res.body, { bom: true, record_delimiter: '\r\n', relax_column_count: false }) as string[][];
  return { res, rows };
}

/** xlsx rows with every cell as text, the way CSV carries them. */
const asText = (rows: (string | number)[][]) => rows.map((row) => row.map(String));

const measureText = (m: { no: number | null; text: string }) => (m.no === null ? m.text : `${m.no}.${m.text}`);

t.test('breakdown.xlsx: the document’s columns, one row per measure in document order, frozen bold header', async (t) => {
  const { res, book, sheet, rows } = await workbook('/api/v1/exports/breakdown.xlsx?year=2024');
  t.equal(res.headers['content-type'], XLSX);
  t.equal(res.headers['content-disposition'], `attachment; filename="breakdown-2024.xlsx"; filename*=UTF-8''${encodeURIComponent('2024年任务责任分工和实施措施分解表')}.xlsx`);
  t.equal(res.rawPayload.subarray(0, 2).toString('latin1'), 'PK', 'a zip container, sent as is (no JSON serialization)');
  t.equal(book.worksheets.length, 1);

  t.same(rows[0], HEADERS, 'headers in the document’s order');
  t.equal(rows.length - 1, MEASURES, 'one row per measure');
  const expected = seed.plan.tasks.flatMap((task) => task.measures.map((m) => [task.no, measureText(m)]));
  t.same(
    rows.slice(1).map((r) => [r[0], r[5]]),
    expected,
    'document order, measure texts with their printed number',
  );

  const task4 = seedTask(4);
  const second = rows.find((r) => r[0] === 4 && String(r[5]).startsWith('2.'))!;
  t.same(
    second.slice(0, 8),
    [
      4,
      task4.chapter,
      task4.title,
      task4.leadUnitsText,
      task4.responsibleUnitsText,
      `2.${task4.measures[1]!.text}`,
      task4.measures[1]!.targetsText,
      task4.measures[1]!.deadline!.text,
    ],
    'task 4 measure 2 as printed',
  );
  const unnumbered = seed.plan.tasks.find((task) => task.measures.some((m) => m.no === null))!;
  t.ok(
    rows.some((r) => r[0] === unnumbered.no && r[5] === unnumbered.measures.find((m) => m.no === null)!.text),
    'an unnumbered measure has no prefix',
  );

  // Task 1's measure is owed by every responsible unit: one of them completing 2024 is 1 of n.
  const owing = (await get<{ total: number }>(`/api/v1/assignments?measure=${indicator.measureId}&limit=1`)).total;
  t.ok(owing > 10);
  const task1 = rows.find((r) => r[0] === 1)!;
  t.equal(task1[8], `按计划推进 1/${owing}`, 'one unit’s approved completed report does not complete the measure for the others');
  t.equal(task1[9], '绿灯', 'due at the year’s end, more than 30 days away');
  t.equal(task1[10], '2024-Q2 市营商环境局 已完成:已公示"政务诚信承诺"书, 共 42 份 详见台账');
  t.equal(task1[11], '政务诚信承诺率 82.5% (≥80%) 已达标', 'the city’s figure, reported by the lead');
  const civilRow = rows[rows.findIndex((r) => r[0] === 4 && String(r[5]).startsWith('1.'))]!;
  t.equal(civilRow[8], '本年无义务', 'its one-off falls due in 2025');
  t.equal(civilRow[10], '2024-Q2 市民政局 推进中:已甄别重错码 12 条', 'the returned 2024-Q1 report does not count');
  t.match(String(rows.find((r) => r[0] === 2)![8]), /^未报告 0\/\d+$/);
  const overdueRow = rows.find((r) => String(r[8]).startsWith('逾期'))!;
  t.ok(overdueRow, 'obligations of 2024 passed without completion are overdue');
  t.equal(overdueRow[9], '红灯');

  t.match(sheet.views[0], { state: 'frozen', ySplit: 1 }, 'header row frozen');
  t.ok(sheet.autoFilter, 'autofilter on the header');
  t.equal(sheet.getRow(1).getCell(1).font?.bold, true, 'bold header');
  t.ok(sheet.getColumn(6).width! >= 30, 'the measure column is among the widest');
  const task1Row = sheet.getRow(rows.indexOf(task1) + 1);
  t.equal(task1Row.getCell(6).alignment?.wrapText, true, 'long text wraps');
  const fill = (cell: ExcelJS.Cell) => (cell.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;
  t.equal(fill(task1Row.getCell(9)), 'FFC6EFCE', 'a green light colours the status green');
  t.equal(fill(task1Row.getCell(10)), 'FFC6EFCE', '…and the light cell');
  t.equal(fill(task1Row.getCell(12)), 'FFC6EFCE', 'met is green');
  t.equal(fill(sheet.getRow(rows.indexOf(overdueRow) + 1).getCell(10)), 'FFFFC7CE', 'red is red');
  t.equal(fill(sheet.getRow(rows.indexOf(civilRow) + 1).getCell(9)), undefined, 'nothing due: no colour');
});

t.test('breakdown.csv: BOM, CRLF, the same rows as the workbook, RFC 4180 quoting', async (t) => {
  const { res, rows } = await csv('/api/v1/exports/breakdown.csv?year=2024');
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.match(res.headers['content-disposition'], /^attachment; filename="breakdown-2024\.csv"; filename\*=UTF-8''/);
  t.equal(res.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 byte-order mark');
  t.ok(res.body.startsWith(`\uFEFF${HEADERS.join(',')}\r\n`), 'header line ends with CRLF');
  t.ok(res.body.endsWith('\r\n'));
  t.same(rows[0], HEADERS);
  t.same(rows, asText((await workbook('/api/v1/exports/breakdown.xlsx?year=2024')).rows), 'the same cells as the workbook');

  t.ok(res.body.includes('"2024-Q2 市营商环境局 已完成:已公示""政务诚信承诺""书, 共 42 份 详见台账"'), 'quotes doubled, the field quoted');
  const multiline = seed.plan.tasks.flatMap((task) => task.measures).find((m) => m.targetsText.includes('\n'))!;
  t.ok(
    rows.some((r) => r[6] === multiline.targetsText),
    'a cell with a line break survives the round trip',
  );
  t.ok(res.body.includes(`"${multiline.targetsText}"`), '…quoted');
  t.notOk(/[^\r]\n(?=\d+,)/.test(res.body), 'no record ends with a bare LF');
});

t.test('CSV writer: RFC 4180 quoting and the formula-injection guard', async (t) => {
  t.equal(csvField('plain 文本'), 'plain 文本');
  t.equal(csvField('a,b'), '"a,b"');
  t.equal(csvField('say "hi"'), '"say ""hi"""');
  t.equal(csvField('two\nlines'), '"two\nlines"');
  t.equal(csvField('cr\rhere'), '"cr\rhere"');
  t.equal(csvField(null), '');
  t.equal(csvField(-3), '-3', 'numbers are numbers, not formulas');
  for (const attack of ['=HYPERLINK("http://x","点我")', '+1+1', '-2+3', '@SUM(A1)', '\t=1']) {
    const field = csvField(attack);
    const parsed = (parse(toCsv(['h'], [[attack]]), { bom: true, from_line: 2 }) as string[][])[0]?.[0];
    t.equal(parsed, `'${attack}`, `${JSON.stringify(attack)} is neutralised`);
    t.ok(field.startsWith("'") || field.startsWith(`"'`));
  }
  t.equal(toCsv(['a', 'b'], [[1, 'x,y']]), '\uFEFFa,b\r\n1,"x,y"\r\n');
});

t.test('filters select the tasks /tasks selects; every measure of them is exported', async (t) => {
  const chapters = await get<{ items: { id: number; title: string }[] }>('/api/v1/chapters');
  const chapter = chapters.items[1]!;
  for (const query of [
    'unit=%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80&role=lead',
    `chapter=${chapter.id}`,
    `unit=${encodeURIComponent('市税务局')}&role=owner`,
    'deadlineYear=2023',
    'q=%E5%8F%8C%E5%85%AC%E7%A4%BA',
  ]) {
    const tasks = await all<{ no: number; measureCount: number }>(`/api/v1/tasks?${query}`);
    t.ok(tasks.length > 0 && tasks.length < 75, `${query} narrows`);
    const { rows } = await csv(`/api/v1/exports/breakdown.csv?year=2024&${query}`);
    t.equal(
      rows.length - 1,
      tasks.reduce((n, task) => n + task.measureCount, 0),
      `${query}: the measures of those tasks`,
    );
    t.same(
      [...new Set(rows.slice(1).map((r) => Number(r[0])))],
      tasks.map((task) => task.no),
      `${query}: the same tasks`,
    );
  }
  const { rows } = await workbook(`/api/v1/exports/breakdown.xlsx?chapter=${chapter.id}`);
  t.ok(
    rows.slice(1).every((r) => r[1] === chapter.title),
    'the xlsx honours the filters too',
  );
});

t.test('asOf and year: the picture as it stood, the year defaulting to asOf’s', async (t) => {
  const before = await csv(`/api/v1/exports/breakdown.csv?asOf=${encodeURIComponent('2024-07-01T00:00:00+08:00')}`);
  t.match(before.res.headers['content-disposition'], /breakdown-2024\.csv/, 'year of asOf');
  const task1 = before.rows.find((r) => r[0] === '1')!;
  t.match([task1[8], task1[10], task1[11]], [/^未报告 0\/\d+$/, '', '政务诚信承诺率 — (≥80%) 无数据'], 'nothing approved yet');
  const later = await app.inject(`/api/v1/exports/breakdown.csv?asOf=${encodeURIComponent('2031-03-01T00:00:00+08:00')}`);
  t.match(later.headers['content-disposition'], /breakdown-2025\.csv/, 'kept within the plan’s years');
  const past = await csv('/api/v1/exports/breakdown.csv?year=2023');
  t.equal(past.rows.find((r) => r[0] === '1')![10], '', 'a 2024 report is not the latest report for 2023');
});

t.test('follow-ups: the service’s rows with Chinese headers and kinds', async (t) => {
  const kinds: Record<string, string> = {
    overdue_obligation: '逾期未完成',
    returned_report: '退回未重报',
    indicator_not_met: '指标未达标',
    unacknowledged: '逾期未签收',
    due_soon: '临近到期',
    indicator_at_risk: '指标有风险',
  };
  type FollowUp = { kind: string; title: string; taskNo: number | null; units: { name: string }[]; since: string; daysOutstanding: number; link: string };
  // The export holds the rows GET /follow-ups lists, every page of them.
  const expectedRows = async (query = '') =>
    (await all<FollowUp>(`/api/v1/follow-ups?${query}`)).map((f) =>
      // The export's links are absolute, on the host the request came to (inject's default: localhost:80).
      [kinds[f.kind], f.title, f.taskNo ?? '', f.units.map((u) => u.name).join('、'), f.since, f.daysOutstanding, `http://localhost:80${f.link}`].map(String),
    );

  const everything = await expectedRows();
  t.ok(
    everything.some((r) => r[0] === '退回未重报'),
    'the returned report is there',
  );
  t.ok(
    everything.some((r) => r[0] === '逾期未签收'),
    'the unsigned assignments are there',
  );
  const book = await workbook('/api/v1/exports/follow-ups.xlsx');
  t.equal(book.res.headers['content-disposition'], `attachment; filename="follow-ups-2024-07-15.xlsx"; filename*=UTF-8''${encodeURIComponent('督办事项-2024-07-15')}.xlsx`);
  t.same(book.rows[0], FOLLOW_UP_HEADERS);
  t.same(asText(book.rows.slice(1)), everything, 'xlsx rows = the follow-ups, worst first');
  t.match(book.sheet.views[0], { state: 'frozen', ySplit: 1 });
  const text = await csv('/api/v1/exports/follow-ups.csv');
  t.same(text.rows, [FOLLOW_UP_HEADERS, ...everything], 'csv rows too');

  const civilUnit = '%E5%B8%82%E6%B0%91%E6%94%BF%E5%B1%80';
  const mine = await csv(`/api/v1/exports/follow-ups.csv?unit=${civilUnit}`);
  t.same(mine.rows.slice(1), await expectedRows(`unit=${civilUnit}`), 'unit filter');
  t.ok(mine.rows.length > 1 && mine.rows.length < text.rows.length);
  const asOf = encodeURIComponent('2023-12-01T00:00:00+08:00');
  const past = await csv(`/api/v1/exports/follow-ups.csv?asOf=${asOf}`);
  t.same(past.rows.slice(1), await expectedRows(`asOf=${asOf}`), 'asOf is passed on');
  t.ok(past.rows.length < text.rows.length);
});

t.test('bad queries are 400 problem+json; an unknown plan is 404', async (t) => {
  const cases: [string, string][] = [
    ['/api/v1/exports/breakdown.xlsx?unit=%E4%B8%8D%E5%AD%98%E5%9C%A8', '/querystring/unit'],
    ['/api/v1/exports/breakdown.csv?role=lead', '/querystring/role'],
    ['/api/v1/exports/breakdown.csv?year=2030', '/querystring/year'],
    ['/api/v1/exports/breakdown.csv?year=twenty', '/querystring/year'],
    ['/api/v1/exports/breakdown.xlsx?asOf=yesterday', '/querystring/asOf'],
    ['/api/v1/exports/breakdown.csv?limit=10', '/querystring/limit'],
    ['/api/v1/exports/follow-ups.csv?unit=%E4%B8%8D%E5%AD%98%E5%9C%A8', '/querystring/unit'],
    ['/api/v1/exports/follow-ups.xlsx?year=2024', '/querystring/year'],
  ];
  for (const [url, field] of cases) {
    const res = await app.inject(url);
    t.equal(res.statusCode, 400, url);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.json(), { status: 400, errors: [{ field }] }, url);
    t.notOk(res.headers['content-disposition'], 'no attachment on an error');
  }
  const missing = await app.inject('/api/v1/exports/breakdown.xlsx?plan=999');
  t.equal(missing.statusCode, 404);
  t.match(missing.json(), { type: '/problems/not-found' });
});

t.test('breakdown by assignment: one row per unit owing a measure, with its sign-for, obligations, state and light', async (t) => {
  const { res, rows } = await csv('/api/v1/exports/breakdown.csv?year=2024&by=assignment');
  t.match(res.headers['content-disposition'], /^attachment; filename="assignments-2024\.csv"/);
  t.same(rows[0], ['序号', '规划任务', '具体实施措施', '责任单位', '签收', '本年义务', '状态', '亮灯', '办结']);
  const assignments = await all<{ measure: { taskNo: number }; unit: { name: string } }>('/api/v1/assignments');
  t.equal(rows.length - 1, assignments.length, 'one row per standing assignment');
  const bureauRow = rows.find((r) => r[0] === '1' && r[3] === '市营商环境局')!;
  t.match(bureauRow, ['1', seedTask(1).title, /^鼓励各级政府/, '市营商环境局', '未签收', '2024（2024-12-31）已完成', '已完成', '绿灯', '']);
  const countyRow = rows.find((r) => r[0] === '1' && r[3] === '北林区人民政府')!;
  t.match(countyRow.slice(5, 8), ['2024（2024-12-31）待办', '办理中', '绿灯'], 'the county has not done its share');
  const book = await workbook('/api/v1/exports/breakdown.xlsx?year=2024&by=assignment&unit=%E5%8C%97%E6%9E%97%E5%8C%BA');
  const owed = await all<{ id: number }>(`/api/v1/assignments?unit=${encodeURIComponent('北林区')}`);
  t.equal(book.rows.length - 1, owed.length, 'a unit’s list is its own rows');
  t.ok(book.rows.slice(1).every((r) => r[3] === '北林区人民政府'));
  const counties = await csv(`/api/v1/exports/breakdown.csv?year=2024&by=assignment&unit=${encodeURIComponent('各县(市、区)人民政府')}`);
  t.equal(counties.rows.length - 1, 10 * owed.length, 'a collective’s list is its members’ rows: the ten counties owe the same measures');
  t.ok(counties.rows.slice(1).every((r) => r[3]!.endsWith('人民政府')));
  t.equal((await app.inject('/api/v1/exports/breakdown.csv?by=unit')).statusCode, 400);
});
