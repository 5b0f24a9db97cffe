import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';

let clock = new Date('2024-01-10T02:00:00Z');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock });
const bureau = issueKey(databasePath, 'reporter', '市营商环境局');
const civil = issueKey(databasePath, 'reporter', '市民政局');
const coordinator = issueKey(databasePath, 'coordinator');

const get = async <T>(url: string): Promise<T> => {
  const res = await app.inject(url);
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
};
const indicator = (await get<{ items: { id: number; taskId: number; measureId: number; key: string }[] }>('/api/v1/indicators?task=1')).items.find((i) => i.key === 'gov-integrity-commitment-rate')!;
const civilMeasure = (await get<{ items: { id: number; taskNo: number; taskId: number }[] }>('/api/v1/measures?unit=市民政局&limit=500')).items.find((m) => m.taskNo === 4)!;

/** Posts a submitted report at the current clock and reviews it an hour later. */
async function report(key: typeof bureau, body: Record<string, unknown>, review: 'approve' | 'return') {
  const posted = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: key.headers, payload: { ...body, submit: true } });
  if (posted.statusCode !== 201) throw new Error(posted.body);
  clock = new Date(clock.getTime() + 3_600_000);
  const reviewed = await app.inject({ method: 'POST', url: `/api/v1/reports/${posted.json().id}/${review}`, headers: coordinator.headers, payload: review === 'return' ? { note: '数据待核实' } : {} });
  if (reviewed.statusCode !== 200) throw new Error(reviewed.body);
  return posted.json().id as number;
}

await report(bureau, { measureId: indicator.measureId, period: '2023', status: 'completed', indicatorValues: [{ indicatorId: indicator.id, value: 65 }] }, 'approve');
clock = new Date('2024-07-01T02:00:00Z');
const q2 = await report(bureau, { measureId: indicator.measureId, period: '2024-Q2', status: 'in_progress', indicatorValues: [{ indicatorId: indicator.id, value: 70 }] }, 'approve');
const returned = await report(bureau, { measureId: indicator.measureId, period: '2024-Q3', status: 'in_progress', indicatorValues: [{ indicatorId: indicator.id, value: 79 }] }, 'return');
await report(civil, { measureId: civilMeasure.id, period: '2024', status: 'completed' }, 'approve');
const midYear = encodeURIComponent('2024-07-02T00:00:00+08:00');

t.test('an indicator year by year: met, at risk, and a returned report does not count', async (t) => {
  type Series = { years: { year: number; actual: number | null; attainment: string | null; expected: number | null; reports: { reportId: number }[] }[] };
  const series = await get<Series>(`/api/v1/indicators/${indicator.id}/series?asOf=${midYear}`);
  const byYear = Object.fromEntries(series.years.map((y) => [y.year, y]));
  t.match(byYear[2023], { actual: 65, attainment: 'met' }, '65% ≥ 60%');
  t.match(byYear[2024], { actual: 70, attainment: 'at_risk' }, 'halfway from 65 to 80 the line stands near 72.5');
  t.ok(Math.abs(byYear[2024]!.expected! - 72.5) < 0.3);
  t.same(byYear[2024]!.reports.map((r) => r.reportId), [q2], 'only the approved report, not the returned one');
  t.match(byYear[2025], { actual: null, attainment: 'no_data' });
  t.equal(byYear[2021]!.attainment, null, 'no target in 2021');

  const before = await get<Series>(`/api/v1/indicators/${indicator.id}/series?asOf=${encodeURIComponent('2024-06-30T00:00:00+08:00')}`);
  t.match(before.years.find((y) => y.year === 2024), { actual: null, attainment: 'no_data' }, 'as of before the approval');
  t.equal((await app.inject('/api/v1/indicators/9999/series')).statusCode, 404);
});

t.test('the dashboard rolls the plan up', async (t) => {
  type Dashboard = { year: number; measures: Record<string, number>; chapters: { chapterId: number; total: number }[]; indicators: { at_risk: number; items: { indicatorId: number; attainment: string }[] }; overdue: { measureId: number }[] };
  const dashboard = await get<Dashboard>(`/api/v1/dashboard?year=2024&asOf=${midYear}`);
  const measureCount = (await get<{ total: number }>('/api/v1/measures?limit=1')).total;
  t.equal(dashboard.measures.total, measureCount);
  t.equal(dashboard.measures.completed, 1, 'the one completed 2024 report');
  t.equal(dashboard.measures.on_track, 1, 'the measure with an approved in-progress report');
  t.equal(dashboard.measures.completed! + dashboard.measures.on_track! + dashboard.measures.overdue! + dashboard.measures.not_reported!, measureCount);
  t.equal(dashboard.chapters.reduce((sum, c) => sum + c.total, 0), measureCount);
  t.match(dashboard.indicators.items.find((i) => i.indicatorId === indicator.id), { attainment: 'at_risk' });
  t.equal(dashboard.overdue.length, dashboard.measures.overdue);

  const later = await get<Dashboard>(`/api/v1/dashboard?year=2024&asOf=${encodeURIComponent('2025-01-15T00:00:00+08:00')}`);
  t.ok(later.measures.overdue! > dashboard.measures.overdue!, 'after the year end the 2024 milestones are overdue');
  t.match(later.indicators.items.find((i) => i.indicatorId === indicator.id), { attainment: 'not_met' }, '70% < 80% once 2024 is over');
  t.equal((await app.inject('/api/v1/dashboard?year=abc')).statusCode, 400);
  t.equal((await app.inject('/api/v1/dashboard?plan=99')).statusCode, 404);
});

