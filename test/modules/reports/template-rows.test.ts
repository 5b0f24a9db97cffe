import t from 'tap';
import { parsePeriod } from '../../../src/modules/reports/period.js';
import { templateRows, type OwedObligation } from '../../../src/modules/reports/template.js';
import type { PrintedMeasure } from '../../../src/modules/reports/measure-numbers.js';

const printed = new Map<number, PrintedMeasure>([
  [1, { measureId: 1, taskNo: 2, measureNo: 1, indicators: [] }],
  [2, { measureId: 2, taskNo: 1, measureNo: 1, indicators: [{ id: 7, name: '覆盖率', unit: '%' }] }],
]);
const owed = (measureId: number, period: string, start: string, end: string, due: string, target: string, state = 'pending'): OwedObligation => ({
  measure: { id: measureId, text: `措施${measureId}` },
  period,
  periodStart: start,
  periodEnd: end,
  dueDate: due,
  target,
  state,
});
const year = owed(1, '2024', '2024-01-01', '2024-12-31', '2024-12-31', '年度目标');
const oneOff = owed(1, '2024', '2021-01-01', '2024-12-31', '2024-12-31', '2024年底前完成');
const quarters = [1, 2, 3, 4].map((q) => owed(2, `2024-Q${q}`, `2024-${String(q * 3 - 2).padStart(2, '0')}-01`, `2024-${String(q * 3).padStart(2, '0')}-30`, `2024-${String(q * 3).padStart(2, '0')}-30`, `第${q}季度`));
const rowsFor = (period: string, obligations: OwedObligation[]) => templateRows('市民政局', parsePeriod(period)!, obligations, printed);

t.test('a quarter’s template: the year’s work reported for the quarter, the quarter’s own obligation, not the others', async (t) => {
  const rows = rowsFor('2024-Q3', [year, ...quarters]);
  t.same(
    rows.map((r) => [r.taskNo, r.measureNo, r.period, r.target]),
    [
      [1, 1, '2024-Q3', '第3季度'],
      [2, 1, '2024-Q3', '年度目标'],
    ],
    'in the breakdown table’s order',
  );
  t.same(rows[0]!.indicators, [{ id: 7, name: '覆盖率', unit: '%' }]);
});

t.test('a year’s template asks for each quarter by its own period', async (t) => {
  t.same(
    rowsFor('2024', [year, ...quarters]).map((r) => r.period),
    ['2024-Q1', '2024-Q2', '2024-Q3', '2024-Q4', '2024'],
  );
});

t.test('two obligations one report answers are one row with both targets; withdrawn work is left out', async (t) => {
  const rows = rowsFor('2024', [year, oneOff, { ...quarters[0]!, state: 'waived' }]);
  t.same(
    rows.map((r) => [r.period, r.target]),
    [['2024', '年度目标\n2024年底前完成']],
  );
});
