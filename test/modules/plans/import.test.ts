// POST /plans/import: a breakdown table (xlsx, CSV, text) loaded as a plan through the seed's reader.
import t from 'tap';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows, writeFingerprint } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PLAN_TABLES = [
  'plans',
  'chapters',
  'tasks',
  'task_units',
  'measures',
  'measure_owners',
  'milestones',
  'measure_schedules',
  'indicators',
  'indicator_targets',
  'assignments',
  'obligations',
  'plan_revisions',
  'audit_events',
];

const { app, databasePath } = await buildTestAppWithDatabase(t);
const admin = issueKey(databasePath, 'admin');
const coordinator = issueKey(databasePath, 'coordinator');
const reporter = issueKey(databasePath, 'reporter', '市民政局');
const YEARS = 'startYear=2021&endYear=2025&issuer=%E4%BF%A1%E7%94%A8%E4%B8%AD%E5%BF%83&publishedOn=2023-10-08';

function importTable(body: Buffer | string, contentType: string, query: string, headers: Record<string, string> = admin.headers) {
  return app.inject({ method: 'POST', url: `/api/v1/plans/import?${query}`, headers: { ...headers, 'content-type': contentType, 'accept-language': 'en' }, payload: body });
}

async function workbook(table: (string | number)[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('分解表');
  table.forEach((row) => sheet.addRow(row));
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** A plan as the document has it, without ids or source lines: what a round trip must keep. */
function planDocument(planId: number) {
  const tasks = rows<Record<string, unknown> & { id: number }>(
    databasePath,
    `SELECT t.id, t.no, c.title AS chapter, c.position AS chapterPosition, t.title, t.lead_units_text, t.responsible_units_text,
            t.leads_each_own_part, t.deadline_kind, t.deadline_date, t.deadline_text
     FROM tasks t JOIN chapters c ON c.id = t.chapter_id WHERE t.plan_id = ? ORDER BY t.no`,
    planId,
  );
  return tasks.map(({ id, ...task }) => ({
    ...task,
    units: rows(databasePath, 'SELECT u.name, tu.role, tu.position FROM task_units tu JOIN units u ON u.id = tu.unit_id WHERE tu.task_id = ? ORDER BY tu.role, tu.position', id),
    indicators: rows<Record<string, unknown> & { id: number }>(
      databasePath,
      `SELECT i.id, i.key, i.name, i.source_text, i.comparator, i.value, i.unit, i.direction, i.scope, i.combine, i.target_year, m.position AS measurePosition
       FROM indicators i LEFT JOIN measures m ON m.id = i.measure_id WHERE i.task_id = ? ORDER BY i.key`,
      id,
    ).map(({ id: indicatorId, ...indicator }) => ({
      ...indicator,
      targets: rows(databasePath, 'SELECT year, comparator, value, source_text FROM indicator_targets WHERE indicator_id = ? ORDER BY year', indicatorId),
    })),
    measures: rows<Record<string, unknown> & { id: number }>(
      databasePath,
      'SELECT id, position, no, text, targets_text, deadline_kind, deadline_date, deadline_text, owners_named FROM measures WHERE task_id = ? ORDER BY position',
      id,
    ).map(({ id: measureId, ...measure }) => ({
      ...measure,
      owners: rows(databasePath, 'SELECT u.name FROM measure_owners o JOIN units u ON u.id = o.unit_id WHERE o.measure_id = ? ORDER BY o.position', measureId),
      milestones: rows(databasePath, 'SELECT position, kind, year, due_date, text FROM milestones WHERE measure_id = ? ORDER BY position', measureId),
      schedule: rows(databasePath, 'SELECT position, kind, due_date, from_year, until_year, text FROM measure_schedules WHERE measure_id = ? ORDER BY position', measureId),
      assignments: rows(
        databasePath,
        'SELECT u.name, a.origin, (SELECT count(*) FROM obligations o WHERE o.assignment_id = a.id) AS owed FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.measure_id = ? ORDER BY u.name',
        measureId,
      ),
    })),
  }));
}

const seedPlan = planDocument(1);

t.test('round trip: the breakdown export of the seed, imported, is the seed', async (t) => {
  for (const format of ['xlsx', 'csv'] as const) {
    const exported = await app.inject(`/api/v1/exports/breakdown.${format}?year=2024`);
    t.equal(exported.statusCode, 200);
    const body = format === 'xlsx' ? exported.rawPayload : exported.body;
    const res = await importTable(body, format === 'xlsx' ? XLSX : 'text/csv', `code=round-trip-${format}&title=%E7%BB%A5%E5%8C%96&${YEARS}`);
    t.equal(res.statusCode, 200, res.body);
    const report = res.json();
    t.same(report.warnings, [], `${format}: nothing unread`);
    t.match(report.counts, { chapters: 13, tasks: 75, measures: 148, milestones: 171, indicators: 29, assignments: 1447, obligations: 3984 }, `${format}: the seed's counts`);
    const imported = planDocument(report.planId);
    t.same(imported, seedPlan, `${format}: tasks, measures, owners, milestones, schedules, indicators and assignments as the seed's`);
  }
});

t.test('a dry run writes nothing and counts what a real import creates', async (t) => {
  const exported = (await app.inject('/api/v1/exports/breakdown.xlsx')).rawPayload;
  const before = writeFingerprint(databasePath, PLAN_TABLES);
  const dry = await importTable(exported, XLSX, `code=dry-run&title=x&dryRun=true&${YEARS}`);
  t.equal(dry.statusCode, 200, dry.body);
  t.equal(writeFingerprint(databasePath, PLAN_TABLES), before, 'no table changed');
  t.match(dry.json(), { dryRun: true, planId: null, replaced: false, counts: { tasks: 75, assignments: 1447 } });
});

t.test('text form: the seed document imports as the seed; another copy is read without its line corrections', async (t) => {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(new URL('../../../seeds/source/plan-breakdown.txt', import.meta.url), 'utf8');
  const res = await importTable(text, 'text/plain; charset=utf-8', 'code=text-form&startYear=2021&endYear=2025');
  t.equal(res.statusCode, 200, res.body);
  const report = res.json();
  t.match(report.plan, { title: /^绥化市关于贯彻落实/, issuer: '信用中心', publishedOn: '2023-10-08' }, 'title, issuer and date from the page header');
  t.same(report.warnings, []);
  t.same(planDocument(report.planId), seedPlan, 'the seed, read by the same code');

  // One line more at the top: the corrections' line numbers no longer fit, so none is applied and the reader says so.
  const shifted = await importTable(`\n${text}`, 'text/plain', 'code=text-shifted&startYear=2021&endYear=2025&dryRun=true');
  t.match(shifted.json(), { counts: { tasks: 75, measures: 149 }, warnings: [{ line: 95, kind: 'duplicate_number' }] });
});

// A county's own table: a title row, page-break header rows, an unknown unit, a garbled row, a duplicate number, an
// unreadable deadline and an empty measure.
const county = [
  ['北林区社会信用体系建设任务分解表'],
  ['序号', '规划章节', '规划任务', '牵头单位', '责任单位', '具体实施措施', '各年度工作目标', '完成时限'],
  [
    1,
    '政务诚信',
    '公开作出政务诚信承诺',
    '市营商局',
    '各县(市、区)人民政府',
    '1.向社会公开作出政务诚信承诺。(市民政局)',
    '2023年底前承诺率不低于60%,2024年底前实现100%',
    '2024年底前',
  ],
  [1, '政务诚信', '公开作出政务诚信承诺', '市营商局', '各县(市、区)人民政府', '2.定期通报承诺履行情况。(市发展改革局)', '每年通报一次', '2025年底前'],
  ['序号', '规划章节', '规划任务', '牵头单位', '责任单位', '具体实施措施', '各年度工作目标', '完成时限'],
  ['一', '', '', '', '', '乱码行', '', ''],
  [2, '', '推进信用信息归集', '市营商局', '中省市直各有关单位', '归集信用信息。', '2023年起持续推动', '尽快'],
  [2, '', '另一个任务却用了同一个序号', '市民政局', '北林区', '重复的序号。', '', '2025年底前'],
  [3, '', '开展诚信宣传', '市民政局', '北林区', '', '2024年底前完成', '2024年底前'],
];

t.test('a table with problems gets precise warnings, and the rest is imported', async (t) => {
  const res = await importTable(await workbook(county), XLSX, 'code=beilin-2024&issuer=x&publishedOn=2024-03-01&startYear=2021&endYear=2025&dryRun=true');
  t.equal(res.statusCode, 200, res.body);
  const { warnings, counts, plan } = res.json();
  t.equal(plan.title, '北林区社会信用体系建设任务分解表', 'the title row');
  t.match(counts, { chapters: 1, tasks: 3, measures: 3 }, 'tasks 1–3; the page-break header passed over');
  const brief = warnings.map((w: { line: number; column: string; kind: string }) => [w.line, w.column, w.kind]);
  t.same(brief, [
    [4, '具体实施措施', 'unknown_unit'],
    [6, '序号', 'garbled_row'],
    [7, '完成时限', 'unreadable_deadline'],
    [8, '序号', 'duplicate_number'],
    [9, '具体实施措施', 'empty_measure'],
    [9, '具体实施措施', 'empty_measure'],
  ]);
  const unknown = warnings[0];
  t.match(unknown.message, /市发展改革局/);
  t.ok(unknown.suggestions.includes('市发改委'), `市发展改革局 → 市发改委 suggested (${unknown.suggestions})`);
});

t.test('a real import serves, reports and monitors like the seed', async (t) => {
  const table = await workbook(county.filter((row) => row[0] !== '一' && row[2] !== '另一个任务却用了同一个序号'));
  const plansBefore = (await app.inject('/api/v1/plans')).json().total;
  const res = await importTable(table, XLSX, 'code=beilin-real&issuer=%E5%8C%97%E6%9E%97%E5%8C%BA&publishedOn=2023-03-01&startYear=2021&endYear=2025', coordinator.headers);
  t.equal(res.statusCode, 200, res.body);
  const { planId, counts } = res.json();
  t.ok(planId > 1);
  t.ok(counts.assignments > 0 && counts.obligations > 0);
  t.equal((await app.inject('/api/v1/plans')).json().total, plansBefore + 1, 'the kept catalogue answers were dropped');
  const tasks = (await app.inject(`/api/v1/tasks?plan=${planId}`)).json();
  t.equal(tasks.total, 3, 'its tasks listed under ?plan= (task 3 without measures too)');
  const detail = (await app.inject(`/api/v1/tasks/${tasks.items[0].id}`)).json();
  const measure = detail.measures.find((m: { text: string }) => m.text.includes('市民政局'));
  t.ok(measure, '市民政局 owns measure 1');
  const report = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: reporter.headers,
    payload: { measureId: measure.id, period: '2024', status: 'in_progress', narrative: '已公开承诺', submit: true },
  });
  t.equal(report.statusCode, 201, report.body);
  const dashboard = await app.inject(`/api/v1/dashboard?year=2024&plan=${planId}`);
  t.equal(dashboard.statusCode, 200, dashboard.body);
  const revisions = rows(databasePath, "SELECT action, entity, reason FROM plan_revisions WHERE plan_id = ? AND action = 'imported'", planId);
  t.same(revisions, [{ action: 'imported', entity: 'plan', reason: '导入分解表（xlsx）' }], 'recorded as a revision');
  const audit = (await app.inject({ url: `/api/v1/audit-events?action=plan.import`, headers: admin.headers })).json();
  t.ok(
    audit.items.some((e: { entityId: number }) => e.entityId === planId),
    'and in the audit trail',
  );

  t.test('replace rules', async (t) => {
    const again = await importTable(table, XLSX, 'code=beilin-real&issuer=x&publishedOn=2023-03-01&startYear=2021&endYear=2025');
    t.equal(again.statusCode, 409, 'a code already taken');
    const withReports = await importTable(table, XLSX, 'code=beilin-real&issuer=x&publishedOn=2023-03-01&startYear=2021&endYear=2025&replace=true');
    t.equal(withReports.statusCode, 409, 'a plan with reports is not replaced');
    t.match(withReports.json().detail, /1 progress reports/);
    const fresh = await importTable(table, XLSX, 'code=beilin-fresh&issuer=x&publishedOn=2023-03-01&startYear=2021&endYear=2025');
    const freshId = fresh.json().planId;
    const replaced = await importTable(table, XLSX, 'code=beilin-fresh&issuer=y&publishedOn=2023-03-01&startYear=2021&endYear=2025&replace=true');
    t.equal(replaced.statusCode, 200, replaced.body);
    t.match(replaced.json(), { planId: freshId, replaced: true }, 'replaced under the same id');
    t.equal((await app.inject(`/api/v1/tasks?plan=${freshId}`)).json().total, 3, 'its tasks once, not twice');
    t.equal((await app.inject(`/api/v1/plans/${freshId}`)).json().issuer, 'y');
    const [revision] = rows<{ before: string }>(databasePath, "SELECT before FROM plan_revisions WHERE plan_id = ? AND action = 'imported' ORDER BY id DESC LIMIT 1", freshId);
    t.match(JSON.parse(revision!.before), { issuer: 'x', counts: { tasks: 3 } }, 'the revision keeps the plan it replaced');
  });
});

