import type { Db } from '../../db/client.js';
import type { PROGRESS_STATUSES } from '../../db/schema.js';
import { APPROVED_AS_OF } from '../monitoring/repository.js';

/** One row of the breakdown table: a measure with its task's cells, as printed in the document. */
export interface BreakdownRow {
  measureId: number;
  taskId: number;
  taskNo: number;
  chapterTitle: string;
  taskTitle: string;
  leadUnitsText: string;
  responsibleUnitsText: string;
  measureNo: number | null;
  measureText: string;
  targetsText: string;
  deadlineText: string | null;
}

export interface LatestReport {
  measureId: number;
  reportId: number;
  period: string;
  unitName: string;
  status: (typeof PROGRESS_STATUSES)[number];
  narrative: string;
  reviewedAt: string;
}

/**
 * The reads the exports need beyond the monitoring service, in hand-written SQL like monitoring's (a window over
 * approved reports reads better as SQL than as builder calls). "Approved as of T" is monitoring's rule: approved
 * (or later superseded) at or before T, and not superseded by T.
 */
export function createExportRepository(db: Db) {
  const raw = db.$client;
  const rowsOfPlan = raw.prepare<[number], BreakdownRow>(`
    SELECT m.id AS measureId, t.id AS taskId, t.no AS taskNo, c.title AS chapterTitle, t.title AS taskTitle,
           t.lead_units_text AS leadUnitsText, t.responsible_units_text AS responsibleUnitsText,
           m.no AS measureNo, m.text AS measureText, m.targets_text AS targetsText, m.deadline_text AS deadlineText
    FROM measures m JOIN tasks t ON t.id = m.task_id JOIN chapters c ON c.id = t.chapter_id
    WHERE t.plan_id = ? ORDER BY t.no, m.position`);
  // Per measure, the approved report of the latest period ending by the end of the year (then the latest
  // approval): what stood for that year at asOf. One pass over progress_reports_approved_measure.
  const latestOfPlan = raw.prepare<Record<string, unknown>, LatestReport>(`
    SELECT measureId, reportId, period, unitName, status, narrative, reviewedAt FROM (
      SELECT r.measure_id AS measureId, r.id AS reportId, r.period, u.name AS unitName, r.status, r.narrative,
             r.reviewed_at AS reviewedAt,
             row_number() OVER (PARTITION BY r.measure_id ORDER BY r.period_end DESC, r.reviewed_at DESC, r.id DESC) AS n
      FROM progress_reports r JOIN measures m ON m.id = r.measure_id JOIN tasks t ON t.id = m.task_id
      JOIN units u ON u.id = r.unit_id
      WHERE t.plan_id = :planId AND r.period_end <= :yearEnd
        AND ${APPROVED_AS_OF})
    WHERE n = 1`);

  return {
    /** Every measure of the plan in document order (task 序号, then the measure's place in the task). */
    rows: (planId: number) => rowsOfPlan.all(planId),

    /** Per measure: the latest approved report for a period within `year` or before, as of `asOf`. */
    latestReports(planId: number, year: number, asOf: string): Map<number, LatestReport> {
      return new Map(latestOfPlan.all({ planId, yearEnd: `${year}-12-31`, asOf }).map((r) => [r.measureId, r]));
    },
  };
}

export type ExportRepository = ReturnType<typeof createExportRepository>;
