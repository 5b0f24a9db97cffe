/**
 * Monitoring through HTTP with the test's clock, computed from obligations: indicators judged by what they measure
 * (the city's figure, members' own), the dashboard and a chapter's progress with k of n units, scorecards, follow-ups.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { readClient } from '../helpers/http.js';
import { issueKey } from '../helpers/keys.js';

let clock = new Date('2024-01-10T02:00:00Z');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock });
const { get, all } = readClient(app);
const bureau = issueKey(databasePath, 'reporter', '市营商环境局'); // leads task 1, and owes its measure (中省市直各有关单位)
const civil = issueKey(databasePath, 'reporter', '市民政局');
const beilin = issueKey(databasePath, 'reporter', '北林区');
const hailun = issueKey(databasePath, 'reporter', '海伦市');
const coordinator = issueKey(databasePath, 'coordinator');
const q = encodeURIComponent;

interface Indicator {
  id: number;
  taskId: number;
  measureId: number | null;
  key: string;
}
const indicators = await all<Indicator>('/api/v1/indicators');
const indicator = indicators.find((i) => i.key === 'gov-integrity-commitment-rate')!; // scope city, task 1
const debtors = indicators.find((i) => i.key === 'gov-dishonest-judgment-debtors')!; // derived sum, task 2 (= 0 by 2025)
const civilMeasure = (await all<{ id: number; taskNo: number; no: number | null }>(`/api/v1/measures?unit=${q('市民政局')}`)).find((m) => m.taskNo === 4 && m.no === 1)!;
const task2Measure = (await get<{ items: { id: number }[] }>('/api/v1/measures?task=2')).items[0]!.id;

/** Posts a submitted report at the current clock and reviews it an hour later. */
async function report(key: typeof bureau, body: Record<string, unknown>, review: 'approve' | 'return') {
  const posted = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: key.headers, payload: { ...body, submit: true } });
  if (posted.statusCode !== 201) throw new Error(posted.body);
  clock = new Date(clock.getTime() + 3_600_000);
  const reviewed = await app.inject({
    method: 'POST',
    url: `/api/v1/reports/${posted.json().id}/${review}`,
    headers: coordinator.headers,
    payload: review === 'return' ? { note: '数据待核实' } : {},
  });
  if (reviewed.statusCode !== 200) throw new Error(reviewed.body);
  return posted.json().id as number;
}

await report(bureau, { measureId: indicator.measureId, period: '2023', status: 'completed', indicatorValues: [{ indicatorId: indicator.id, value: 65 }] }, 'approve');
clock = new Date('2024-07-01T02:00:00Z');
const q2 = await report(
  bureau,
  { measureId: indicator.measureId, period: '2024-Q2', status: 'in_progress', indicatorValues: [{ indicatorId: indicator.id, value: 70 }] },
  'approve',
);
// A county's own rate, approved after the lead's: it is the county's figure, never the city's.
const countyRate = await report(
  beilin,
  { measureId: indicator.measureId, period: '2024-Q2', status: 'completed', indicatorValues: [{ indicatorId: indicator.id, value: 95 }] },
  'approve',
);
const returned = await report(
  bureau,
  { measureId: indicator.measureId, period: '2024-Q3', status: 'in_progress', indicatorValues: [{ indicatorId: indicator.id, value: 79 }] },
  'return',
);
await report(civil, { measureId: civilMeasure.id, period: '2024', status: 'completed' }, 'approve');
const midYear = q('2024-07-02T00:00:00+08:00');

type FigureView = { unit: { name: string } | null; actual: number | null; attainment: string | null; expected: number | null };
type Series = { scope: string; years: { year: number; target: { value: number } | null; city: FigureView | null; members: FigureView[]; values: number }[] };

