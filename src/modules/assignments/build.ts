import type { AssignmentRepository } from './repository.js';
import { duePeriods, owedPeriods, type DuePeriod, type SchedulePart } from './schedule.js';

/** What building a plan's assignments reads from its catalogue. */
export interface PlanForAssignments {
  startYear: number;
  endYear: number;
  /** When the plan was given to the units (交办): its publication, Asia/Shanghai. */
  publishedOn: string;
  measures: {
    id: number;
    ownersNamed: boolean;
    ownerUnitIds: number[];
    responsibleUnitIds: number[];
    schedule: SchedulePart[];
  }[];
  /** Members of each collective. */
  members: Map<number, number[]>;
}

export interface PlannedAssignment {
  measureId: number;
  unitId: number;
  viaUnitId: number | null;
  origin: 'owner' | 'responsible';
  obligations: DuePeriod[];
}

/**
 * One assignment per unit owing a measure: the units the measure names, or the task's responsible units where it
 * names none; a collective stands for its members, each owing its own share. A unit named itself is not named again
 * through a collective.
 */
export function planAssignments(plan: PlanForAssignments): PlannedAssignment[] {
  const planned: PlannedAssignment[] = [];
  for (const measure of plan.measures) {
    const origin = measure.ownersNamed ? 'owner' : 'responsible';
    const named = measure.ownersNamed ? measure.ownerUnitIds : measure.responsibleUnitIds;
    const owing = new Map<number, number | null>();
    for (const unitId of named) if (!plan.members.has(unitId)) owing.set(unitId, null);
    for (const unitId of named) {
      for (const member of plan.members.get(unitId) ?? []) if (!owing.has(member)) owing.set(member, unitId);
    }
    const periods = owedPeriods(duePeriods(measure.schedule, plan), plan.publishedOn);
    for (const [unitId, viaUnitId] of owing) planned.push({ measureId: measure.id, unitId, viaUnitId, origin, obligations: periods });
  }
  return planned;
}

/**
 * Gives a plan's measures to the units that owe them (交办), at the plan's publication, once: a plan that has
 * assignments keeps them (they carry sign-fors and close-outs). Returns how many were made.
 */
export function assignPlan(assignments: AssignmentRepository, planId: number): number {
  if (assignments.countOfPlan(planId) > 0) return 0;
  const plan = assignments.planForAssignments(planId);
  if (!plan) throw new Error(`no plan ${planId} to assign`);
  const assignedAt = new Date(`${plan.publishedOn}T00:00:00+08:00`).toISOString();
  const planned = planAssignments(plan);
  for (const p of planned) assignments.insert({ ...p, assignedAt, reason: null });
  return planned.length;
}
