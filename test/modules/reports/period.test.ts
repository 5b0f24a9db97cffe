import t from 'tap';
import { parsePeriod } from '../../../src/modules/reports/period.js';

t.test('years, halves, quarters and months', async (t) => {
  t.same(parsePeriod('2024'), { text: '2024', year: 2024, start: '2024-01-01', end: '2024-12-31' });
  t.same(parsePeriod('2024-Q1'), { text: '2024-Q1', year: 2024, start: '2024-01-01', end: '2024-03-31' });
  t.same(parsePeriod('2023-Q4'), { text: '2023-Q4', year: 2023, start: '2023-10-01', end: '2023-12-31' });
  t.same(parsePeriod('2024-02'), { text: '2024-02', year: 2024, start: '2024-02-01', end: '2024-02-29' }, 'leap year');
  t.same(parsePeriod('2023-02'), { text: '2023-02', year: 2023, start: '2023-02-01', end: '2023-02-28' });
  t.same(parsePeriod('2022-11')?.end, '2022-11-30');
  t.same(parsePeriod('2024-H1'), { text: '2024-H1', year: 2024, start: '2024-01-01', end: '2024-06-30' });
  t.same(parsePeriod('2024-H2'), { text: '2024-H2', year: 2024, start: '2024-07-01', end: '2024-12-31' });
});

t.test('anything else is not a period', async (t) => {
  for (const text of ['2024-Q5', '2024-Q0', '2024-13', '2024-00', '24', '2024-1', '2024Q3', ' 2024', '2024-Q3 ', 'Q3-2024', '', '2024-H3', '2024-H0', '2024-h1', '2024H1']) {
    t.equal(parsePeriod(text), undefined, JSON.stringify(text));
  }
});
