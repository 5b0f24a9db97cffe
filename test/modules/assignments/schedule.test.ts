import t from 'tap';
import { planAssignments } from '../../../src/modules/assignments/build.js';
import { duePeriods, owedPeriods, type SchedulePart } from '../../../src/modules/assignments/schedule.js';

const plan = { startYear: 2021, endYear: 2025 };
const once = (dueDate: string): SchedulePart => ({ kind: 'once', dueDate, fromYear: null, untilYear: null });
const every = (kind: SchedulePart['kind'], fromYear: number | null, untilYear: number | null): SchedulePart => ({ kind, dueDate: null, fromYear, untilYear });
const brief = (parts: SchedulePart[]) => duePeriods(parts, plan).map((p) => `${p.period} ${p.periodStart}..${p.periodEnd} due ${p.dueDate}`);

t.test('a one-off is owed once, answered by any report from the plan’s start to the end of its due year', async (t) => {
  t.same(brief([once('2024-06-30')]), ['2024 2021-01-01..2024-12-31 due 2024-06-30'], 'a month end as written (6月底前)');
});

t.test('stepped one-offs are owed step by step: each answered by the reports after the step before fell due', async (t) => {
  t.same(brief([once('2025-12-31'), once('2023-12-31'), once('2024-06-30')]), [
    '2023 2021-01-01..2023-12-31 due 2023-12-31',
    '2024 2024-01-01..2024-12-31 due 2024-06-30',
    '2025 2024-07-01..2025-12-31 due 2025-12-31',
  ]);
});

t.test('recurring work is owed every period, within the plan’s years', async (t) => {
  t.same(brief([every('yearly', 2023, 2024)]), ['2023 2023-01-01..2023-12-31 due 2023-12-31', '2024 2024-01-01..2024-12-31 due 2024-12-31']);
  t.same(brief([every('half_yearly', 2025, 2025)]), ['2025-H1 2025-01-01..2025-06-30 due 2025-06-30', '2025-H2 2025-07-01..2025-12-31 due 2025-12-31']);
  t.same(
    duePeriods([every('quarterly', 2024, 2024)], plan).map((p) => [p.period, p.dueDate]),
    [
      ['2024-Q1', '2024-03-31'],
      ['2024-Q2', '2024-06-30'],
      ['2024-Q3', '2024-09-30'],
      ['2024-Q4', '2024-12-31'],
    ],
  );
  t.same(
    duePeriods([every('continuous', 2024, null)], plan).map((p) => p.period),
    ['2024', '2025'],
    'continuous runs to the plan’s end',
  );
  t.same(
    duePeriods([every('yearly', 2019, 2030)], plan).map((p) => p.period),
    ['2021', '2022', '2023', '2024', '2025'],
    'clamped to the plan',
  );
  t.same(duePeriods([every('continuous', null, null)], plan).length, 5, 'no year given: the whole plan');
});

t.test('a dated deadline followed by ongoing work stays owed after the deadline; a shared period is one obligation', async (t) => {
  t.same(
    duePeriods([once('2022-12-31'), every('continuous', 2023, null)], plan).map((p) => [p.kind, p.period]),
    [
      ['once', '2022'],
      ['continuous', '2023'],
      ['continuous', '2024'],
      ['continuous', '2025'],
    ],
  );
  t.same(
    duePeriods([once('2024-12-31'), every('yearly', 2024, 2025)], plan).map((p) => [p.kind, p.period]),
    [
      ['once', '2024'],
      ['yearly', '2025'],
    ],
  );
});

t.test('what an assignment owes: recurring periods that ended before it was given are not asked for; one-offs are', async (t) => {
  const periods = duePeriods([once('2022-12-31'), every('yearly', 2022, 2025)], plan);
  t.same(
    owedPeriods(periods, '2023-10-08').map((p) => [p.kind, p.period]),
    [
      ['once', '2022'],
      ['yearly', '2023'],
      ['yearly', '2024'],
      ['yearly', '2025'],
    ],
  );
});

t.test('assignments: the named owners, else the task’s responsible units; collectives expanded, a unit named once', async (t) => {
  const members = new Map([[100, [1, 2, 3]]]);
  const measure = (id: number, ownersNamed: boolean, ownerUnitIds: number[], responsibleUnitIds: number[]) => ({
    id,
    ownersNamed,
    ownerUnitIds,
    responsibleUnitIds,
    schedule: [once('2025-12-31')],
  });
  const planned = planAssignments({
    ...plan,
    publishedOn: '2023-10-08',
    members,
    measures: [measure(7, true, [5], [100]), measure(8, false, [5], [100, 2, 9])],
  });
  t.same(
    planned.map((a) => [a.measureId, a.unitId, a.viaUnitId, a.origin]),
    [
      [7, 5, null, 'owner'],
      [8, 2, null, 'responsible'],
      [8, 9, null, 'responsible'],
      [8, 1, 100, 'responsible'],
      [8, 3, 100, 'responsible'],
    ],
  );
  t.ok(planned.every((a) => a.obligations.length === 1 && a.obligations[0]!.dueDate === '2025-12-31'));
});
