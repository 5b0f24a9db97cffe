/**
 * Assignments and obligations through HTTP, with the test's clock: who owes what and by when, judged per unit and
 * per period; sign-for, close-out, reopen; narrowing and widening a measure; lights and their roll-up.
 */
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows, writeFingerprint } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

let clock = new Date('2024-03-01T10:00:00+08:00');
const at = (instant: string) => {
  clock = new Date(instant);
};
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock });
const keys = {
  admin: issueKey(databasePath, 'admin'),
  coordinator: issueKey(databasePath, 'coordinator'),
  reader: issueKey(databasePath, 'reader'),
  beilin: issueKey(databasePath, 'reporter', '北林区'),
  hailun: issueKey(databasePath, 'reporter', '海伦市'),
  anda: issueKey(databasePath, 'reporter', '安达市'),
  zhaodong: issueKey(databasePath, 'reporter', '肇东市'),
  market: issueKey(databasePath, 'reporter', '市市场监管局'),
};
type Key = (typeof keys)[keyof typeof keys];

interface Obligation {
  id: number;
  assignmentId: number;
  measure: { id: number; taskNo: number; text: string };
  unit: { id: number; name: string };
  kind: string;
  period: string;
  dueDate: string;
  target: string;
  state: string;
  light: string;
  daysLeft: number;
}
interface Assignment {
  id: number;
  measure: { id: number; taskNo: number };
  unit: { id: number; name: string };
  via: { name: string } | null;
  origin: string;
  acknowledged: { at: string; contactName: string | null; contactPhone: string | null } | null;
  closed: { at: string; note: string } | null;
  withdrawn: { at: string; reason: string } | null;
  light: string;
  obligations: Record<string, number>;
  dueObligations?: Obligation[];
  reports?: { total: number; link: string };
}

const json = <T>(res: LightMyRequestResponse, status = 200): T => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
};
const get = async <T>(url: string) => json<T>(await app.inject(url));
const post = (url: string, key: Key, payload: object = {}) => app.inject({ method: 'POST', url, headers: key.headers, payload });
const q = encodeURIComponent;

const measureOfTask = (no: number, position = 1) =>
  rows<{ id: number }>(databasePath, 'SELECT m.id FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.no = ? AND m.position = ?', no, position)[0]!.id;
const task1 = measureOfTask(1); // names no owner: the responsible units owe it, every year 2022–2025
const assignmentOf = async (measureId: number, unit: string) => (await get<{ items: Assignment[] }>(`/api/v1/assignments?measure=${measureId}&unit=${q(unit)}`)).items[0]!;
const obligationsOf = async (unit: string, query = '') => (await get<{ items: Obligation[] }>(`/api/v1/obligations?unit=${q(unit)}&limit=500${query}`)).items;

/** A report of `key`'s unit, submitted and approved by the coordinator. */
async function approvedReport(key: Key, measureId: number, period: string, status = 'completed') {
  const report = json<{ id: number }>(await post('/api/v1/reports', key, { measureId, period, status, submit: true }), 201);
  json(await post(`/api/v1/reports/${report.id}/approve`, keys.coordinator));
  return report.id;
}

t.test('the plan is given at its publication: a measure naming no owner is owed by each responsible unit, collectives expanded', async (t) => {
  const page = await get<{ items: Assignment[]; total: number }>(`/api/v1/assignments?measure=${task1}&limit=500`);
  const units = page.items.map((a) => a.unit.name);
  t.ok(units.includes('北林区人民政府') && units.includes('海伦市人民政府'), 'each county owes its own share');
  t.ok(units.includes('市经开区'), 'a responsible unit named directly');
  t.ok(units.includes('市营商环境局'), 'the lead, as a member of 中省市直各有关单位');
  t.equal(new Set(units).size, units.length, 'one assignment per unit');
  t.match(
    page.items.find((a) => a.unit.name === '北林区人民政府'),
    { via: { name: '各县(市、区)人民政府' }, origin: 'responsible' },
  );
  // The yearly work of 2022 had ended before the plan was published (2023-10-08): it is not asked for.
  t.same(
    (await obligationsOf('北林区')).filter((o) => o.measure.id === task1).map((o) => o.period),
    ['2023', '2024', '2025'],
  );
  t.equal((await get<{ total: number }>('/api/v1/assignments?asOf=2023-10-01')).total, 0, 'nothing was owed before the plan was given');
});

