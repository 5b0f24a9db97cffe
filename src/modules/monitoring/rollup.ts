import { worstLight, type Light } from '../assignments/lights.js';
import type { JudgedObligation } from '../assignments/service.js';

export const MEASURE_STATUSES = ['completed', 'on_track', 'overdue', 'not_reported'] as const;
export type MeasureStatus = (typeof MEASURE_STATUSES)[number];
export type StatusCounts = Record<MeasureStatus, number> & { total: number; shareCompleted: number };

/** A measure for a period (the obligations in scope): how many owing units have done it, and what that makes it. */
export interface MeasureProgress {
  measureId: number;
  status: MeasureStatus;
  light: Light;
  /** Units owing it in scope (waived ones left out), and how many of them completed every obligation in scope: k of n. */
  owing: number;
  completed: number;
  /** Units with an overdue obligation, and the earliest due date missed. */
  overdueUnitIds: number[];
  overdueSince: string | null;
}

/**
 * The roll-up of a measure from its units' obligations in scope (usually those due in a year): completed when every
 * owing unit has completed all of them (k = n); overdue when any unit has one overdue; on track when some unit has
 * reported or completed; not reported otherwise. Waived obligations count for nothing. The light is the worst of the
 * obligations'.
 */
export function measureProgress(obligations: JudgedObligation[]): Map<number, MeasureProgress> {
  const byMeasure = new Map<number, JudgedObligation[]>();
  for (const o of obligations) {
    if (o.state === 'waived') continue;
    const list = byMeasure.get(o.measureId);
    if (list) list.push(o);
    else byMeasure.set(o.measureId, [o]);
  }
  const progress = new Map<number, MeasureProgress>();
  for (const [measureId, owed] of byMeasure) {
    const units = new Set(owed.map((o) => o.unitId));
    const unfinished = new Set(owed.filter((o) => o.state !== 'completed').map((o) => o.unitId));
    const overdue = owed.filter((o) => o.state === 'overdue');
    const overdueSince = overdue.map((o) => o.dueDate).sort()[0] ?? null;
    const status: MeasureStatus = unfinished.size === 0 ? 'completed' : overdue.length > 0 ? 'overdue' : owed.some((o) => o.state !== 'pending') ? 'on_track' : 'not_reported';
    progress.set(measureId, {
      measureId,
      status,
      light: worstLight(owed.map((o) => o.light)),
      owing: units.size,
      completed: units.size - unfinished.size,
      overdueUnitIds: [...new Set(overdue.map((o) => o.unitId))],
      overdueSince,
    });
  }
  return progress;
}

export function countStatuses(statuses: MeasureStatus[]): StatusCounts {
  const counts = { completed: 0, on_track: 0, overdue: 0, not_reported: 0 };
  for (const status of statuses) counts[status]++;
  const total = statuses.length;
  return { ...counts, total, shareCompleted: total === 0 ? 0 : Math.round((counts.completed / total) * 1000) / 1000 };
}

/** Counts and the worst light of a group of measures (a task, a chapter, the plan). */
export function groupOf(progress: MeasureProgress[]) {
  return { ...countStatuses(progress.map((p) => p.status)), light: worstLight(progress.map((p) => p.light)) };
}
