import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows, writeFingerprint } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t);
const reporter = issueKey(databasePath, 'reporter', '市民政局');
const coordinator = issueKey(databasePath, 'coordinator');
const admin = issueKey(databasePath, 'admin');

interface Report {
  id: number;
  state: string;
  status: string;
  narrative: string;
  version: number;
  etag: string;
  evidence: { title: string; url?: string }[];
  indicatorValues: { indicatorId: number; value: number }[];
  percentComplete: number | null;
  unit: { name: string };
  supersededById: number | null;
}

const measures = (await app.inject('/api/v1/measures?unit=市民政局&limit=500')).json().items as { id: number; taskId: number; taskNo: number }[];
const task4Measure = measures.find((m) => m.taskNo === 4)!;
const indicators = (await app.inject(`/api/v1/indicators?task=${task4Measure.taskId}`)).json().items as { id: number }[];
const otherTaskIndicator = (await app.inject('/api/v1/indicators?task=1')).json().items[0] as { id: number };

let periodCounter = 0;
/** A fresh quarter for each test, so tests do not meet each other's reports. */
const freshPeriod = () => `${2022 + Math.floor(periodCounter / 4)}-Q${(periodCounter++ % 4) + 1}`;

function post(body: Record<string, unknown>, headers: Record<string, string> = {}, key = reporter) {
  return app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...key.headers, ...headers }, payload: body });
}