t.test('a shared measure completed by one county stays open for the others and for the city', async (t) => {
  at('2024-03-01T10:00:00+08:00');
  await approvedReport(keys.beilin, task1, '2023');
  const mine = (await obligationsOf('北林区', '&year=2023')).find((o) => o.measure.id === task1)!;
  t.match(mine, { state: 'completed', light: 'green', target: /2023年底前/ });
  const theirs = (await obligationsOf('海伦市', '&year=2023')).find((o) => o.measure.id === task1)!;
  t.match(theirs, { state: 'overdue', light: 'red' }, 'another county’s report does not answer 海伦市’s obligation');
  const city = (await obligationsOf('市营商环境局', '&year=2023')).find((o) => o.measure.id === task1)!;
  t.equal(city.state, 'overdue', 'nor the city lead’s');
  const all = (await get<{ items: Assignment[] }>(`/api/v1/assignments?measure=${task1}&limit=500`)).items;
  t.equal(all.filter((a) => a.obligations.completed === 1).length, 1, 'one of n assignments has completed 2023');
});

t.test('recurring work becomes overdue every period it is missed, and a late report completes it', async (t) => {
  at('2025-01-15T09:00:00+08:00');
  const owed = async () => (await obligationsOf('海伦市')).filter((o) => o.measure.id === task1).map((o) => [o.period, o.state, o.light]);
  t.same(await owed(), [
    ['2023', 'overdue', 'red'],
    ['2024', 'overdue', 'red'],
    ['2025', 'pending', 'green'],
  ]);
  await approvedReport(keys.hailun, task1, '2024-Q4');
  t.same(
    await owed(),
    [
      ['2023', 'overdue', 'red'],
      ['2024', 'completed', 'green'],
      ['2025', 'pending', 'green'],
    ],
    'a quarter’s report within the year answers the year; 2023 is still owed',
  );
  t.equal((await assignmentOf(task1, '海伦市')).light, 'red', 'the assignment takes its worst obligation');
  // As it stood on 2024-06-30 (a date, the end of that day): 2023 overdue, 2024 not yet due.
  const then = (await get<{ items: Obligation[] }>(`/api/v1/obligations?unit=${q('海伦市')}&asOf=2024-06-30&limit=500`)).items.filter((o) => o.measure.id === task1);
  t.same(
    then.map((o) => [o.period, o.state]),
    [
      ['2023', 'overdue'],
      ['2024', 'pending'],
      ['2025', 'pending'],
    ],
  );
});

t.test('an ongoing measure after a dated deadline stays owed after the deadline is met', async (t) => {
  const ongoing = rows<{ id: number }>(
    databasePath,
    `SELECT s.measure_id AS id FROM measure_schedules s JOIN assignments a ON a.measure_id = s.measure_id JOIN units u ON u.id = a.unit_id
     WHERE u.name = '市市场监管局' GROUP BY s.measure_id HAVING sum(s.kind = 'once') = 1 AND sum(s.kind = 'continuous') = 1`,
  )[0]!.id;
  at('2023-12-20T09:00:00+08:00');
  await approvedReport(keys.market, ongoing, '2023');
  at('2025-02-01T09:00:00+08:00');
  const owed = (await obligationsOf('市市场监管局')).filter((o) => o.measure.id === ongoing);
  t.same(
    owed.map((o) => [o.kind, o.period, o.state]),
    [
      ['once', '2023', 'completed'],
      ['continuous', '2024', 'overdue'],
      ['continuous', '2025', 'pending'],
    ],
  );
  const assignment = await assignmentOf(ongoing, '市市场监管局');
  const close = await post(`/api/v1/assignments/${assignment.id}/close`, keys.coordinator, { note: '已完成' });
  t.equal(close.statusCode, 409, 'not closed while ongoing work is owed');
  t.match(close.json().detail, /最后一项义务（2025，2025-12-31 到期）未到期/);
});