t.test("the contract's examples, and CSV as Excel saves it on Chinese Windows (GBK)", async (t) => {
  const contract = (await app.inject('/openapi.json')).json();
  const operation = contract.paths['/api/v1/plans/import'].post;
  // As tools send them: each parameter's example, the media type's example.
  const parameters = operation.parameters as { name: string; example?: unknown }[];
  const query = Object.fromEntries(parameters.filter((p) => p.example !== undefined).map((p) => [p.name, String(p.example)]));
  for (const type of ['text/csv', 'text/plain']) {
    const example = operation.requestBody.content[type].example as string;
    const res = await importTable(example, `${type}; charset=utf-8`, `${new URLSearchParams(query)}&dryRun=true`);
    t.equal(res.statusCode, 200, res.body);
    t.match(res.json(), { plan: { code: query.code }, counts: { tasks: 1, measures: 1 }, warnings: [] }, `${type}: the example imports cleanly`);
  }
  const csv = county.map((row) => row.map((cell) => `"${String(cell).replace(/"/g, '""')}"`).join(',')).join('\r\n');
  const gbk = await importTable(iconv.encode(csv, 'gbk'), 'text/csv', 'code=beilin-gbk&issuer=x&publishedOn=2024-03-01&startYear=2021&endYear=2025&dryRun=true');
  t.equal(gbk.statusCode, 200, gbk.body);
  t.match(gbk.json(), { plan: { title: '北林区社会信用体系建设任务分解表' }, counts: { tasks: 3, measures: 3 } }, 'decoded, read as the workbook is');
  t.same(
    gbk.json().warnings.map((w: { line: number }) => w.line),
    [4, 6, 7, 8, 9, 9],
    'warnings on CSV lines (one row a line here, as in the workbook)',
  );
});

