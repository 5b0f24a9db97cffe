import t from 'tap';
import { ATTAINMENTS, judgeTarget, satisfies, yearElapsed, type TargetCase } from '../../src/modules/monitoring/evaluation.js';
import type { JudgedObligation } from '../../src/modules/assignments/service.js';
import { countStatuses, measureProgress } from '../../src/modules/monitoring/rollup.js';

const pct = (value: number) => ({ value, unit: '%' });
const base: TargetCase = {
  year: 2024,
  comparator: '>=',
  target: pct(80),
  direction: 'increase',
  actual: pct(70),
  baseline: pct(60),
  asOf: new Date('2024-07-02T00:00:00+08:00'),
};

t.test('comparators', async (t) => {
  t.ok(satisfies(80, '>=', 80));
  t.notOk(satisfies(80, '>', 80));
  t.ok(satisfies(98.1, '>', 98));
  t.ok(satisfies(0.9, '<', 1));
  t.notOk(satisfies(1, '<', 1));
  t.ok(satisfies(1, '<=', 1));
  t.notOk(satisfies(1.1, '<=', 1));
  t.notOk(satisfies(79, '>=', 80));
  t.ok(satisfies(0, '=', 0));
  t.notOk(satisfies(1, '=', 0));
});

t.test('the year runs in Asia/Shanghai', async (t) => {
  t.equal(yearElapsed(2024, new Date('2023-12-31T16:00:00Z')), 0, 'midnight of 1 January in Shanghai');
  t.equal(yearElapsed(2024, new Date('2024-12-31T16:00:00Z')), 1, 'midnight of 1 January 2025 in Shanghai');
  t.ok(Math.abs(yearElapsed(2024, new Date('2024-07-02T00:00:00+08:00')) - 0.5) < 0.01);
  t.equal(yearElapsed(2024, new Date('2030-01-01')), 1);
  t.equal(yearElapsed(2024, new Date('2020-01-01')), 0);
});

t.test('met, not met, and no data', async (t) => {
  t.same(judgeTarget({ ...base, actual: pct(80) }), { attainment: 'met', expected: null });
  t.equal(judgeTarget({ ...base, actual: pct(79.9), asOf: new Date('2025-01-05T00:00:00+08:00') }).attainment, 'not_met', 'the year is over');
  t.equal(judgeTarget({ ...base, actual: null }).attainment, 'no_data');
  t.equal(judgeTarget({ ...base, actual: null, asOf: new Date('2026-01-01') }).attainment, 'no_data', 'missing data is not a failure');
});

t.test('at risk: behind the straight line from last year’s value to the target, before the year is over', async (t) => {
  // Halfway through 2024 the line from 60 to 80 stands at ~70.
  const ahead = judgeTarget({ ...base, actual: pct(72) });
  t.equal(ahead.attainment, 'on_track');
  t.ok(Math.abs(ahead.expected! - 70) < 0.2);
  t.equal(judgeTarget({ ...base, actual: pct(65) }).attainment, 'at_risk');
  t.equal(judgeTarget({ ...base, actual: pct(65), asOf: new Date('2024-02-01T00:00:00+08:00') }).attainment, 'on_track', 'early in the year 65 is ahead of the line');
  t.equal(judgeTarget({ ...base, baseline: null }).attainment, 'at_risk', 'no line to be ahead of');
});

t.test('on the line is on track, in either direction', async (t) => {
  // 2024 has 366 days: at 2 July 00:00 in Shanghai exactly half of it has passed.
  const half = new Date('2024-07-02T00:00:00+08:00');
  t.equal(yearElapsed(2024, half), 0.5);
  t.same(judgeTarget({ ...base, actual: pct(70), asOf: half }), { attainment: 'on_track', expected: 70 }, 'the line from 60 to 80 stands at 70');
  const errorRate: TargetCase = { ...base, comparator: '<', direction: 'decrease', target: pct(1), baseline: pct(3), actual: pct(2), asOf: half };
  t.same(judgeTarget(errorRate), { attainment: 'on_track', expected: 2 }, 'the line from 3 down to 1 stands at 2');
});

t.test('the baseline is compared in the target’s unit too', async (t) => {
  t.throws(() => judgeTarget({ ...base, baseline: { value: 0.6, unit: '万户' } }), { message: 'cannot compare 0.6万户 with 80%: different units' });
});