t.test('lights: green, yellow within the warning days, red when overdue or returned; filters and counts', async (t) => {
  at('2024-03-01T09:00:00+08:00');
  await approvedReport(keys.anda, task1, '2023');
  const light = async () => (await obligationsOf('安达市')).filter((o) => o.measure.id === task1).map((o) => `${o.period}:${o.light}`);
  t.same(await light(), ['2023:green', '2024:green', '2025:green'], 'completed, and due in 305 days');
  at('2024-12-01T23:59:59+08:00');
  t.same(await light(), ['2023:green', '2024:yellow', '2025:green'], 'due in 30 days');
  at('2024-11-30T23:59:59+08:00');
  t.same(await light(), ['2023:green', '2024:green', '2025:green'], '31 days before is still green');
  at('2025-01-01T00:00:00+08:00');
  t.same(await light(), ['2023:green', '2024:red', '2025:green'], 'the day after the due date');
  // A report returned and not resubmitted is red before its due date.
  const report = json<{ id: number }>(await post('/api/v1/reports', keys.anda, { measureId: task1, period: '2025-Q1', status: 'in_progress', submit: true }), 201);
  json(await post(`/api/v1/reports/${report.id}/return`, keys.coordinator, { note: '请补充材料' }));
  t.same(await light(), ['2023:green', '2024:red', '2025:red']);
  json(await post(`/api/v1/reports/${report.id}/submit`, keys.anda));
  t.same(await light(), ['2023:green', '2024:red', '2025:green'], 'resubmitted');

  const reds = await get<{ items: Assignment[]; total: number; lights: Record<'green' | 'yellow' | 'red', number> }>(`/api/v1/assignments?light=red&limit=500`);
  t.ok(reds.items.length > 0 && reds.items.every((a) => a.light === 'red'));
  t.equal(reds.total, reds.lights.red);
  t.equal(reds.lights.green + reds.lights.yellow, 0, 'the counts are of the matching items');
  const everything = await get<{ total: number; lights: Record<'green' | 'yellow' | 'red', number> }>('/api/v1/assignments?limit=1');
  t.equal(everything.lights.red + everything.lights.yellow + everything.lights.green, everything.total);
  for (const bad of ['light=purple', 'light=RED', 'acknowledged=yes', 'closed=1', 'asOf=2024-02-30', 'unit=%E6%97%A0%E6%AD%A4%E5%8D%95%E4%BD%8D']) {
    const res = await app.inject(`/api/v1/assignments?${bad}`);
    t.equal(res.statusCode, 400, bad);
    t.match(res.headers['content-type'], /problem\+json/);
  }
  for (const bad of ['state=late', 'dueBefore=2024-13-01', 'dueAfter=yesterday', 'year=99999', 'light=']) {
    t.equal((await app.inject(`/api/v1/obligations?${bad}`)).statusCode, 400, bad);
  }
  t.equal((await app.inject('/api/v1/assignments/99999999')).statusCode, 404);
});

