import t from 'tap';
import { daysUntilDue, obligationLight, obligationState, worstLight, type LightRules } from '../../../src/modules/assignments/lights.js';
import type { ObligationFacts } from '../../../src/modules/assignments/obligation-repository.js';

const facts = (over: Partial<ObligationFacts> = {}): ObligationFacts => ({
  id: 1,
  assignmentId: 1,
  measureId: 1,
  taskId: 1,
  unitId: 1,
  kind: 'yearly',
  period: '2024',
  periodStart: '2024-01-01',
  periodEnd: '2024-12-31',
  dueDate: '2024-12-31',
  withdrawnAt: null,
  completedAt: null,
  reported: 0,
  returnedAt: null,
  ...over,
});
const rules = (instant: string, warningDays = 30): LightRules => {
  const asOf = new Date(instant);
  return { asOf, today: new Date(asOf.getTime() + 8 * 3_600_000).toISOString().slice(0, 10), warningDays };
};
const judge = (o: ObligationFacts, r: LightRules, signal?: { notMet: boolean; atRisk: boolean }) => {
  const state = obligationState(o, r);
  return `${state}/${obligationLight(o, state, r, signal)}`;
};

t.test('states: completion wins, then waived, overdue the day after the due date, reported, pending', async (t) => {
  const june = rules('2024-06-01T12:00:00+08:00');
  t.equal(judge(facts(), june), 'pending/green');
  t.equal(judge(facts({ reported: 1 }), june), 'reported/green');
  t.equal(judge(facts({ completedAt: '2025-02-01T00:00:00Z' }), rules('2025-03-01T00:00:00+08:00')), 'completed/green', 'done late is done');
  t.equal(judge(facts({ withdrawnAt: '2024-03-01T00:00:00Z' }), rules('2025-03-01T00:00:00+08:00')), 'waived/green');
  t.equal(judge(facts(), rules('2024-12-31T23:59:59+08:00')), 'pending/yellow', 'the due date itself is not overdue');
  t.equal(judge(facts(), rules('2025-01-01T00:00:00+08:00')), 'overdue/red', 'Asia/Shanghai midnight');
  t.equal(judge(facts(), rules('2024-12-31T16:00:00Z')), 'overdue/red', 'the same instant in UTC');
});

t.test('yellow within the warning days; red when returned or an indicator is not met; yellow at risk', async (t) => {
  t.equal(daysUntilDue('2024-12-31', new Date('2024-12-01T00:00:00+08:00')), 30);
  t.equal(judge(facts(), rules('2024-12-01T00:00:00+08:00')), 'pending/yellow');
  t.equal(judge(facts(), rules('2024-11-30T23:59:59+08:00')), 'pending/green');
  t.equal(judge(facts(), rules('2024-12-01T00:00:00+08:00', 0)), 'pending/green', 'WARNING_DAYS=0');
  t.equal(judge(facts({ returnedAt: '2024-05-01T00:00:00Z' }), rules('2024-06-01T00:00:00+08:00')), 'pending/red');
  t.equal(judge(facts(), rules('2024-06-01T00:00:00+08:00'), { notMet: false, atRisk: true }), 'pending/yellow');
  t.equal(
    judge(facts({ completedAt: '2024-05-01T00:00:00Z' }), rules('2025-06-01T00:00:00+08:00'), { notMet: true, atRisk: false }),
    'completed/red',
    'reported done, but the figure missed the target',
  );
  t.equal(judge(facts({ completedAt: '2024-05-01T00:00:00Z' }), rules('2024-06-01T00:00:00+08:00'), { notMet: false, atRisk: true }), 'completed/yellow');
  t.equal(judge(facts({ withdrawnAt: '2024-03-01T00:00:00Z' }), rules('2025-06-01T00:00:00+08:00'), { notMet: true, atRisk: false }), 'waived/green');
});

t.test('roll-up: worst wins', async (t) => {
  t.equal(worstLight([]), 'green');
  t.equal(worstLight(['green', 'yellow', 'green']), 'yellow');
  t.equal(worstLight(['yellow', 'red', 'green']), 'red');
});