t.test('a draft is created, updated in place, submitted, returned, resubmitted and approved', async (t) => {
  const period = freshPeriod();
  const created = await post({ measureId: task4Measure.id, period, status: 'in_progress', narrative: '已开展甄别', evidence: [{ title: '甄别台账', url: 'https://example.gov.cn/a' }] });
  t.equal(created.statusCode, 201);
  t.equal(created.headers['x-report-outcome'], 'created');
  const draft = created.json() as Report;
  t.equal(created.headers.location, `/api/v1/reports/${draft.id}`);
  t.equal(created.headers.etag, draft.etag);
  t.match(draft, { state: 'draft', status: 'in_progress', version: 1, unit: { name: '市民政局' } });

  const again = await post({ measureId: task4Measure.id, period, status: 'in_progress', narrative: '已完成甄别 80%', percentComplete: 80 });
  t.equal(again.statusCode, 200, 'the same measure, unit and period updates the open draft');
  t.equal(again.headers['x-report-outcome'], 'updated');
  t.match(again.json(), { id: draft.id, version: 2, narrative: '已完成甄别 80%', percentComplete: 80, evidence: [] });
  t.equal(rows(databasePath, 'SELECT id FROM progress_reports WHERE measure_id = ? AND period = ?', task4Measure.id, period).length, 1, 'no twin');

  const submitted = await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/submit`, headers: reporter.headers });
  t.equal(submitted.json().state, 'submitted');
  const whileSubmitted = await post({ measureId: task4Measure.id, period, status: 'completed' });
  t.equal(whileSubmitted.statusCode, 409, 'a report awaiting review cannot change');
  const retried = await post({ measureId: task4Measure.id, period, status: 'in_progress', narrative: '已完成甄别 80%', percentComplete: 80, submit: true });
  t.equal(retried.statusCode, 200, 'the same content posted again while under review');
  t.equal(retried.headers['x-report-outcome'], 'unchanged');
  t.match(retried.json(), { id: draft.id, state: 'submitted' });

  const returned = await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/return`, headers: coordinator.headers, payload: { note: '请补充台账' } });
  t.match(returned.json(), { state: 'returned', reviewNote: '请补充台账' });
  const fixed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/reports/${draft.id}`,
    headers: { ...reporter.headers, 'if-match': returned.json().etag },
    payload: { evidence: [{ title: '补充台账', url: 'https://example.gov.cn/b' }] },
  });
  t.equal(fixed.statusCode, 200);
  t.match(fixed.json(), { state: 'returned', narrative: '已完成甄别 80%', evidence: [{ title: '补充台账' }] }, 'PATCH keeps the fields left out');
  await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/submit`, headers: reporter.headers });
  const approved = await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/approve`, headers: coordinator.headers });
  t.equal(approved.statusCode, 200);
  t.match(approved.json(), { state: 'approved', reviewNote: null });

  const history = (await app.inject({ url: `/api/v1/reports/${draft.id}/history`, headers: reporter.headers })).json().items as { action: string }[];
  t.same(history.map((e) => e.action), ['created', 'updated', 'submitted', 'returned', 'updated', 'submitted', 'approved']);

  const patchApproved = await app.inject({ method: 'PATCH', url: `/api/v1/reports/${draft.id}`, headers: { ...reporter.headers, 'if-match': approved.json().etag }, payload: { status: 'completed' } });
  t.equal(patchApproved.statusCode, 409, 'an approved report is never edited in place');
});

t.test('a newer approval supersedes the older one; history is kept', async (t) => {
  const period = freshPeriod();
  const first = (await post({ measureId: task4Measure.id, period, status: 'in_progress', submit: true })).json() as Report;
  t.equal(first.state, 'submitted', 'submit: true submits at once');
  await app.inject({ method: 'POST', url: `/api/v1/reports/${first.id}/approve`, headers: coordinator.headers, payload: { note: '通过' } });

  const same = await post({ measureId: task4Measure.id, period, status: 'in_progress' });
  t.equal(same.statusCode, 200);
  t.equal(same.headers['x-report-outcome'], 'unchanged', 'posting the approved content again changes nothing');
  t.equal(same.json().id, first.id);

  const second = (await post({ measureId: task4Measure.id, period, status: 'completed', submit: true })).json() as Report;
  t.not(second.id, first.id, 'a new report for the same key');
  await app.inject({ method: 'POST', url: `/api/v1/reports/${second.id}/approve`, headers: coordinator.headers });
  const older = (await app.inject({ url: `/api/v1/reports/${first.id}`, headers: coordinator.headers })).json() as Report;
  t.match(older, { state: 'superseded', supersededById: second.id, status: 'in_progress' });
  const approved = (await app.inject({ url: `/api/v1/reports?measure=${task4Measure.id}&period=${period}&state=approved`, headers: coordinator.headers })).json();
  t.same(approved.items.map((r: Report) => r.id), [second.id], 'one approved report per key');
});

t.test('Idempotency-Key: a retry gets the same answer, a different body under the same key is refused', async (t) => {
  const period = freshPeriod();
  const body = { measureId: task4Measure.id, period, status: 'in_progress', narrative: '脚本上报' };
  const first = await post(body, { 'idempotency-key': `retry-${period}` });
  t.equal(first.statusCode, 201);
  const before = writeFingerprint(databasePath);
  const retry = await post(body, { 'idempotency-key': `retry-${period}` });
  t.equal(retry.statusCode, 201, 'the first status again');
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.same(retry.json(), first.json());
  t.equal(writeFingerprint(databasePath), before, 'the retry wrote nothing');

  const reordered = await post({ narrative: '脚本上报', status: 'in_progress', period, measureId: task4Measure.id }, { 'idempotency-key': `retry-${period}` });
  t.equal(reordered.statusCode, 201, 'field order does not make a different request');

  const different = await post({ ...body, narrative: '另一内容' }, { 'idempotency-key': `retry-${period}` });
  t.equal(different.statusCode, 422);
  t.match(different.json(), { type: '/problems/idempotency-key-reused' });
  t.equal(writeFingerprint(databasePath), before);

  const otherKey = await post(body, { 'idempotency-key': `retry-${period}` }, issueKey(databasePath, 'reporter', '市民政局'));
  t.equal(otherKey.statusCode, 200, 'keys are scoped per API key: another key runs the request (here: unchanged)');
  t.equal(otherKey.headers['x-report-outcome'], 'unchanged');

  const badKey = await post(body, { 'idempotency-key': 'has space' });
  t.equal(badKey.statusCode, 400);
  t.equal(badKey.json().errors[0].field, '/headers/idempotency-key');
});

t.test('If-Match: required for PATCH, 412 when stale, and nothing changes', async (t) => {
  const report = (await post({ measureId: task4Measure.id, period: freshPeriod(), status: 'in_progress' })).json() as Report;
  const before = writeFingerprint(databasePath);
  const missing = await app.inject({ method: 'PATCH', url: `/api/v1/reports/${report.id}`, headers: reporter.headers, payload: { status: 'completed' } });
  t.equal(missing.statusCode, 400, 'the header is part of the schema');
  const stale = await app.inject({ method: 'PATCH', url: `/api/v1/reports/${report.id}`, headers: { ...reporter.headers, 'if-match': `"${report.id}.0"` }, payload: { status: 'completed' } });
  t.equal(stale.statusCode, 412);
  t.match(stale.headers['content-type'], /problem\+json/);
  t.equal(writeFingerprint(databasePath), before);

  const ok = await app.inject({ method: 'PATCH', url: `/api/v1/reports/${report.id}`, headers: { ...reporter.headers, 'if-match': report.etag }, payload: { status: 'completed' } });
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().version, 2);
  const lostUpdate = await app.inject({ method: 'PATCH', url: `/api/v1/reports/${report.id}`, headers: { ...reporter.headers, 'if-match': report.etag }, payload: { status: 'delayed' } });
  t.equal(lostUpdate.statusCode, 412, 'a second writer holding the old ETag cannot overwrite');
  const staleSubmit = await app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/submit`, headers: { ...reporter.headers, 'if-match': report.etag } });
  t.equal(staleSubmit.statusCode, 412, 'submit honours If-Match when sent');
  const wildcard = await app.inject({ method: 'PATCH', url: `/api/v1/reports/${report.id}`, headers: { ...reporter.headers, 'if-match': '*' }, payload: { narrative: '任意版本' } });
  t.equal(wildcard.statusCode, 200);
});