t.test('an indicator year by year: the city’s figure is the lead’s; a county’s value is its own; what lies behind is counted and paged', async (t) => {
  const series = await get<Series>(`/api/v1/indicators/${indicator.id}/series?asOf=${midYear}`);
  t.equal(series.scope, 'city');
  const byYear = Object.fromEntries(series.years.map((y) => [y.year, y]));
  t.match(byYear[2023]!.city, { actual: 65, attainment: 'met' }, '65% ≥ 60%');
  t.match(byYear[2024]!.city, { actual: 70, attainment: 'at_risk' }, 'the lead’s 70%, not 北林区’s later 95%');
  t.ok(Math.abs(byYear[2024]!.city!.expected! - 72.5) < 0.3, 'halfway from 65 to 80 the line stands near 72.5');
  t.equal(byYear[2024]!.values, 2, 'two approved values behind 2024 (the returned one does not count)');
  t.same(byYear[2024]!.members, [], 'a city-wide indicator has no member figures');
  t.match(byYear[2025], { city: { actual: null, attainment: 'no_data' } });
  t.equal(byYear[2021]!.target, null, 'no target in 2021');

  const values = await get<{ items: { reportId: number; unitId: number; value: number }[]; total: number }>(`/api/v1/indicators/${indicator.id}/values?year=2024&asOf=${midYear}`);
  t.same(
    values.items.map((v) => [v.reportId, v.value]),
    [
      [q2, 70],
      [countyRate, 95],
    ],
  );
  const page = await get<{ items: { reportId: number }[]; total: number }>(`/api/v1/indicators/${indicator.id}/values?year=2024&asOf=${midYear}&limit=1&offset=1`);
  t.match(page, { total: 2, items: [{ reportId: countyRate }] });
  const ofCounty = await get<{ total: number }>(`/api/v1/indicators/${indicator.id}/values?year=2024&unit=${q('北林区')}`);
  t.equal(ofCounty.total, 1);
  t.equal((await app.inject(`/api/v1/indicators/${indicator.id}/values`)).statusCode, 400, 'the year is required');
  t.equal((await app.inject('/api/v1/indicators/9999/values?year=2024')).statusCode, 404);

  const before = await get<Series>(`/api/v1/indicators/${indicator.id}/series?asOf=${q('2024-06-30T00:00:00+08:00')}`);
  t.match(before.years.find((y) => y.year === 2024)!.city, { actual: null, attainment: 'no_data' }, 'as of before the approval');
  t.equal((await app.inject('/api/v1/indicators/9999/series')).statusCode, 404);
});

t.test('a derived indicator: the city’s figure is the members’ own figures combined; each member’s is shown', async (t) => {
  clock = new Date('2025-12-01T02:00:00Z');
  await report(beilin, { measureId: task2Measure, period: '2025', status: 'completed', indicatorValues: [{ indicatorId: debtors.id, value: 0 }] }, 'approve');
  await report(hailun, { measureId: task2Measure, period: '2025', status: 'in_progress', indicatorValues: [{ indicatorId: debtors.id, value: 2 }] }, 'approve');
  const series = await get<Series>(`/api/v1/indicators/${debtors.id}/series?asOf=${q('2026-01-10')}`);
  const y2025 = series.years.find((y) => y.year === 2025)!;
  t.match(y2025.city, { actual: 2, attainment: 'not_met' }, '0 + 2 debtors: not cleared');
  t.match(
    y2025.members.filter((m) => m.actual !== null).map((m) => [m.unit!.name, m.actual, m.attainment]),
    [
      ['北林区人民政府', 0, null],
      ['海伦市人民政府', 2, null],
    ],
  );
  t.equal(y2025.members.length, 10, 'every county owing the measure is listed');
});

type Progress = { measureId: number; status: string; light: string; owing: number; completed: number };
type Dashboard = {
  light: string;
  obligations: { total: number; overdue: number; lights: { red: number } };
  measures: { total: number; completed: number; on_track: number; overdue: number; not_reported: number; lights: Record<string, number> };
  chapters: { chapterId: number; total: number; light: string }[];
  indicators: { at_risk: number; items: { indicatorId: number; city: FigureView | null }[] };
  overdue: (Progress & { overdueUnits: { name: string }[]; daysOverdue: number })[];
};

