/**
 * Comparators at the boundary, through HTTP: 以上/以下/以内/不低于/不超过 include the figure (民法典 第1259条), 超过/低于
 * exclude it. Each indicator gets its target value exactly, and a hair either side, reported by the lead unit that
 * states the city's figure; the series judges it once the year is over.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { readClient } from '../helpers/http.js';
import { issueKey } from '../helpers/keys.js';

let clock = new Date('2024-01-05T02:00:00Z');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock });
const { all, get } = readClient(app);
const coordinator = issueKey(databasePath, 'coordinator');
const leads = { bureau: issueKey(databasePath, 'reporter', '市营商环境局'), civil: issueKey(databasePath, 'reporter', '市民政局') };
const indicators = await all<{ id: number; key: string; measureId: number }>('/api/v1/indicators');

/** Approves `value` as the lead's figure for `period`, then reads the year's city judgement as the year closed. */
async function judged(key: keyof typeof leads, indicatorKey: string, period: string, value: number) {
  const indicator = indicators.find((i) => i.key === indicatorKey)!;
  clock = new Date(clock.getTime() + 86_400_000);
  const posted = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: leads[key].headers,
    payload: { measureId: indicator.measureId, period, status: 'in_progress', indicatorValues: [{ indicatorId: indicator.id, value }], submit: true },
  });
  if (posted.statusCode !== 201) throw new Error(posted.body);
  const approved = await app.inject({ method: 'POST', url: `/api/v1/reports/${posted.json().id}/approve`, headers: coordinator.headers, payload: {} });
  if (approved.statusCode !== 200) throw new Error(approved.body);
  const year = Number(period.slice(0, 4));
  const series = await get<{ years: { year: number; target: { comparator: string; value: number }; city: { actual: number; attainment: string } }[] }>(
    `/api/v1/indicators/${indicator.id}/series?asOf=${year + 1}-01-10`,
  );
  const y = series.years.find((s) => s.year === year)!;
  return `${y.target.comparator}${y.target.value}: ${y.city.actual} ${y.city.attainment}`;
}

t.test('不低于 80% (>=): 80 meets it, 79.9 does not', async (t) => {
  t.equal(await judged('bureau', 'gov-integrity-commitment-rate', '2024-Q1', 79.9), '>=80: 79.9 not_met');
  t.equal(await judged('bureau', 'gov-integrity-commitment-rate', '2024-Q2', 80), '>=80: 80 met');
});

t.test('超过 98% (>): 98 does not meet it, 98.01 does', async (t) => {
  t.equal(await judged('bureau', 'double-publicity-compliance-rate', '2023-Q3', 98), '>98: 98 not_met');
  t.equal(await judged('bureau', 'double-publicity-compliance-rate', '2023-Q4', 98.01), '>98: 98.01 met');
});

t.test('降至1‰以下 (<=): 1 meets it, 1.01 does not', async (t) => {
  t.equal(await judged('civil', 'social-org-uscc-duplicate-error-rate', '2025-Q3', 1.01), '<=1: 1.01 not_met');
  t.equal(await judged('civil', 'social-org-uscc-duplicate-error-rate', '2025-Q4', 1), '<=1: 1 met');
});