t.test('a unit’s scorecard, and a collective county by county', async (t) => {
  const unitId = (await get<{ items: { id: number }[] }>(`/api/v1/units?q=${encodeURIComponent('市民政局')}`)).items[0]!.id;
  const card = await get<{ carried: { completed: number; measures: { measureId: number; status: string }[] }; led: { total: number }; members: unknown[] }>(`/api/v1/units/${unitId}/scorecard?year=2024&asOf=${midYear}`);
  t.match(card.carried.measures.find((m) => m.measureId === civilMeasure.id), { status: 'completed' });
  t.ok(card.led.total > 0, '市民政局 leads task 4');
  t.same(card.members, []);

  const counties = (await get<{ items: { id: number; kind: string }[] }>(`/api/v1/units?q=${encodeURIComponent('各县')}`)).items.find((u) => u.kind === 'collective')!;
  const collective = await get<{ members: { unit: { name: string }; total: number; completed: number }[] }>(`/api/v1/units/${counties.id}/scorecard?year=2024&asOf=${midYear}`);
  t.equal(collective.members.length, 10, 'each of the ten county-level governments');
  t.ok(collective.members.every((m) => m.total > 0 && m.completed === 0), 'no county has reported yet');
});

t.test('a chapter’s progress', async (t) => {
  const chapter = (await get<{ items: { id: number; taskCount: number }[] }>('/api/v1/chapters')).items[0]!;
  const progress = await get<{ tasks: { taskNo: number; measures: { measureId: number; status: string }[] }[]; completed: number }>(`/api/v1/chapters/${chapter.id}/progress?year=2024&asOf=${midYear}`);
  t.equal(progress.tasks.length, chapter.taskCount);
  t.match(progress.tasks.find((task) => task.taskNo === 4)!.measures.find((m) => m.measureId === civilMeasure.id), { status: 'completed' });
  t.equal((await app.inject('/api/v1/chapters/999/progress')).statusCode, 404);
});

t.test('follow-ups: worst first, with units, age and links; filtered by unit', async (t) => {
  type FollowUps = { items: { kind: string; reportId: number | null; indicatorId: number | null; measureId: number | null; units: { name: string }[]; daysOutstanding: number; link: string }[]; total: number };
  const all = await get<FollowUps>(`/api/v1/follow-ups?limit=500&asOf=${midYear}`);
  const kinds = all.items.map((i) => i.kind);
  const order = ['overdue_deadline', 'overdue_milestone', 'indicator_not_met', 'indicator_at_risk', 'returned_report', 'missing_report'];
  t.same([...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)), kinds, 'sorted by severity');
  const returnedItem = all.items.find((i) => i.kind === 'returned_report');
  t.match(returnedItem, { reportId: returned, units: [{ name: '市营商环境局' }], link: `/api/v1/reports/${returned}` });
  t.match(all.items.find((i) => i.kind === 'indicator_at_risk'), { indicatorId: indicator.id });
  const missing = all.items.filter((i) => i.kind === 'missing_report');
  t.ok(missing.length > 0, 'measures with no report for 2024-Q2');
  t.notOk(missing.some((i) => i.measureId === civilMeasure.id || i.measureId === indicator.measureId), 'reported measures are not chased');
  t.ok(all.items.filter((i) => i.kind === 'overdue_milestone').every((i) => i.daysOutstanding > 0));

  const civilOnly = await get<FollowUps>(`/api/v1/follow-ups?limit=500&asOf=${midYear}&unit=${encodeURIComponent('市民政局')}`);
  t.ok(civilOnly.total > 0 && civilOnly.total < all.total);
  const onlyReturned = await get<FollowUps>(`/api/v1/follow-ups?kind=returned_report&asOf=${midYear}`);
  t.same(onlyReturned.items.map((i) => i.reportId), [returned]);
  t.equal((await app.inject(`/api/v1/follow-ups?unit=${encodeURIComponent('无此单位')}`)).statusCode, 400);
});