t.test('sign-for (签收): the owing unit’s reporter or an admin; a repeat is unchanged; audited', async (t) => {
  at('2024-03-02T09:00:00+08:00');
  const mine = await assignmentOf(task1, '北林区');
  t.equal(mine.acknowledged, null);
  t.ok((await get<{ items: Assignment[] }>(`/api/v1/assignments?unit=${q('北林区')}&acknowledged=false&limit=500`)).items.some((a) => a.id === mine.id));
  const before = writeFingerprint(databasePath);
  for (const [name, key] of [
    ['another county', keys.hailun],
    ['a reader', keys.reader],
    ['a coordinator', keys.coordinator],
  ] as const) {
    const refused = await post(`/api/v1/assignments/${mine.id}/acknowledge`, key, {});
    t.equal(refused.statusCode, 403, name);
  }
  t.equal(writeFingerprint(databasePath), before, 'refusals write nothing');
  const signed = json<{ outcome: string; assignment: Assignment }>(
    await post(`/api/v1/assignments/${mine.id}/acknowledge`, keys.beilin, { contactName: '王明', contactPhone: '0455-8888888' }),
  );
  t.match(signed, { outcome: 'updated', assignment: { acknowledged: { at: clock.toISOString(), contactName: '王明', contactPhone: '0455-8888888' } } });
  t.equal(json<{ outcome: string }>(await post(`/api/v1/assignments/${mine.id}/acknowledge`, keys.beilin, { contactName: '王明' })).outcome, 'unchanged');
  const newContact = json<{ assignment: Assignment }>(await post(`/api/v1/assignments/${mine.id}/acknowledge`, keys.beilin, { contactName: '李华' }));
  t.match(newContact.assignment.acknowledged, { at: signed.assignment.acknowledged!.at, contactName: '李华' }, 'signed for once; the contact changes');
  t.equal((await post(`/api/v1/assignments/${mine.id}/acknowledge`, keys.beilin, { contactPhone: 'call me' })).statusCode, 400);
  t.ok((await get<{ items: Assignment[] }>(`/api/v1/assignments?unit=${q('北林区')}&acknowledged=true`)).items.some((a) => a.id === mine.id));
  t.equal((await get<{ total: number }>(`/api/v1/assignments?unit=${q('北林区')}&acknowledged=true&asOf=2024-03-01`)).total, 0, 'not yet signed for then');
  const audited = rows<{ action: string }>(databasePath, "SELECT action FROM audit_events WHERE entity_type = 'assignment' AND entity_id = ? ORDER BY id", mine.id);
  t.same(
    audited.map((a) => a.action),
    ['assignment.acknowledge', 'assignment.acknowledge'],
  );
});

t.test('close-out (办结) once the last obligation is completed, and reopen; closed assignments keep their history', async (t) => {
  at('2025-03-01T09:00:00+08:00');
  const mine = await assignmentOf(task1, '肇东市');
  const early = await post(`/api/v1/assignments/${mine.id}/close`, keys.coordinator, { note: '办结' });
  t.equal(early.statusCode, 409);
  for (const period of ['2023', '2024', '2025']) await approvedReport(keys.zhaodong, task1, period);
  t.equal((await post(`/api/v1/assignments/${mine.id}/close`, keys.zhaodong, { note: '办结' })).statusCode, 403, 'a reporter does not close');
  t.equal((await post(`/api/v1/assignments/${mine.id}/close`, keys.coordinator, {})).statusCode, 400, 'a note is required');
  const closed = json<{ outcome: string; assignment: Assignment }>(await post(`/api/v1/assignments/${mine.id}/close`, keys.coordinator, { note: '三年目标均已完成' }));
  t.match(closed, { outcome: 'updated', assignment: { closed: { note: '三年目标均已完成' }, light: 'green' } });
  t.equal(json<{ outcome: string }>(await post(`/api/v1/assignments/${mine.id}/close`, keys.coordinator, { note: '再次' })).outcome, 'unchanged');
  t.ok((await get<{ items: Assignment[] }>(`/api/v1/assignments?closed=true&limit=500`)).items.some((a) => a.id === mine.id));
  const detail = await get<Assignment>(`/api/v1/assignments/${mine.id}`);
  t.same(
    detail.dueObligations!.map((o) => o.state),
    ['completed', 'completed', 'completed'],
    'its history stays',
  );
  t.match(detail.reports, { total: 3, link: `/api/v1/reports?measure=${task1}&unit=${mine.unit.id}` });
  const reopened = json<{ assignment: Assignment }>(await post(`/api/v1/assignments/${mine.id}/reopen`, keys.admin, { reason: '复查发现问题' }));
  t.equal(reopened.assignment.closed, null);
  t.equal(json<{ outcome: string }>(await post(`/api/v1/assignments/${mine.id}/reopen`, keys.admin, { reason: '再次' })).outcome, 'unchanged');
  const audited = rows<{ action: string }>(databasePath, "SELECT action FROM audit_events WHERE entity_type = 'assignment' AND entity_id = ? ORDER BY id", mine.id);
  t.same(
    audited.map((a) => a.action),
    ['assignment.close', 'assignment.reopen'],
  );
});