t.test('the dashboard rolls the year’s obligations up: measures k of n, chapters, lights, indicators', async (t) => {
  const dashboard = await get<Dashboard>(`/api/v1/dashboard?year=2024&asOf=${midYear}`);
  const obligations = await all<{ measure: { id: number }; state: string; light: string }>(`/api/v1/obligations?year=2024&asOf=${midYear}`);
  t.equal(dashboard.obligations.total, obligations.length, 'every obligation due in 2024');
  t.equal(dashboard.obligations.overdue, obligations.filter((o) => o.state === 'overdue').length);
  const owedMeasures = new Set(obligations.filter((o) => o.state !== 'waived').map((o) => o.measure.id));
  t.equal(dashboard.measures.total, owedMeasures.size, 'measures with something due in 2024');
  t.equal(dashboard.measures.completed + dashboard.measures.on_track + dashboard.measures.overdue + dashboard.measures.not_reported, dashboard.measures.total);
  t.equal(
    dashboard.chapters.reduce((sum, c) => sum + c.total, 0),
    dashboard.measures.total,
  );
  t.equal(dashboard.measures.completed, 0, 'no measure has every owing unit done');
  t.ok(dashboard.measures.overdue > 0, 'half-year and quarter obligations of 2024 passed at mid-year');
  t.equal(dashboard.light, 'red', 'worst wins');
  t.ok(dashboard.chapters.some((c) => c.light === 'red'));
  t.match(
    dashboard.indicators.items.find((i) => i.indicatorId === indicator.id),
    { city: { attainment: 'at_risk', actual: 70 } },
  );
  t.equal(dashboard.overdue.length, dashboard.measures.overdue);
  t.ok(dashboard.overdue.every((m) => m.overdueUnits.length > 0 && m.completed < m.owing));

  const later = await get<Dashboard>(`/api/v1/dashboard?year=2024&asOf=${q('2025-01-15')}`);
  t.ok(later.measures.overdue > dashboard.measures.overdue, 'after the year end every 2024 obligation not completed is overdue');
  t.match(
    later.indicators.items.find((i) => i.indicatorId === indicator.id),
    { city: { attainment: 'not_met' } },
    '70% < 80% once 2024 is over',
  );
  t.equal((await app.inject('/api/v1/dashboard?year=abc')).statusCode, 400);
  t.equal((await app.inject('/api/v1/dashboard?plan=99')).statusCode, 404);
});

t.test('a chapter’s progress: each measure k of n with its light; tasks and chapter roll up', async (t) => {
  const chapter = (await get<{ items: { id: number }[] }>('/api/v1/chapters')).items[0]!;
  const progress = await get<{ light: string; total: number; tasks: { taskNo: number; light: string; measures: Progress[] }[] }>(
    `/api/v1/chapters/${chapter.id}/progress?year=2024&asOf=${midYear}`,
  );
  const task1 = progress.tasks.find((task) => task.taskNo === 1)!.measures[0]!;
  const owing = (await get<{ total: number }>(`/api/v1/assignments?measure=${task1.measureId}&limit=1`)).total;
  t.match(task1, { owing, completed: 1, status: 'on_track' }, '北林区 completed 2024; the other units owe it still');
  const worst = (lights: string[]) => (lights.includes('red') ? 'red' : lights.includes('yellow') ? 'yellow' : 'green');
  for (const task of progress.tasks) t.equal(task.light, worst(task.measures.map((m) => m.light)), `task ${task.taskNo}: worst of its measures`);
  t.equal(progress.light, worst(progress.tasks.map((task) => task.light)), 'the chapter: worst of its tasks');
  t.equal((await app.inject('/api/v1/chapters/999/progress')).statusCode, 404);
});