t.test('every attainment judgeTarget gives is one of ATTAINMENTS, and each of them is given', async (t) => {
  const given = new Set(
    [
      { ...base, actual: null },
      { ...base, actual: pct(80) },
      { ...base, actual: pct(70), asOf: new Date('2025-01-01T00:00:00+08:00') },
      { ...base, actual: pct(65) },
      { ...base, actual: pct(75) },
    ].map((c) => judgeTarget(c).attainment),
  );
  t.same([...given].sort(), [...ATTAINMENTS].sort());
});

t.test('direction: a smaller error rate is better (per ten thousand)', async (t) => {
  const errorRate: TargetCase = {
    year: 2024,
    comparator: '<',
    target: { value: 1, unit: '‱' },
    direction: 'decrease',
    actual: { value: 0.8, unit: '‱' },
    baseline: { value: 3, unit: '‱' },
    asOf: new Date('2024-07-02T00:00:00+08:00'),
  };
  t.equal(judgeTarget(errorRate).attainment, 'met');
  t.equal(judgeTarget({ ...errorRate, actual: { value: 1, unit: '‱' } }).attainment, 'on_track', '1‱ is not below 1‱, but the line from 3 stands at ~2');
  t.equal(judgeTarget({ ...errorRate, actual: { value: 2.5, unit: '‱' } }).attainment, 'at_risk', 'above the line on a decreasing indicator');
  t.equal(judgeTarget({ ...errorRate, actual: { value: 1.5, unit: '‱' }, asOf: new Date('2025-03-01') }).attainment, 'not_met');
});

t.test('counts in 万户 and money in 亿元 are judged in their own unit', async (t) => {
  const households: TargetCase = { ...base, comparator: '>', target: { value: 1.7, unit: '万户' }, actual: { value: 1.72, unit: '万户' }, baseline: null };
  t.equal(judgeTarget(households).attainment, 'met');
  t.throws(() => judgeTarget({ ...households, actual: { value: 17_200, unit: '户' } }), /different units/, 'never compares 户 with 万户');
  t.throws(() => judgeTarget({ ...base, actual: { value: 0.5, unit: '‰' }, target: { value: 1, unit: '‱' } }), /different units/);
});

t.test('a measure for a year, from its units’ obligations: k of n, worst light', async (t) => {
  const o = (unitId: number, state: JudgedObligation['state'], light: JudgedObligation['light'], dueDate = '2024-12-31') =>
    ({
      id: unitId * 10,
      assignmentId: unitId,
      measureId: 7,
      taskId: 1,
      unitId,
      kind: 'yearly',
      period: '2024',
      periodStart: '2024-01-01',
      periodEnd: '2024-12-31',
      dueDate,
      withdrawnAt: null,
      completedAt: null,
      reported: 0,
      returnedAt: null,
      state,
      light,
    }) as JudgedObligation;
  const of = (...obligations: JudgedObligation[]) => measureProgress(obligations).get(7);
  t.match(of(o(1, 'completed', 'green'), o(2, 'completed', 'green')), { status: 'completed', owing: 2, completed: 2, light: 'green' });
  t.match(of(o(1, 'completed', 'green'), o(2, 'pending', 'yellow')), { status: 'on_track', owing: 2, completed: 1, light: 'yellow' }, 'one county done is not the measure done');
  t.match(of(o(1, 'completed', 'green'), o(2, 'overdue', 'red'), o(3, 'overdue', 'red', '2024-06-30')), {
    status: 'overdue',
    completed: 1,
    owing: 3,
    overdueUnitIds: [2, 3],
    overdueSince: '2024-06-30',
    light: 'red',
  });
  t.match(of(o(1, 'pending', 'green')), { status: 'not_reported', completed: 0 });
  t.match(of(o(1, 'reported', 'green')), { status: 'on_track' });
  t.match(of(o(1, 'completed', 'green'), o(2, 'waived', 'green')), { status: 'completed', owing: 1, completed: 1 }, 'a waived obligation counts for nothing');
  t.equal(of(o(1, 'waived', 'green')), undefined, 'nothing owed');
  t.match(of(o(1, 'completed', 'green'), o(1, 'pending', 'green', '2024-06-30')), { owing: 1, completed: 0 }, 'a unit counts as done when all its obligations in scope are');
  t.same(countStatuses(['completed', 'overdue', 'overdue']), { completed: 1, on_track: 0, overdue: 2, not_reported: 0, total: 3, shareCompleted: 0.333 });
});