t.test('follow-ups as they stood, and a target met late is no longer chased', async (t) => {
  type FollowUps = { items: { kind: string; reportId: number | null; measureId: number | null }[] };
  const beforeReturn = await get<FollowUps>(`/api/v1/follow-ups?kind=returned_report&asOf=${encodeURIComponent('2024-07-01T02:30:00Z')}`);
  t.same(beforeReturn.items, [], 'before the coordinator returned it, nothing to chase');

  // Task 3's measure is due 2023 (合规率 >98%); report it completed in 2025 and it leaves the list of 2023 items.
  const task3 = (await get<{ items: { id: number; taskNo: number }[] }>('/api/v1/measures?task=3')).items[0]!;
  const asOf = encodeURIComponent('2025-03-01T00:00:00+08:00');
  const overdueBefore = (await get<FollowUps>(`/api/v1/follow-ups?limit=500&asOf=${asOf}`)).items.filter((i) => i.measureId === task3.id && i.kind.startsWith('overdue'));
  t.ok(overdueBefore.length > 0, 'the 2022/2023 targets are overdue');
  clock = new Date('2025-02-01T02:00:00Z');
  await report(bureau, { measureId: task3.id, period: '2025-Q1', status: 'completed' }, 'approve');
  const overdueAfter = (await get<FollowUps>(`/api/v1/follow-ups?limit=500&asOf=${asOf}`)).items.filter((i) => i.measureId === task3.id && i.kind.startsWith('overdue'));
  t.same(overdueAfter, [], 'completed late: nothing left to chase');
});

t.test('a year outside the plan is a 400', async (t) => {
  for (const url of ['/api/v1/dashboard?year=2030', '/api/v1/chapters/1/progress?year=2019', '/api/v1/units/1/scorecard?year=2026']) {
    const res = await app.inject(url);
    t.equal(res.statusCode, 400, url);
    t.equal(res.json().errors[0].field, '/querystring/year');
  }
});

t.test('a returned report is chased until it is resubmitted, and stays in the list as it stood before', async (t) => {
  type FollowUps = { items: { kind: string; reportId: number | null; since: string }[] };
  const returnedAt = '2024-07-02T00:00:00+08:00';
  const returnedItems = async (asOf: string) =>
    (await get<FollowUps>(`/api/v1/follow-ups?kind=returned_report&asOf=${encodeURIComponent(asOf)}`)).items.map((i) => i.reportId);
  t.same(await returnedItems(returnedAt), [returned]);

  clock = new Date('2025-04-01T02:00:00Z');
  const edited = await app.inject({ method: 'GET', url: `/api/v1/reports/${returned}`, headers: bureau.headers });
  const patched = await app.inject({ method: 'PATCH', url: `/api/v1/reports/${returned}`, headers: { ...bureau.headers, 'if-match': edited.headers.etag }, payload: { narrative: '已补充台账' } });
  t.equal(patched.statusCode, 200);
  t.same(await returnedItems('2025-04-02T00:00:00+08:00'), [returned], 'editing a returned report does not resolve it');

  clock = new Date('2025-05-01T02:00:00Z');
  const resubmitted = await app.inject({ method: 'POST', url: `/api/v1/reports/${returned}/submit`, headers: bureau.headers });
  t.equal(resubmitted.statusCode, 200);
  t.same(await returnedItems('2025-05-02T00:00:00+08:00'), [], 'resubmitted: no longer chased');
  t.same(await returnedItems('2025-04-30T00:00:00+08:00'), [returned], 'the day before, it still was');
  t.same(await returnedItems(returnedAt), [returned], 'and on the day it was returned');
  t.same((await get<FollowUps>('/api/v1/follow-ups?kind=returned_report')).items, [], 'nor now');
});

t.test('follow-ups are paged in the order of the whole list, across kinds, with filters', async (t) => {
  type FollowUps = { items: { kind: string; reportId: number | null; measureId: number | null; since: string }[]; total: number };
  // Returned reports of two units on three days, so the window crosses kinds and ties on a day.
  const civilMeasures = (await get<{ items: { id: number }[] }>('/api/v1/measures?unit=市民政局&limit=500')).items;
  for (const [i, day] of ['2025-06-02', '2025-06-02', '2025-06-09'].entries()) {
    clock = new Date(`${day}T02:00:00Z`);
    await report(civil, { measureId: civilMeasures[i]!.id, period: '2025-Q1', status: 'in_progress' }, 'return');
  }
  clock = new Date('2025-06-20T02:00:00Z');
  await report(bureau, { measureId: indicator.measureId, period: '2025-Q1', status: 'in_progress' }, 'return');

  const asOf = encodeURIComponent('2025-07-01T00:00:00+08:00');
  for (const filter of ['', '&kind=returned_report', `&unit=${encodeURIComponent('市民政局')}`, '&kind=missing_report']) {
    const whole = await get<FollowUps>(`/api/v1/follow-ups?limit=500&asOf=${asOf}${filter}`);
    t.equal(whole.items.length, whole.total, `the whole list${filter}`);
    if (filter !== '&kind=missing_report') t.ok(whole.items.filter((i) => i.kind === 'returned_report').length >= 3, `returned reports listed${filter}`);
    const sinces = whole.items.filter((i) => i.kind === 'returned_report').map((i) => i.since);
    t.same(sinces, [...sinces].sort(), 'returned reports: the oldest first');
    for (const limit of [1, 3, 7]) {
      for (let offset = 0; offset <= whole.total + 1; offset += limit) {
        const page = await get<FollowUps>(`/api/v1/follow-ups?limit=${limit}&offset=${offset}&asOf=${asOf}${filter}`);
        t.equal(page.total, whole.total);
        t.same(page.items, whole.items.slice(offset, offset + limit), `limit ${limit} offset ${offset}${filter}`);
      }
    }
  }
});