t.test('a unit’s scorecard: what it owes, what it leads (its own part), and a collective county by county', async (t) => {
  const civilId = (await get<{ items: { id: number }[] }>(`/api/v1/units?q=${q('市民政局')}`)).items[0]!.id;
  const card = await get<{ carried: { total: number; measures: Progress[] }; led: { measures: (Progress & { taskNo: number })[] }; members: unknown[] }>(
    `/api/v1/units/${civilId}/scorecard?year=2025&asOf=${q('2025-03-01')}`,
  );
  t.match(
    card.carried.measures.find((m) => m.measureId === civilMeasure.id),
    { status: 'completed', owing: 1, completed: 1 },
    'its 2024 report completed its 2025 one-off early',
  );
  const ledTask4 = card.led.measures.filter((m) => m.taskNo === 4);
  t.same(
    ledTask4.map((m) => m.measureId),
    [civilMeasure.id],
    'task 4’s leads each lead their own part: 市民政局 leads its own measure only',
  );
  t.same(card.members, []);

  const counties = (await get<{ items: { id: number; kind: string }[] }>(`/api/v1/units?q=${q('各县')}`)).items.find((u) => u.kind === 'collective')!;
  const collective = await get<{ carried: { total: number }; members: { unit: { name: string }; total: number; completed: number }[] }>(
    `/api/v1/units/${counties.id}/scorecard?year=2024&asOf=${midYear}`,
  );
  t.equal(collective.members.length, 10, 'each of the ten county-level governments');
  t.ok(collective.members.every((m) => m.total > 0));
  t.equal(collective.members.find((m) => m.unit.name === '北林区人民政府')!.completed, 1, '北林区 completed task 1 for 2024');
  t.ok(
    collective.members.filter((m) => m.unit.name !== '北林区人民政府').every((m) => m.completed === 0),
    'the others have not',
  );
});

type FollowUps = {
  items: {
    kind: string;
    title: string;
    reportId: number | null;
    indicatorId: number | null;
    assignmentId: number | null;
    measureId: number | null;
    units: { name: string }[];
    since: string;
    daysOutstanding: number;
    link: string;
  }[];
  total: number;
};
const ORDER = ['overdue_obligation', 'returned_report', 'indicator_not_met', 'unacknowledged', 'due_soon', 'indicator_at_risk'];

t.test('follow-ups: worst first, with units, age and links; filtered by unit', async (t) => {
  const list = await get<FollowUps>(`/api/v1/follow-ups?limit=500&asOf=${midYear}`);
  const everything = await all<FollowUps['items'][number]>(`/api/v1/follow-ups?asOf=${midYear}`);
  const kinds = everything.map((i) => i.kind);
  t.same(
    [...kinds].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)),
    kinds,
    'sorted by severity',
  );
  t.ok(list.total > 0);
  t.match(
    everything.find((i) => i.kind === 'returned_report'),
    { reportId: returned, units: [{ name: '市营商环境局' }], link: `/api/v1/reports/${returned}`, title: /2024-Q3 报告已退回未重报：数据待核实/ },
  );
  t.match(
    everything.find((i) => i.kind === 'indicator_at_risk'),
    { indicatorId: indicator.id, units: [{ name: '市营商环境局' }], link: `/api/v1/indicators/${indicator.id}/series` },
  );
  const overdue = everything.filter((i) => i.kind === 'overdue_obligation');
  t.ok(overdue.length > 0 && overdue.every((i) => i.daysOutstanding > 0 && i.link === `/api/v1/assignments/${i.assignmentId}` && i.units.length === 1));
  const unsigned = everything.filter((i) => i.kind === 'unacknowledged');
  t.ok(unsigned.length > 0 && unsigned.every((i) => i.since === '2023-10-15'), 'nobody signed for the plan given on 2023-10-08 within 7 days');

  const civilOnly = await all<FollowUps['items'][number]>(`/api/v1/follow-ups?asOf=${midYear}&unit=${q('市民政局')}`);
  t.ok(civilOnly.length > 0 && civilOnly.length < everything.length);
  t.ok(civilOnly.every((i) => i.units.some((u) => u.name === '市民政局')));
  const onlyReturned = await get<FollowUps>(`/api/v1/follow-ups?kind=returned_report&asOf=${midYear}`);
  t.same(
    onlyReturned.items.map((i) => i.reportId),
    [returned],
  );
  t.equal((await app.inject(`/api/v1/follow-ups?unit=${q('无此单位')}`)).statusCode, 400);
  t.equal((await app.inject('/api/v1/follow-ups?kind=missing_report')).statusCode, 400);
});

