import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows, writeFingerprint } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t);
const county = issueKey(databasePath, 'reporter', '北林区');
const admin = issueKey(databasePath, 'admin');
// The measures 北林区 owes, as every county does: the ones it may report on.
const measureIds = ((await app.inject(`/api/v1/measures?unit=${encodeURIComponent('北林区')}&limit=500`)).json().items as { id: number }[]).map((m) => m.id);
const PERIODS = [
  ...[2021, 2022, 2023, 2024, 2025].map(String),
  ...[2021, 2022, 2023, 2024, 2025].flatMap((y) => [`${y}-H1`, `${y}-H2`]),
  ...[2021, 2022, 2023, 2024, 2025].flatMap((y) => [1, 2, 3, 4].map((q) => `${y}-Q${q}`)),
  ...[2021, 2022, 2023, 2024, 2025].flatMap((y) => Array.from({ length: 12 }, (_, m) => `${y}-${String(m + 1).padStart(2, '0')}`)),
];
/** `count` rows with distinct measure/period pairs, starting at pair `from`; for another county (an admin's import) when `unit` is given. */
const reportRows = (count: number, from = 0, unit?: string) =>
  Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const row = { measureId: measureIds[n % measureIds.length]!, period: PERIODS[Math.floor(n / measureIds.length) % PERIODS.length]!, status: 'in_progress', narrative: `第${n}行` };
    return unit === undefined ? row : { ...row, unit };
  });

function bulk(body: unknown, query = '', headers: Record<string, string> = {}, key = county) {
  return app.inject({ method: 'POST', url: `/api/v1/reports/bulk${query}`, headers: { ...key.headers, ...headers }, payload: body as string });
}
const reportCount = () => rows<{ n: number }>(databasePath, 'SELECT count(*) AS n FROM progress_reports')[0]!.n;

t.test('a clean file is imported; posting it again changes nothing and says so', async (t) => {
  const file = { reports: reportRows(20) };
  const first = await bulk(file);
  t.equal(first.statusCode, 200);
  t.match(first.json(), { status: 'imported', written: true, counts: { rows: 20, created: 20, updated: 0, unchanged: 0, rejected: 0 }, conflicts: [] });
  t.equal(reportCount(), 20);
  t.ok(first.json().rows.every((r: { reportId: number | null }) => r.reportId !== null));

  const before = writeFingerprint(databasePath);
  const again = await bulk(file);
  t.match(again.json(), { status: 'imported', counts: { created: 0, updated: 0, unchanged: 20 } });
  t.equal(writeFingerprint(databasePath), before, 're-posting wrote nothing');

  const changed = await bulk({ reports: file.reports.map((r, i) => (i < 5 ? { ...r, narrative: `${r.narrative}（更新）` } : r)) });
  t.match(changed.json(), { counts: { created: 0, updated: 5, unchanged: 15 } });
});

t.test('atomic (the default): one bad row and nothing is written; every bad row is named', async (t) => {
  const file = reportRows(6, 100);
  file[2] = { ...file[2]!, period: '2030' };
  (file[4] as Record<string, unknown>).status = 'finished';
  const before = writeFingerprint(databasePath);
  const res = await bulk({ reports: file });
  t.equal(res.statusCode, 422);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json();
  t.match(body, { type: '/problems/import-rejected', status: 422, importSummary: { status: 'rejected', written: false, counts: { rows: 6, rejected: 2 } } });
  t.same(
    body.importSummary.conflicts.map((c: { index: number; field: string }) => [c.index, c.field]),
    [
      [2, '/body/reports/2/period'],
      [4, '/body/reports/4/status'],
    ],
  );
  t.same(body.errors.map((e: { field: string }) => e.field), ['/body/reports/2/period', '/body/reports/4/status']);
  t.ok(body.importSummary.rows.every((r: { reportId: number | null }) => r.reportId === null), 'no id of a report that was rolled back');
  t.equal(writeFingerprint(databasePath), before);
});