t.test('If-Match on approve and return: 412 when stale, and nothing changes', async (t) => {
  const draft = (await post({ measureId: task4Measure.id, period: freshPeriod(), status: 'in_progress' })).json() as Report;
  const review = (action: 'approve' | 'return', ifMatch: string) =>
    app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/${action}`, headers: { ...coordinator.headers, 'if-match': ifMatch }, payload: { note: '请补充' } });
  const submitted = (await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/submit`, headers: reporter.headers })).json() as Report;
  t.not(submitted.etag, draft.etag, 'submitting made a new version');

  const before = writeFingerprint(databasePath);
  for (const action of ['approve', 'return'] as const) {
    const stale = await review(action, draft.etag);
    t.equal(stale.statusCode, 412, `${action} with the draft's ETag`);
    t.match(stale.headers['content-type'], /^application\/problem\+json/);
    t.match(stale.json(), { status: 412, type: '/problems/stale' });
  }
  t.equal(writeFingerprint(databasePath), before, 'neither stale review wrote anything');

  const returned = await review('return', submitted.etag);
  t.equal(returned.statusCode, 200, 'the current ETag is accepted');
  t.equal(returned.json().state, 'returned');
  const resubmitted = (await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/submit`, headers: reporter.headers })).json() as Report;
  const staleApproval = await review('approve', submitted.etag);
  t.equal(staleApproval.statusCode, 412, 'an ETag from before the return no longer approves');
  const approved = await review('approve', resubmitted.etag);
  t.equal(approved.statusCode, 200);
  t.equal(approved.json().state, 'approved');
});

t.test('a re-post that changes only indicator values is an update, not "unchanged"', async (t) => {
  const period = freshPeriod();
  const [first, second] = indicators;
  const body = { measureId: task4Measure.id, period, status: 'in_progress', narrative: '指标填报' };
  const created = (await post({ ...body, indicatorValues: [{ indicatorId: first!.id, value: 90 }] })).json() as Report;
  const storedValues = () =>
    rows<{ indicatorId: number; value: number }>(databasePath, 'SELECT indicator_id AS indicatorId, value FROM report_indicator_values WHERE report_id = ? ORDER BY indicator_id', created.id);

  const changedValue = await post({ ...body, indicatorValues: [{ indicatorId: first!.id, value: 95 }] });
  t.equal(changedValue.headers['x-report-outcome'], 'updated', 'a new value');
  t.match(changedValue.json(), { id: created.id, version: 2, indicatorValues: [{ indicatorId: first!.id, value: 95 }] });
  t.same(storedValues(), [{ indicatorId: first!.id, value: 95 }]);

  const addedIndicator = await post({ ...body, indicatorValues: [{ indicatorId: first!.id, value: 95 }, { indicatorId: second!.id, value: 3 }] });
  t.equal(addedIndicator.headers['x-report-outcome'], 'updated', 'one more indicator');
  t.equal(addedIndicator.json().version, 3);
  t.equal(storedValues().length, 2);
  const reordered = await post({ ...body, indicatorValues: [{ indicatorId: second!.id, value: 3 }, { indicatorId: first!.id, value: 95 }] });
  t.equal(reordered.headers['x-report-outcome'], 'unchanged', 'the same values in another order are the same content');
  t.equal(reordered.json().version, 3);

  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/reports/${created.id}`,
    headers: { ...reporter.headers, 'if-match': addedIndicator.json().etag },
    payload: { indicatorValues: [{ indicatorId: second!.id, value: 4 }] },
  });
  t.equal(patched.statusCode, 200);
  t.equal(patched.json().version, 4, 'PATCH of the values alone makes a new version');
  t.same(storedValues(), [{ indicatorId: second!.id, value: 4 }]);

  const submitted = (await post({ ...body, indicatorValues: [{ indicatorId: second!.id, value: 4 }], submit: true })).json() as Report;
  await app.inject({ method: 'POST', url: `/api/v1/reports/${submitted.id}/approve`, headers: coordinator.headers });
  const afterApproval = await post({ ...body, indicatorValues: [{ indicatorId: second!.id, value: 5 }] });
  t.equal(afterApproval.headers['x-report-outcome'], 'created', 'new values after approval start a new report');
  t.not(afterApproval.json().id, created.id);
});