t.test('follow-ups: signing for, finishing late, due soon, and closing out each take an item off the list', async (t) => {
  const asOf = q('2024-12-10T12:00:00+08:00');
  const of = async (unit: string, kind: string) => await all<FollowUps['items'][number]>(`/api/v1/follow-ups?asOf=${asOf}&unit=${q(unit)}&kind=${kind}`);
  const hailunTask1 = (await get<{ items: { id: number }[] }>(`/api/v1/assignments?unit=${q('海伦市')}&measure=${indicator.measureId}`)).items[0]!.id;
  t.ok((await of('海伦市', 'unacknowledged')).some((i) => i.assignmentId === hailunTask1));
  clock = new Date('2024-12-01T02:00:00Z');
  const signed = await app.inject({ method: 'POST', url: `/api/v1/assignments/${hailunTask1}/acknowledge`, headers: hailun.headers, payload: {} });
  t.equal(signed.statusCode, 200);
  t.notOk(
    (await of('海伦市', 'unacknowledged')).some((i) => i.assignmentId === hailunTask1),
    'signed for: no longer chased',
  );
  t.ok(
    (await of('海伦市', 'due_soon')).some((i) => i.assignmentId === hailunTask1 && i.since === '2024-12-01'),
    'its 2024 obligation falls due within 30 days',
  );
  const overdue2023 = (await of('海伦市', 'overdue_obligation')).filter((i) => i.assignmentId === hailunTask1);
  t.match(
    overdue2023.map((i) => i.title),
    [/2023 应于 2023-12-31 前完成，未见完成报告：2023年底前不低于60%/],
  );

  await report(hailun, { measureId: indicator.measureId, period: '2023', status: 'completed' }, 'approve');
  await report(hailun, { measureId: indicator.measureId, period: '2024', status: 'completed' }, 'approve');
  t.notOk(
    (await of('海伦市', 'overdue_obligation')).some((i) => i.assignmentId === hailunTask1),
    'completed late: nothing left to chase',
  );
  t.notOk(
    (await of('海伦市', 'due_soon')).some((i) => i.assignmentId === hailunTask1),
    'completed: nothing coming due',
  );

  // A closed assignment is chased for nothing (its returned reports included).
  const beilinTask1 = (await get<{ items: { id: number }[] }>(`/api/v1/assignments?unit=${q('北林区')}&measure=${indicator.measureId}`)).items[0]!.id;
  t.ok((await of('北林区', 'unacknowledged')).some((i) => i.assignmentId === beilinTask1));
  const closedAt = new Date('2026-01-05T02:00:00Z');
  clock = new Date('2025-12-20T02:00:00Z');
  for (const period of ['2023', '2025']) await report(beilin, { measureId: indicator.measureId, period, status: 'completed' }, 'approve');
  clock = closedAt;
  const closed = await app.inject({ method: 'POST', url: `/api/v1/assignments/${beilinTask1}/close`, headers: coordinator.headers, payload: { note: '已办结' } });
  t.equal(closed.statusCode, 200, closed.body);
  const after = await all<FollowUps['items'][number]>(`/api/v1/follow-ups?asOf=${q('2026-01-06')}&unit=${q('北林区')}`);
  t.notOk(
    after.some((i) => i.assignmentId === beilinTask1),
    'closed out: off the list',
  );
});

t.test('a year outside the plan is a 400', async (t) => {
  for (const url of ['/api/v1/dashboard?year=2030', '/api/v1/chapters/1/progress?year=2019', '/api/v1/units/1/scorecard?year=2026']) {
    const res = await app.inject(url);
    t.equal(res.statusCode, 400, url);
    t.equal(res.json().errors[0].field, '/querystring/year');
  }
});