t.test('atomic=false keeps the good rows and reports the rest', async (t) => {
  const file: Record<string, unknown>[] = reportRows(5, 200);
  file[1] = { ...file[1], measureId: 999999 };
  file[3] = { ...file[3], extra: 'field' };
  const before = reportCount();
  const res = await bulk({ reports: file }, '?atomic=false');
  t.equal(res.statusCode, 200);
  t.match(res.json(), { status: 'partial', written: true, counts: { created: 3, rejected: 2 } });
  t.same(res.json().conflicts.map((c: { field: string }) => c.field), ['/body/reports/1/measureId', '/body/reports/3/extra']);
  t.equal(reportCount(), before + 3);

  const allBad = await bulk({ reports: [{ measureId: 1 }] }, '?atomic=false');
  t.equal(allBad.statusCode, 422, 'nothing could be written');
});

t.test('dryRun validates and says what would happen, writing nothing', async (t) => {
  const before = writeFingerprint(databasePath);
  const res = await bulk({ reports: [...reportRows(3, 10), ...reportRows(2, 300)] }, '?dryRun=true');
  t.equal(res.statusCode, 200);
  t.match(res.json(), { dryRun: true, written: false, status: 'imported', counts: { unchanged: 3, created: 2 } });
  t.same(res.json().rows.map((r: { outcome: string; reportId: number | null }) => r.reportId === null), [false, false, false, true, true], 'only existing reports have ids');
  const bad = await bulk({ reports: [{ ...reportRows(1, 400)[0], period: '1999' }] }, '?dryRun=true');
  t.equal(bad.statusCode, 422, 'a dry run answers as the import would');
  t.equal(writeFingerprint(databasePath), before);
});

t.test('a row that changes only indicator values is counted as updated', async (t) => {
  const indicator = (await app.inject('/api/v1/indicators?task=1')).json().items[0] as { id: number; taskId: number };
  const measureId = ((await app.inject(`/api/v1/measures?task=${indicator.taskId}`)).json().items[0] as { id: number }).id;
  // Quarters of 2022 are not among the periods reportRows writes.
  const row = (period: string, value: number) => ({ measureId, period, status: 'in_progress', narrative: '指标', indicatorValues: [{ indicatorId: indicator.id, value }] });
  const first = await bulk({ reports: [row('2022-Q3', 80), row('2022-Q4', 80)] });
  t.match(first.json(), { counts: { created: 2 } });
  const again = await bulk({ reports: [row('2022-Q3', 85), row('2022-Q4', 80)] });
  t.match(again.json(), { status: 'imported', counts: { created: 0, updated: 1, unchanged: 1 } });
  t.match(again.json().rows, [{ outcome: 'updated' }, { outcome: 'unchanged' }]);
  const stored = rows<{ value: number }>(databasePath, 'SELECT value FROM report_indicator_values WHERE report_id = ?', again.json().rows[0].reportId);
  t.same(stored, [{ value: 85 }], 'the new value is stored');
});

t.test('the same measure, unit and period twice in one file is a conflict', async (t) => {
  const [row] = reportRows(1, 500);
  const res = await bulk({ reports: [row, { ...row, status: 'completed' }] }, '?atomic=false');
  t.match(res.json(), { counts: { created: 1, rejected: 1 }, conflicts: [{ index: 1, field: '/body/reports/1', message: /与第 0 行的措施、单位和报告期重复/ }] });
});

t.test('CSV: UTF-8 with BOM, evidence and indicator values, conflicts with their line', async (t) => {
  const indicator = (await app.inject('/api/v1/indicators?task=1')).json().items[0] as { id: number; taskId: number };
  const task1Measure = ((await app.inject(`/api/v1/measures?task=${indicator.taskId}`)).json().items[0] as { id: number }).id;
  const csv = [
    'measureId,period,status,narrative,percentComplete,evidence,indicatorValues,submit',
    `${task1Measure},2024,completed,"承诺书已公示,见链接",100,"承诺书 | https://example.gov.cn/c\n公示截图",${indicator.id}=82.5,true`,
    `${task1Measure},2024-13,completed,,,,,`,
    `${task1Measure},2023,in_progress,,half,,,`,
  ].join('\n');
  const res = await bulk(`\uFEFF${csv}`, '?atomic=false', { 'content-type': 'text/csv' });
  t.equal(res.statusCode, 200);
  const summary = res.json();
  t.match(summary, { status: 'partial', counts: { created: 1, rejected: 2 } });
  t.same(summary.conflicts.map((c: { line: number; field: string }) => [c.line, c.field]), [
    [4, '/body/rows/1/period'],
    [5, '/body/rows/2/percentComplete'],
  ]);
  const report = (await app.inject({ url: `/api/v1/reports/${summary.rows[0].reportId}`, headers: county.headers })).json();
  t.match(report, {
    state: 'submitted',
    narrative: '承诺书已公示,见链接',
    percentComplete: 100,
    evidence: [{ title: '承诺书', url: 'https://example.gov.cn/c' }, { title: '公示截图' }],
    indicatorValues: [{ indicatorId: indicator.id, value: 82.5 }],
  });
});