t.test('validation: each bad input is a 4xx problem naming the field, and writes nothing', async (t) => {
  const good = { measureId: task4Measure.id, period: freshPeriod(), status: 'in_progress' };
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['unknown measure', { ...good, measureId: 999999 }, 422, '/body/measureId'],
    ['measure as text', { ...good, measureId: 'four' }, 400, '/body/measureId'],
    ['missing status', { measureId: good.measureId, period: good.period }, 400, '/body/status'],
    ['unknown status', { ...good, status: 'done' }, 400, '/body/status'],
    ['malformed period', { ...good, period: '2024-Q5' }, 400, '/body/period'],
    ['period as a date', { ...good, period: '2024-07-01' }, 400, '/body/period'],
    ['period before the plan', { ...good, period: '2019' }, 422, '/body/period'],
    ['period after the plan', { ...good, period: '2026-Q1' }, 422, '/body/period'],
    ['unknown field', { ...good, owner: '市民政局' }, 400, '/body/owner'],
    ['percent above 100', { ...good, percentComplete: 101 }, 400, '/body/percentComplete'],
    ['percent as text', { ...good, percentComplete: '80%' }, 400, '/body/percentComplete'],
    ['indicator value not a number', { ...good, indicatorValues: [{ indicatorId: indicators[0]!.id, value: '98%' }] }, 400, '/body/indicatorValues/0/value'],
    ['unknown indicator', { ...good, indicatorValues: [{ indicatorId: 99999, value: 1 }] }, 422, '/body/indicatorValues/0/indicatorId'],
    ['indicator of another task', { ...good, indicatorValues: [{ indicatorId: otherTaskIndicator.id, value: 1 }] }, 422, '/body/indicatorValues/0/indicatorId'],
    ['indicator twice', { ...good, indicatorValues: [{ indicatorId: indicators[0]!.id, value: 1 }, { indicatorId: indicators[0]!.id, value: 2 }] }, 422, '/body/indicatorValues/1/indicatorId'],
    ['narrative too long', { ...good, narrative: '长'.repeat(10_001) }, 400, '/body/narrative'],
    ['too much evidence', { ...good, evidence: Array.from({ length: 51 }, (_, i) => ({ title: `台账${i}` })) }, 400, '/body/evidence'],
    ['evidence url not http', { ...good, evidence: [{ title: 'x', url: 'javascript:alert(1)' }] }, 400, '/body/evidence/0/url'],
    ['evidence without title', { ...good, evidence: [{ url: 'https://example.gov.cn' }] }, 400, '/body/evidence/0/title'],
    ['unit of another reporter', { ...good, unit: '市公安局' }, 403, '/body/unit'],
    ['a measure the unit does not carry', { ...good, measureId: 2 }, 403, '/body/measureId'],
    ['injection in narrative is just text', { ...good, narrative: "'; DROP TABLE progress_reports; --", status: 'bogus' }, 400, '/body/status'],
  ];
  for (const [name, body, status, field] of cases) {
    const before = writeFingerprint(databasePath);
    const res = await post(body);
    t.equal(res.statusCode, status, `${name}: status`);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`);
    t.ok((res.json().errors ?? []).some((e: { field: string }) => e.field === field), `${name}: names ${field} (${res.body.slice(0, 200)})`);
    t.equal(writeFingerprint(databasePath), before, `${name}: nothing written`);
  }
});

t.test('bodies that are not JSON reports', async (t) => {
  const before = writeFingerprint(databasePath);
  const malformed = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...reporter.headers, 'content-type': 'application/json' }, payload: '{"measureId": 4,' });
  t.equal(malformed.statusCode, 400);
  t.match(malformed.headers['content-type'], /problem\+json/);
  const huge = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...reporter.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ measureId: 4, period: '2024', status: 'in_progress', narrative: 'x'.repeat(600 * 1024) }) });
  t.equal(huge.statusCode, 413);
  t.match(huge.headers['content-type'], /problem\+json/);
  const xml = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...reporter.headers, 'content-type': 'application/xml' }, payload: '<report/>' });
  t.equal(xml.statusCode, 415);
  const array = await post([] as unknown as Record<string, unknown>);
  t.equal(array.statusCode, 400);
  t.equal(writeFingerprint(databasePath), before);
});

t.test('admin writes for a named unit; a county reports its share of a collective’s task', async (t) => {
  const noUnit = await post({ measureId: task4Measure.id, period: freshPeriod(), status: 'in_progress' }, {}, admin);
  t.equal(noUnit.statusCode, 422);
  t.equal(noUnit.json().errors[0].field, '/body/unit');
  const named = await post({ measureId: task4Measure.id, period: freshPeriod(), status: 'in_progress', unit: '市民政局' }, {}, admin);
  t.equal(named.statusCode, 201);
  t.equal(named.json().unit.name, '市民政局');

  const county = issueKey(databasePath, 'reporter', '北林区');
  const task2 = (await app.inject('/api/v1/measures?task=2')).json().items[0] as { id: number };
  const share = await post({ measureId: task2.id, period: '2024', status: 'completed' }, {}, county);
  t.equal(share.statusCode, 201, 'task 2 is carried by 各县(市、区)人民政府, which 北林区 belongs to');
  t.equal(share.json().unit.name, '北林区人民政府');
});

t.test('listing: filters, change-order cursor, updatedSince and draft privacy', async (t) => {
  const other = issueKey(databasePath, 'reporter', '市市场监管局');
  const all = (await app.inject({ url: '/api/v1/reports?limit=500', headers: coordinator.headers })).json();
  t.equal(all.total, rows<{ n: number }>(databasePath, 'SELECT count(*) AS n FROM progress_reports')[0]!.n, 'a coordinator sees every report');
  t.ok(all.total > 3, 'enough reports for several pages');
  const pages: Report[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Report[]; nextCursor: string | null } = (
      await app.inject({ url: `/api/v1/reports?limit=3${cursor ? `&after=${cursor}` : ''}`, headers: coordinator.headers })
    ).json();
    pages.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  t.same(pages.map((r) => r.id), all.items.map((r: Report) => r.id), 'cursor pages add up to the whole list, in change order');

  const latest = all.items.at(-1) as Report & { updatedAt: string };
  const since = (await app.inject({ url: `/api/v1/reports?updatedSince=${encodeURIComponent(latest.updatedAt)}`, headers: coordinator.headers })).json();
  t.ok(since.items.every((r: Report & { updatedAt: string }) => r.updatedAt >= latest.updatedAt));
  t.ok(since.items.some((r: Report) => r.id === latest.id));
  // The same instant written in Beijing time: stored instants are UTC, so the filter must compare instants, not text.
  const beijing = new Date(Date.parse(latest.updatedAt) + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
  const sinceBeijing = (await app.inject({ url: `/api/v1/reports?updatedSince=${encodeURIComponent(beijing)}`, headers: coordinator.headers })).json();
  t.same(sinceBeijing.items.map((r: Report) => r.id), since.items.map((r: Report) => r.id), 'an offset other than Z means the same instant');

  const drafts = (await app.inject({ url: '/api/v1/reports?state=draft&limit=500', headers: other.headers })).json();
  t.equal(drafts.total, 0, 'another unit sees none of 市民政局’s drafts');
  const ownDrafts = (await app.inject({ url: '/api/v1/reports?state=draft&limit=500&unit=市民政局', headers: reporter.headers })).json();
  t.ok(ownDrafts.total > 0);

  const bad = await app.inject({ url: '/api/v1/reports?after=not-a-cursor', headers: coordinator.headers });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().errors[0].field, '/querystring/after');
  const badUnit = await app.inject({ url: '/api/v1/reports?unit=无此单位', headers: coordinator.headers });
  t.equal(badUnit.statusCode, 400);
  const anonymous = await app.inject('/api/v1/reports');
  t.equal(anonymous.statusCode, 401);
  t.equal(anonymous.headers['www-authenticate'], 'Bearer');
});

t.test('review rules: state machine conflicts', async (t) => {
  const draft = (await post({ measureId: task4Measure.id, period: freshPeriod(), status: 'in_progress' })).json() as Report;
  const before = writeFingerprint(databasePath);
  const approveDraft = await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/approve`, headers: coordinator.headers });
  t.equal(approveDraft.statusCode, 409, 'only a submitted report can be approved');
  const returnDraft = await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/return`, headers: coordinator.headers, payload: { note: 'x' } });
  t.equal(returnDraft.statusCode, 409);
  const returnWithoutNote = await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/return`, headers: coordinator.headers, payload: {} });
  t.equal(returnWithoutNote.statusCode, 400);
  t.equal(returnWithoutNote.json().errors[0].field, '/body/note');
  t.equal(writeFingerprint(databasePath), before);
  await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/submit`, headers: reporter.headers });
  const submitTwice = await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/submit`, headers: reporter.headers });
  t.equal(submitTwice.statusCode, 409);
  const missing = await app.inject({ method: 'POST', url: '/api/v1/reports/999999/approve', headers: coordinator.headers });
  t.equal(missing.statusCode, 404);
});

t.test('a created report is answered exactly as it reads back', async (t) => {
  t.ok(indicators.length >= 2, 'the task has two indicators to give in reverse order');
  const values = indicators.slice(0, 2).map((indicator, i) => ({ indicatorId: indicator.id, value: 90 + i })).reverse();
  const created = await post({ measureId: task4Measure.id, period: freshPeriod(), status: 'completed', narrative: '已完成', percentComplete: 100, indicatorValues: values });
  t.equal(created.statusCode, 201);
  const read = await app.inject({ url: `/api/v1/reports/${created.json().id}`, headers: reporter.headers });
  t.same(created.json(), read.json(), 'POST answers with the report as stored, indicator values in indicator order');
  t.equal(created.headers.etag, read.headers.etag);
  const listed = (await app.inject({ url: `/api/v1/reports?measure=${task4Measure.id}&limit=500`, headers: reporter.headers })).json().items as Report[];
  t.same(listed.find((r) => r.id === created.json().id), read.json(), 'and as the list shows it');
});
