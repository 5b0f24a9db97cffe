import type { Db } from '../../db/client.js';
import type { ScheduleKind } from './schedule.js';

/** An obligation with what its state at an instant is computed from (see lights.ts). */
export interface ObligationFacts {
  id: number;
  assignmentId: number;
  measureId: number;
  taskId: number;
  unitId: number;
  kind: ScheduleKind;
  period: string;
  periodStart: string;
  periodEnd: string;
  dueDate: string;
  /** Since when it is no longer asked for: its assignment was withdrawn, or an amendment waived it. */
  withdrawnAt: string | null;
  /** When an approved report of the unit within the period said "completed" (the earliest one standing at T). */
  completedAt: string | null;
  /** 1 when the unit had sent (submitted) a report within the period by T, else 0. */
  reported: number;
  /** Since when a report of the unit within the period has stood returned and not resubmitted, at T. */
  returnedAt: string | null;
}

export interface ObligationScope {
  planId: number;
  unitIds?: number[] | undefined;
  taskId?: number | undefined;
  measureId?: number | undefined;
  measureIds?: number[] | undefined;
  assignmentId?: number | undefined;
  /** Due dates within [dueFrom, dueTo], ISO dates. */
  dueFrom?: string | undefined;
  dueTo?: string | undefined;
}

// A report answers an obligation when it is the obligation's unit's report on its measure for a period within the
// obligation's period (a report's period lies within one year, so its end bounds the index range).
const ANSWERS = `r.unit_id = a.unit_id AND r.measure_id = a.measure_id
  AND r.period_end BETWEEN o.period_start AND o.period_end AND r.period_start >= o.period_start`;

/**
 * The facts of every obligation in scope, as of `asOf`: one statement, up to three index seeks per obligation
 * (progress_reports_answers_completed, _answers_sent, report_returns_answers), however many reports there are.
 */
export function createObligationRepository(db: Db) {
  // Completion alone (for what only asks "done or not": follow-ups) skips the two other seeks per obligation.
  const factsSql = (completionOnly: boolean) => `
    SELECT o.id, o.assignment_id AS assignmentId, a.measure_id AS measureId, m.task_id AS taskId, a.unit_id AS unitId,
      o.kind, o.period, o.period_start AS periodStart, o.period_end AS periodEnd, o.due_date AS dueDate,
      CASE WHEN o.waived_at <= :asOf THEN o.waived_at WHEN a.withdrawn_at <= :asOf THEN a.withdrawn_at END AS withdrawnAt,
      (SELECT min(r.reviewed_at) FROM progress_reports r
        WHERE ${ANSWERS} AND r.status = 'completed' AND r.state IN ('approved', 'superseded')
          AND r.reviewed_at <= :asOf AND (r.superseded_at IS NULL OR r.superseded_at > :asOf)) AS completedAt,
      ${
        completionOnly
          ? '0 AS reported, NULL AS returnedAt'
          : `EXISTS (SELECT 1 FROM progress_reports r
        WHERE ${ANSWERS} AND r.state <> 'draft' AND coalesce(r.submitted_at, r.created_at) <= :asOf) AS reported,
      (SELECT min(x.returned_at) FROM report_returns x
        WHERE x.unit_id = a.unit_id AND x.measure_id = a.measure_id
          AND x.period_end BETWEEN o.period_start AND o.period_end AND x.period_start >= o.period_start
          AND x.returned_at <= :asOf AND (x.resolved_at IS NULL OR x.resolved_at > :asOf)) AS returnedAt`
      }
    FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN measures m ON m.id = a.measure_id
      JOIN tasks t ON t.id = m.task_id
    WHERE t.plan_id = :planId AND a.assigned_at <= :asOf
      AND (:unitIds IS NULL OR a.unit_id IN (SELECT value FROM json_each(:unitIds)))
      AND (:taskId IS NULL OR m.task_id = :taskId) AND (:measureId IS NULL OR a.measure_id = :measureId)
      AND (:measureIds IS NULL OR a.measure_id IN (SELECT value FROM json_each(:measureIds)))
      AND (:assignmentId IS NULL OR o.assignment_id = :assignmentId)
      AND (:dueFrom IS NULL OR o.due_date >= :dueFrom) AND (:dueTo IS NULL OR o.due_date <= :dueTo)
    ORDER BY o.due_date, t.no, m.position, a.unit_id, o.period`;
  const facts = db.$client.prepare<Record<string, unknown>, ObligationFacts>(factsSql(false));
  const completion = db.$client.prepare<Record<string, unknown>, ObligationFacts>(factsSql(true));

  return {
    /** The facts of every obligation in scope as of `asOf`; with `completionOnly`, reported is 0 and returnedAt null. */
    factsAsOf(scope: ObligationScope, asOf: string, completionOnly = false): ObligationFacts[] {
      return (completionOnly ? completion : facts).all({
        planId: scope.planId,
        asOf,
        unitIds: scope.unitIds ? JSON.stringify(scope.unitIds) : null,
        taskId: scope.taskId ?? null,
        measureId: scope.measureId ?? null,
        measureIds: scope.measureIds ? JSON.stringify(scope.measureIds) : null,
        assignmentId: scope.assignmentId ?? null,
        dueFrom: scope.dueFrom ?? null,
        dueTo: scope.dueTo ?? null,
      });
    },
  };
}

export type ObligationRepository = ReturnType<typeof createObligationRepository>;