t.test('narrowing a collective and widening a measure, with a reason; what a unit may report on follows', async (t) => {
  at('2024-05-01T09:00:00+08:00');
  const unit = '望奎县';
  const wangkui = issueKey(databasePath, 'reporter', unit);
  const listed = async () => (await get<{ items: { id: number }[] }>(`/api/v1/measures?unit=${q(unit)}&limit=500`)).items.map((m) => m.id);
  t.ok((await listed()).includes(task1), 'the county may report on task 1');
  const mine = await assignmentOf(task1, unit);
  t.equal((await post(`/api/v1/assignments/${mine.id}/withdraw`, keys.coordinator, {})).statusCode, 400, 'a reason is required');
  t.equal((await post(`/api/v1/assignments/${mine.id}/withdraw`, wangkui, { reason: '不涉及' })).statusCode, 403);
  const withdrawn = json<{ outcome: string; assignment: Assignment }>(await post(`/api/v1/assignments/${mine.id}/withdraw`, keys.coordinator, { reason: '该县无此项业务' }));
  t.match(withdrawn, { outcome: 'updated', assignment: { withdrawn: { reason: '该县无此项业务' } } });
  t.same(
    (await obligationsOf(unit)).filter((o) => o.measure.id === task1).map((o) => o.state),
    ['waived', 'waived', 'waived'],
  );
  t.notOk((await listed()).includes(task1), 'no longer listed for the county (the catalogue answer is not served stale)');
  t.equal((await post('/api/v1/reports', wangkui, { measureId: task1, period: '2024', status: 'in_progress' })).statusCode, 403, 'nor reported on');

  // A unit the plan names itself is not withdrawn: that is an amendment of the plan.
  const named = await assignmentOf(measureOfTask(4), '市民政局');
  t.equal((await post(`/api/v1/assignments/${named.id}/withdraw`, keys.coordinator, { reason: 'x' })).statusCode, 409);

  const reinstated = json<{ outcome: string }>(await post('/api/v1/assignments', keys.coordinator, { measureId: task1, unit, reason: '复核后仍需承担' }));
  t.equal(reinstated.outcome, 'updated');
  t.ok((await listed()).includes(task1));
  t.equal(json<{ outcome: string }>(await post('/api/v1/assignments', keys.coordinator, { measureId: task1, unit, reason: '再次' })).outcome, 'unchanged');

  const added = await post('/api/v1/assignments', keys.admin, { measureId: measureOfTask(4), unit: '市公安局', reason: '会议决定共同负责' });
  t.equal(added.statusCode, 201);
  t.match(added.headers.location, /^\/api\/v1\/assignments\/\d+$/);
  const created = (added.json() as { assignment: Assignment }).assignment;
  t.match(created, { origin: 'added', unit: { name: '市公安局' }, via: null });
  const owed = (await get<Assignment>(`/api/v1/assignments/${created.id}`)).dueObligations!;
  t.ok(owed.length > 0 && owed.every((o) => o.dueDate >= '2024-05-01' || o.kind === 'once'), 'owed from the day it was given');
  for (const [name, body, status] of [
    ['a collective', { measureId: task1, unit: '各县(市、区)人民政府', reason: 'x' }, 422],
    ['an unknown unit', { measureId: task1, unit: '无此单位', reason: 'x' }, 422],
    ['an unknown measure', { measureId: 999999, unit: '市公安局', reason: 'x' }, 422],
    ['no reason', { measureId: task1, unit: '市公安局' }, 400],
  ] as const) {
    t.equal((await post('/api/v1/assignments', keys.coordinator, body)).statusCode, status, name);
  }
  t.equal((await post('/api/v1/assignments', keys.beilin, { measureId: task1, unit: '市公安局', reason: 'x' })).statusCode, 403, 'a reporter does not assign');
  const audited = rows<{ action: string }>(
    databasePath,
    "SELECT action FROM audit_events WHERE entity_type = 'assignment' AND action IN ('assignment.withdraw', 'assignment.reinstate', 'assignment.add') ORDER BY id",
  );
  t.same(
    audited.map((a) => a.action),
    ['assignment.withdraw', 'assignment.reinstate', 'assignment.add'],
  );
});