t.test('refusals', async (t) => {
  const table = await workbook(county.slice(0, 4));
  const query = 'code=refused&issuer=x&publishedOn=2024-03-01&startYear=2021&endYear=2025';
  t.equal((await importTable(table, XLSX, query, reporter.headers)).statusCode, 403, 'a reporter');
  t.equal((await app.inject({ method: 'POST', url: `/api/v1/plans/import?${query}`, headers: { 'content-type': XLSX }, payload: table })).statusCode, 401, 'no key');
  t.equal((await importTable(Buffer.from('not a zip at all'), XLSX, query)).statusCode, 400, 'xlsx that is not a workbook');
  t.equal((await importTable('a,b\n1,2\n', 'text/csv', query)).statusCode, 422, 'a CSV without the table header');
  const missing = await importTable(table.toString('base64'), 'text/csv', 'code=refused&startYear=2021&endYear=2025');
  t.equal(missing.statusCode, 422, 'neither header nor metadata');
  const noIssuer = await importTable(await workbook(county), XLSX, 'code=refused&startYear=2021&endYear=2025');
  t.equal(noIssuer.statusCode, 400);
  t.same(
    noIssuer
      .json()
      .errors.map((e: { field: string }) => e.field)
      .sort(),
    ['/querystring/issuer', '/querystring/publishedOn'],
  );
  t.equal((await importTable(table, XLSX, 'code=refused&issuer=x&publishedOn=2024-03-01&startYear=2025&endYear=2021')).statusCode, 400, 'years backwards');
  t.equal((await importTable(table, XLSX, 'code=bad code&issuer=x&publishedOn=2024-03-01&startYear=2021&endYear=2025')).statusCode, 400, 'a code with a blank');
});