t.test('a returned report is chased until it is resubmitted, and stays in the list as it stood before', async (t) => {
  const returnedAt = '2024-07-02T00:00:00+08:00';
  const returnedItems = async (asOf: string) => (await get<FollowUps>(`/api/v1/follow-ups?kind=returned_report&asOf=${q(asOf)}`)).items.map((i) => i.reportId);
  t.same(await returnedItems(returnedAt), [returned]);
  t.same(await returnedItems('2024-07-01T10:30:00+08:00'), [], 'before the coordinator returned it, nothing to chase');

  clock = new Date('2025-04-01T02:00:00Z');
  const edited = await app.inject({ method: 'GET', url: `/api/v1/reports/${returned}`, headers: bureau.headers });
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/reports/${returned}`,
    headers: { ...bureau.headers, 'if-match': edited.headers.etag },
    payload: { narrative: '已补充台账' },
  });
  t.equal(patched.statusCode, 200);
  t.same(await returnedItems('2025-04-02T00:00:00+08:00'), [returned], 'editing a returned report does not resolve it');

  clock = new Date('2025-05-01T02:00:00Z');
  const resubmitted = await app.inject({ method: 'POST', url: `/api/v1/reports/${returned}/submit`, headers: bureau.headers });
  t.equal(resubmitted.statusCode, 200);
  t.same(await returnedItems('2025-05-02T00:00:00+08:00'), [], 'resubmitted: no longer chased');
  t.same(await returnedItems('2025-04-30T00:00:00+08:00'), [returned], 'the day before, it still was');
  t.same(await returnedItems(returnedAt), [returned], 'and on the day it was returned');
});

t.test('follow-ups are paged in the order of the whole list, across kinds, with filters', async (t) => {
  // Returned reports of two units on three days, so the window crosses kinds and ties on a day.
  const civilMeasures = (await get<{ items: { id: number }[] }>(`/api/v1/measures?unit=${q('市民政局')}&limit=500`)).items;
  for (const [i, day] of ['2025-06-02', '2025-06-02', '2025-06-09'].entries()) {
    clock = new Date(`${day}T02:00:00Z`);
    await report(civil, { measureId: civilMeasures[i]!.id, period: '2025-Q1', status: 'in_progress' }, 'return');
  }
  clock = new Date('2025-06-20T02:00:00Z');
  await report(bureau, { measureId: indicator.measureId, period: '2025-Q1', status: 'in_progress' }, 'return');

  const asOf = q('2025-07-01T00:00:00+08:00');
  for (const filter of ['', '&kind=returned_report', `&unit=${q('市民政局')}`, '&kind=unacknowledged']) {
    const whole = await all<FollowUps['items'][number]>(`/api/v1/follow-ups?asOf=${asOf}${filter}`);
    if (filter !== '&kind=unacknowledged') t.ok(whole.filter((i) => i.kind === 'returned_report').length >= 3, `returned reports listed${filter}`);
    const sinces = whole.filter((i) => i.kind === 'returned_report').map((i) => i.since);
    t.same(sinces, [...sinces].sort(), 'returned reports: the oldest first');
    const total = whole.length;
    for (const limit of [7, 50]) {
      for (let offset = 0; offset <= Math.min(total + 1, 120); offset += limit) {
        const page = await get<FollowUps>(`/api/v1/follow-ups?limit=${limit}&offset=${offset}&asOf=${asOf}${filter}`);
        t.equal(page.total, total);
        t.same(page.items, whole.slice(offset, offset + limit), `limit ${limit} offset ${offset}${filter}`);
      }
    }
    const tail = await get<FollowUps>(`/api/v1/follow-ups?limit=3&offset=${Math.max(0, total - 2)}&asOf=${asOf}${filter}`);
    t.same(tail.items, whole.slice(Math.max(0, total - 2)), `the last page${filter}`);
  }
});