t.test('a collective in the unit filter stands for its members; milestones follow what a unit owes', async (t) => {
  const counties = await get<{ items: Assignment[]; total: number }>(`/api/v1/assignments?unit=${q('各县(市、区)人民政府')}&measure=${task1}`);
  t.equal(counties.total, 10);
  t.ok(counties.items.every((a) => a.via?.name === '各县(市、区)人民政府'));
  const milestones = (await get<{ items: { measureId: number }[] }>(`/api/v1/milestones?unit=${q('北林区')}&limit=500`)).items;
  const measures = (await get<{ items: { id: number }[] }>(`/api/v1/measures?unit=${q('北林区')}&limit=500`)).items.map((m) => m.id);
  t.ok(milestones.length > 0 && milestones.every((m) => measures.includes(m.measureId)));
});

t.test('lights roll up to measures and tasks; ?light= filters the catalogue lists, answered live', async (t) => {
  at('2024-12-10T09:00:00+08:00');
  type Lit = { id: number; light?: string; taskId?: number };
  const measures = await get<{ items: Lit[]; total: number }>('/api/v1/measures?asOf=2024-12-10&limit=500');
  const worst = (lights: string[]) => (lights.includes('red') ? 'red' : lights.includes('yellow') ? 'yellow' : 'green');
  const measureOne = measures.items.find((m) => m.id === task1)!;
  const owedOnTask1 = await get<{ items: Assignment[] }>(`/api/v1/assignments?measure=${task1}&limit=500`);
  t.equal(measureOne.light, worst(owedOnTask1.items.map((a) => a.light)), 'a measure: the worst of its assignments');
  const tasks = await get<{ items: Lit[] }>('/api/v1/tasks?asOf=2024-12-10&limit=500');
  const taskOne = tasks.items.find((task) => task.id === (measureOne as { taskId: number }).taskId)!;
  const ofTask = measures.items.filter((m) => m.taskId === taskOne.id).map((m) => m.light!);
  t.equal(taskOne.light, worst(ofTask), 'a task: the worst of its measures');
  for (const colour of ['red', 'yellow', 'green']) {
    const lit = await get<{ items: Lit[]; total: number }>(`/api/v1/tasks?light=${colour}&limit=500`);
    t.ok(
      lit.items.every((task) => task.light === colour),
      `tasks ?light=${colour}`,
    );
    t.equal(lit.total, tasks.items.filter((task) => task.light === colour).length);
    const litMeasures = await get<{ items: Lit[]; total: number }>(`/api/v1/measures?light=${colour}&limit=2&offset=1`);
    t.ok(litMeasures.items.every((m) => m.light === colour));
    t.equal(litMeasures.total, measures.items.filter((m) => m.light === colour).length, `measures ?light=${colour}, paged`);
  }
  const plain = await app.inject('/api/v1/tasks?limit=1');
  t.notOk('light' in plain.json().items[0], 'without light or asOf, the catalogue as it is');
  t.ok(plain.headers.etag, '…and kept');
  const live = await app.inject('/api/v1/tasks?light=red&limit=1');
  t.equal(live.headers.etag, undefined, 'a light is judged live, never kept');
  t.equal((await app.inject('/api/v1/tasks?light=purple')).statusCode, 400);
  t.equal((await app.inject('/api/v1/measures?light=')).statusCode, 400);
  const before = await get<{ items: Lit[] }>('/api/v1/tasks?asOf=2023-10-01&limit=500');
  t.ok(
    before.items.every((task) => task.light === 'green'),
    'before the plan was given nothing was owed',
  );
  const detail = await get<{ light: string; measures: Lit[] }>(`/api/v1/tasks/${taskOne.id}?asOf=2024-12-10`);
  t.equal(detail.light, taskOne.light);
  t.ok(detail.measures.every((m) => m.light !== undefined));
  t.equal((await get<Lit>(`/api/v1/measures/${task1}?asOf=2024-12-10`)).light, measureOne.light);
  t.equal((await app.inject(`/api/v1/measures/${task1}?asOf=2024-13-01`)).statusCode, 400);
});