t.test('CSV the import cannot read', async (t) => {
  const before = writeFingerprint(databasePath);
  for (const [name, csv] of [
    ['unknown column', 'measureId,period,status,owner\n1,2024,completed,x'],
    ['missing column', 'measureId,status\n1,completed'],
    ['unclosed quote', 'measureId,period,status,narrative\n1,2024,completed,"oops'],
    ['header only', 'measureId,period,status'],
  ] as const) {
    const res = await bulk(csv, '', { 'content-type': 'text/csv' });
    t.equal(res.statusCode, 400, name);
    t.match(res.headers['content-type'], /problem\+json/, name);
  }
  t.equal(writeFingerprint(databasePath), before);
});

t.test('limits: empty, over 5,000 rows, not an object', async (t) => {
  t.equal((await bulk({ reports: [] })).statusCode, 400);
  const tooMany = await bulk({ reports: reportRows(5001, 1000) });
  t.equal(tooMany.statusCode, 400);
  t.equal(tooMany.json().errors[0].field, '/body/reports');
  const tooManyCsv = await bulk(['measureId,period,status', ...reportRows(5001, 1000).map((r) => `${r.measureId},${r.period},in_progress`)].join('\n'), '', { 'content-type': 'text/csv' });
  t.equal(tooManyCsv.statusCode, 400);
  t.equal((await bulk({ rows: [] })).statusCode, 400);
});

t.test('5,000 rows go through in one request', async (t) => {
  const before = reportCount();
  // More rows than one county has measure/period pairs: an admin's import for two counties the other tests leave alone.
  const res = await bulk({ reports: [...reportRows(2500, 0, '海伦市'), ...reportRows(2500, 0, '安达市')] }, '', {}, admin);
  t.equal(res.statusCode, 200);
  t.match(res.json().counts, { rows: 5000, created: 5000, rejected: 0 });
  t.equal(reportCount(), before + 5000);
  t.equal(rows<{ n: number }>(databasePath, "SELECT count(*) AS n FROM audit_events WHERE action = 'report.create'")[0]!.n, reportCount(), 'every created report is audited');
});

t.test('Idempotency-Key on a bulk import', async (t) => {
  const file = { reports: reportRows(3, 700) };
  const first = await bulk(file, '', { 'idempotency-key': 'bulk-700' });
  const before = writeFingerprint(databasePath);
  const retry = await bulk(file, '', { 'idempotency-key': 'bulk-700' });
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.same(retry.json(), first.json(), 'the first summary again (created, not unchanged)');
  t.equal(writeFingerprint(databasePath), before);
  t.equal((await bulk(file, '?dryRun=true', { 'idempotency-key': 'bulk-700' })).statusCode, 422, 'same key, different request');
});

t.test('re-posting a file whose rows were submitted, or approved, answers every row unchanged', async (t) => {
  const file = { reports: reportRows(4, 800).map((row) => ({ ...row, submit: true })) };
  const first = await bulk(file);
  t.match(first.json(), { status: 'imported', counts: { created: 4 } });
  const coordinator = issueKey(databasePath, 'coordinator');
  const approved = first.json().rows[0].reportId as number;
  t.equal((await app.inject({ method: 'POST', url: `/api/v1/reports/${approved}/approve`, headers: coordinator.headers, payload: {} })).statusCode, 200);
  const before = writeFingerprint(databasePath);
  const again = await bulk(file);
  t.equal(again.statusCode, 200);
  t.match(again.json(), { status: 'imported', counts: { created: 0, updated: 0, unchanged: 4, rejected: 0 } }, 'three under review, one approved');
  t.equal(writeFingerprint(databasePath), before, 'nothing written');
  const changed = await bulk({ reports: [{ ...file.reports[1]!, narrative: '改了' }] });
  t.equal(changed.statusCode, 422);
  t.match(changed.json().errors, [{ message: /已提交待审核，内容与本次不同：请审核人退回后再修改并重新提交/ }], 'other content under review says what to do');
});
