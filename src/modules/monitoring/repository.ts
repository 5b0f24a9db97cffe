import type { Db } from '../../db/client.js';

/**
 * The reads monitoring needs, in hand-written SQL: per-measure correlated EXISTS queries read better as SQL than
 * as builder calls, and they stay behind this repository like every other query. "Approved as of T" means: approved (or later superseded) at or before T, and not
 * superseded by T — so a past date shows the picture as it stood then.
 */
export const APPROVED_AS_OF = `r.state IN ('approved', 'superseded') AND r.reviewed_at <= :asOf AND (r.superseded_at IS NULL OR r.superseded_at > :asOf)`;

export interface MeasureRow {
  id: number;
  taskId: number;
  taskNo: number;
  chapterId: number;
  position: number;
  no: number | null;
  text: string;
  deadlineKind: 'date' | 'ongoing' | 'annual' | null;
  deadlineDate: string | null;
}

export interface MeasureActivity {
  measureId: number;
  approvedInYear: number;
  completedInYear: number;
  completedBefore: number;
}

export function createMonitoringRepository(db: Db) {
  const raw = db.$client;
  const plan = raw.prepare<[number], { id: number; startYear: number; endYear: number; title: string }>(
    'SELECT id, start_year AS startYear, end_year AS endYear, title FROM plans WHERE id = ?',
  );
  const planOfIndicator = raw.prepare<[number], { planId: number }>('SELECT plan_id AS planId FROM indicators WHERE id = ?');
  const planOfChapter = raw.prepare<[number], { planId: number }>('SELECT plan_id AS planId FROM chapters WHERE id = ?');
  const firstPlan = raw.prepare<[], { id: number }>('SELECT id FROM plans ORDER BY id LIMIT 1');
  const measuresOfPlan = raw.prepare<[number], MeasureRow>(`
    SELECT m.id, m.task_id AS taskId, t.no AS taskNo, t.chapter_id AS chapterId, m.position, m.no, m.text,
           m.deadline_kind AS deadlineKind, m.deadline_date AS deadlineDate
    FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = ? ORDER BY t.no, m.position`);
  const milestonesOfPlan = raw.prepare<[number], { id: number; measureId: number; kind: string; year: number | null; dueDate: string | null; text: string }>(`
    SELECT ms.id, ms.measure_id AS measureId, ms.kind, ms.year, ms.due_date AS dueDate, ms.text
    FROM milestones ms JOIN measures m ON m.id = ms.measure_id JOIN tasks t ON t.id = m.task_id
    WHERE t.plan_id = ? ORDER BY ms.measure_id, ms.position`);
  const ownersOfPlan = raw.prepare<[number], { measureId: number; unitId: number }>(`
    SELECT o.measure_id AS measureId, o.unit_id AS unitId FROM measure_owners o
    JOIN measures m ON m.id = o.measure_id JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = ? ORDER BY o.measure_id, o.position`);
  const taskUnitsOfPlan = raw.prepare<[number], { taskId: number; unitId: number; role: 'lead' | 'responsible' }>(`
    SELECT tu.task_id AS taskId, tu.unit_id AS unitId, tu.role FROM task_units tu JOIN tasks t ON t.id = tu.task_id
    WHERE t.plan_id = ? ORDER BY tu.task_id, tu.role, tu.position`);

  // One row per measure; each EXISTS is a seek in progress_reports_approved_measure (or _unit), whatever the table
  // size. A period lies within one year, so its end says which year it belongs to.
  const activitySql = (unitCondition: string) => `
    SELECT m.id AS measureId,
      EXISTS (SELECT 1 FROM progress_reports r WHERE r.measure_id = m.id ${unitCondition}
              AND r.period_end BETWEEN :yearStart AND :yearEnd AND ${APPROVED_AS_OF}) AS approvedInYear,
      EXISTS (SELECT 1 FROM progress_reports r WHERE r.measure_id = m.id ${unitCondition} AND r.status = 'completed'
              AND r.period_end BETWEEN :yearStart AND :yearEnd AND ${APPROVED_AS_OF}) AS completedInYear,
      EXISTS (SELECT 1 FROM progress_reports r WHERE r.measure_id = m.id ${unitCondition} AND r.status = 'completed'
              AND r.period_end < :yearStart AND ${APPROVED_AS_OF}) AS completedBefore
    FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = :planId ORDER BY m.id`;
  const activity = raw.prepare(activitySql(''));
  // Scans the year's approved reports of one chapter's measures, so it is asked only for a chapter's progress.
  const lastApproved = raw.prepare<Record<string, unknown>, { measureId: number; lastApprovedAt: string | null }>(`
    SELECT m.id AS measureId,
      (SELECT max(r.reviewed_at) FROM progress_reports r WHERE r.measure_id = m.id
              AND r.period_end BETWEEN :yearStart AND :yearEnd AND ${APPROVED_AS_OF}) AS lastApprovedAt
    FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.chapter_id = :chapterId`);
  const activityOfUnit = raw.prepare(activitySql('AND r.unit_id = :unitId'));

  // Driven from the reports of the indicator's task (CROSS JOIN pins that order): the year's approved reports are
  // a range in progress_reports_approved_measure; starting from the indicator's values would visit every one ever stored.
  type IndicatorValueRow = { value: number; reportId: number; period: string; periodEnd: string; reviewedAt: string; unitId: number };
  const valuesInYear = raw.prepare<Record<string, unknown>, IndicatorValueRow>(`
    SELECT v.value, r.id AS reportId, r.period, r.period_end AS periodEnd, r.reviewed_at AS reviewedAt, r.unit_id AS unitId
    FROM indicators i CROSS JOIN measures m CROSS JOIN progress_reports r CROSS JOIN report_indicator_values v
    WHERE i.id = :indicatorId AND m.task_id = i.task_id AND r.measure_id = m.id AND v.report_id = r.id AND v.indicator_id = i.id
      AND r.period_end BETWEEN :yearStart AND :yearEnd AND ${APPROVED_AS_OF}
    ORDER BY r.period_end, r.reviewed_at, r.id`);
  // The latest value one measure's reports give: the index is walked backwards from the year's end, so the search
  // stops at the first approved report carrying the indicator instead of sorting the whole year.
  const measuresOfIndicator = raw.prepare<[number], { measureId: number }>(
    'SELECT m.id AS measureId FROM indicators i JOIN measures m ON m.task_id = i.task_id WHERE i.id = ?',
  );
  const latestValueOfMeasure = raw.prepare<Record<string, unknown>, IndicatorValueRow>(`
    SELECT v.value, r.id AS reportId, r.period, r.period_end AS periodEnd, r.reviewed_at AS reviewedAt, r.unit_id AS unitId
    FROM progress_reports r CROSS JOIN report_indicator_values v
    WHERE r.measure_id = :measureId AND r.period_end BETWEEN :yearStart AND :yearEnd AND ${APPROVED_AS_OF}
      AND v.report_id = r.id AND v.indicator_id = :indicatorId
    ORDER BY r.period_end DESC, r.reviewed_at DESC, r.id DESC LIMIT 1`);
  const later = (a: IndicatorValueRow, b: IndicatorValueRow) =>
    a.periodEnd !== b.periodEnd ? a.periodEnd > b.periodEnd : a.reviewedAt !== b.reviewedAt ? a.reviewedAt > b.reviewedAt : a.reportId > b.reportId;
  const indicatorsOfPlan = raw.prepare<[number], { id: number; key: string; taskId: number; taskNo: number; measureId: number | null; name: string; comparator: string; value: number; unit: string; direction: string; targetYear: number | null }>(`
    SELECT i.id, i.key, i.task_id AS taskId, t.no AS taskNo, i.measure_id AS measureId, i.name, i.comparator, i.value, i.unit,
           i.direction, i.target_year AS targetYear
    FROM indicators i JOIN tasks t ON t.id = i.task_id WHERE i.plan_id = ? ORDER BY i.id`);
  const targetsOfPlan = raw.prepare<[number], { indicatorId: number; year: number; comparator: string; value: number }>(`
    SELECT it.indicator_id AS indicatorId, it.year, it.comparator, it.value FROM indicator_targets it
    JOIN indicators i ON i.id = it.indicator_id WHERE i.plan_id = ? ORDER BY it.indicator_id, it.year`);

  // Returned as of T: returned by then and not yet resolved then (report_returns, kept by triggers, says when
  // each return was resolved). Two index ranges: returns still open, and returns resolved after T. Counted and
  // paged in SQL, oldest return first (by its date in Asia/Shanghai, then measure): there can be thousands.
  type ReturnedRow = { id: number; measureId: number; unitId: number; period: string; reviewedAt: string; reviewNote: string | null; since: string };
  const returnedSql = (select: string, tail = '') => `
    SELECT ${select}
    FROM (SELECT * FROM report_returns WHERE resolved_at IS NULL AND returned_at <= :asOf
          UNION ALL
          SELECT * FROM report_returns WHERE resolved_at > :asOf AND returned_at <= :asOf) x
    JOIN measures m ON m.id = x.measure_id JOIN tasks t ON t.id = m.task_id
    WHERE t.plan_id = :planId AND (:unitIds IS NULL OR x.unit_id IN (SELECT value FROM json_each(:unitIds)))${tail}`;
  const returnedCount = raw.prepare<Record<string, unknown>, { n: number }>(returnedSql('count(*) AS n'));
  const returnedPage = raw.prepare<Record<string, unknown>, ReturnedRow>(
    returnedSql(
      `x.report_id AS id, x.measure_id AS measureId, x.unit_id AS unitId, x.period, x.returned_at AS reviewedAt,
       x.note AS reviewNote, date(x.returned_at, '+8 hours') AS since`,
      ' ORDER BY since, x.measure_id, x.returned_at LIMIT :limit OFFSET :offset',
    ),
  );
  // Reported as of T: not a draft now, and (last) submitted by T — a report first sent before T and resent after
  // it counts as not yet reported then. One seek per measure in progress_reports_sent.
  const reportedInRange = raw.prepare<Record<string, unknown>, { measureId: number }>(`
    SELECT m.id AS measureId FROM measures m JOIN tasks t ON t.id = m.task_id
    WHERE t.plan_id = :planId AND EXISTS (
      SELECT 1 FROM progress_reports r WHERE r.measure_id = m.id AND r.state <> 'draft'
        AND r.period_end >= :rangeStart AND r.period_start <= :rangeEnd AND coalesce(r.submitted_at, r.created_at) <= :asOf)`);
  return {
    plan: (planId: number) => plan.get(planId),
    defaultPlanId: () => firstPlan.get()?.id,
    chapterPlan: (chapterId: number) => planOfChapter.get(chapterId)?.planId,
    indicatorPlan: (indicatorId: number) => planOfIndicator.get(indicatorId)?.planId,
    measures: (planId: number) => measuresOfPlan.all(planId),
    milestones: (planId: number) => milestonesOfPlan.all(planId),
    owners: (planId: number) => ownersOfPlan.all(planId),
    taskUnits: (planId: number) => taskUnitsOfPlan.all(planId),
    indicators: (planId: number) => indicatorsOfPlan.all(planId),
    targets: (planId: number) => targetsOfPlan.all(planId),

    /** Per measure of the plan: approved and completed reports in the year, as of `asOf` (of one unit, if given). */
    activity(planId: number, year: number, asOf: string, unitId?: number): MeasureActivity[] {
      const params = { planId, yearStart: `${year}-01-01`, yearEnd: `${year}-12-31`, asOf };
      return (unitId === undefined ? activity.all(params) : activityOfUnit.all({ ...params, unitId })) as MeasureActivity[];
    },

    /** When each measure of a chapter last had a report approved in the year, as of `asOf`. */
    lastApproved: (chapterId: number, year: number, asOf: string) =>
      new Map(lastApproved.all({ chapterId, yearStart: `${year}-01-01`, yearEnd: `${year}-12-31`, asOf }).map((r) => [r.measureId, r.lastApprovedAt])),

    /** The latest approved value of an indicator for a year, as of `asOf`. */
    latestValue(indicatorId: number, year: number, asOf: string): IndicatorValueRow | undefined {
      const params = { indicatorId, yearStart: `${year}-01-01`, yearEnd: `${year}-12-31`, asOf };
      let latest: IndicatorValueRow | undefined;
      for (const { measureId } of measuresOfIndicator.all(indicatorId)) {
        const candidate = latestValueOfMeasure.get({ ...params, measureId });
        if (candidate && (!latest || later(candidate, latest))) latest = candidate;
      }
      return latest;
    },

    /** Every approved value of an indicator for a year, as of `asOf`, oldest period first. */
    valuesInYear: (indicatorId: number, year: number, asOf: string) =>
      valuesInYear.all({ indicatorId, yearStart: `${year}-01-01`, yearEnd: `${year}-12-31`, asOf }),

    /** How many reports stood returned at `asOf` (of the given units, if any). */
    returnedCount: (planId: number, asOf: string, unitIds?: number[]) =>
      returnedCount.get({ planId, asOf, unitIds: unitIds ? JSON.stringify(unitIds) : null })!.n,

    /** Reports that stood returned at `asOf`, with the return's date (`since`, Asia/Shanghai) and note, oldest first. */
    returnedPage: (planId: number, asOf: string, page: { limit: number; offset: number }, unitIds?: number[]) =>
      returnedPage.all({ planId, asOf, unitIds: unitIds ? JSON.stringify(unitIds) : null, ...page }),

    /** Measures with a submitted (or reviewed) report covering part of [rangeStart, rangeEnd], as of `asOf`. */
    reportedIn: (planId: number, rangeStart: string, rangeEnd: string, asOf: string) =>
      new Set(reportedInRange.all({ planId, rangeStart, rangeEnd, asOf }).map((r) => r.measureId)),
  };
}

export type MonitoringRepository = ReturnType<typeof createMonitoringRepository>;
