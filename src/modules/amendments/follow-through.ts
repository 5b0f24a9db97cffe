import { planAssignments, type PlanForAssignments } from '../assignments/build.js';
import type { AssignmentRepository } from '../assignments/repository.js';
import { duePeriods, owedPeriods } from '../assignments/schedule.js';

/** Why and from when an amendment changes who owes what. */
export interface Amendment {
  revisionId: number;
  reason: string;
  /** The day the change counts from (Asia/Shanghai), and that day's first instant. */
  effectiveOn: string;
  effectiveAt: string;
}

/** An assignment an amendment gave, gave back or withdrew: recorded like the same act by hand (audit, feed). */
export interface MovedAssignment {
  id: number;
  action: 'assignment.add' | 'assignment.reinstate' | 'assignment.withdraw';
}

/**
 * Makes a measure's assignments and obligations follow its amended owners and schedule, from the effective day on:
 * a unit that no longer owes it is withdrawn (its open obligations waived), a unit that now owes it is assigned
 * (or reinstated) and asked for the periods from that day, and standing assignments stop being asked for periods the
 * new schedule no longer has and are asked for the ones it adds. What was owed before that day stays as it was;
 * completed obligations keep their reports. A retired measure is owed by no one. Returns the assignments it moved.
 */
export function followMeasures(
  assignments: AssignmentRepository,
  planId: number,
  measures: readonly { measureId: number; retired: boolean }[],
  change: Amendment,
): MovedAssignment[] {
  if (measures.length === 0) return [];
  // The plan is read once, however many of its measures follow.
  const plan = assignments.planForAssignments(planId)!;
  return measures.flatMap(({ measureId, retired }) => followMeasure(assignments, planId, plan, measureId, retired, change));
}

function followMeasure(assignments: AssignmentRepository, planId: number, plan: PlanForAssignments, measureId: number, retired: boolean, change: Amendment): MovedAssignment[] {
  const moved: MovedAssignment[] = [];
  const measure = plan.measures.find((m) => m.id === measureId)!;
  const owing = retired ? [] : planAssignments({ ...plan, measures: [measure] });
  const periods = owedPeriods(duePeriods(measure.schedule, plan), change.effectiveOn);
  const wanted = new Set(periods.map((p) => `${p.period}/${p.dueDate}`));
  const note = `修订 #${change.revisionId}：${change.reason}`;

  for (const planned of owing) {
    const existing = assignments.find(measureId, planned.unitId);
    if (!existing) {
      moved.push({ id: assignments.insert({ ...planned, obligations: periods, assignedAt: change.effectiveAt, reason: note }), action: 'assignment.add' });
    } else if (existing.withdrawnAt !== null) {
      assignments.update(existing.id, { withdrawnAt: null, withdrawnReason: null, reason: note });
      assignments.addObligations(existing.id, periods);
      moved.push({ id: existing.id, action: 'assignment.reinstate' });
    }
  }
  const owingUnits = new Set(owing.map((p) => p.unitId));
  for (const standing of assignments.list(planId, '9999-12-31', { measureId }).filter((a) => a.withdrawnAt === null)) {
    if (!owingUnits.has(standing.unitId)) {
      assignments.update(standing.id, { withdrawnAt: change.effectiveAt, withdrawnReason: note });
      moved.push({ id: standing.id, action: 'assignment.withdraw' });
      continue;
    }
    assignments.addObligations(standing.id, periods);
    for (const o of assignments.obligationsOf(standing.id)) {
      if (o.dueDate >= change.effectiveOn && !wanted.has(`${o.period}/${o.dueDate}`)) assignments.waiveObligation(o.id, change.effectiveAt, change.revisionId);
    }
  }
  return moved;
}
