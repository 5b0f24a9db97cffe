import type { Db } from '../../db/client.js';

/**
 * The reads monitoring needs besides the obligations (src/modules/assignments), in hand-written SQL behind this
 * repository. "Approved as of T" means: approved (or later superseded) at or before T, and not superseded by T — so a
 * past date shows the picture as it stood then.
 */
export const APPROVED_AS_OF = `r.state IN ('approved', 'superseded') AND r.reviewed_at <= :asOf AND (r.superseded_at IS NULL OR r.superseded_at > :asOf)`;

export interface MeasureRow {
  id: number;
  taskId: number;
  taskNo: number;
  chapterId: number;
  position: number;
  no: number | null;
}

export interface IndicatorRow {
  id: number;
  key: string;
  taskId: number;
  taskNo: number;
  measureId: number | null;
  name: string;
  comparator: string;
  value: number;
  unit: string;
  direction: string;
  targetYear: number | null;
  scope: 'city' | 'each_member' | 'derived';
  combine: 'sum' | 'mean' | 'count_meeting' | null;
}

/** An approved value of an indicator in a report. */
export interface IndicatorValueRow {
  value: number;
  reportId: number;
  period: string;
  periodEnd: string;
  reviewedAt: string;
  unitId: number;
}

export interface TaskLeadRow {
  taskId: number;
  unitId: number;
  leadsEachOwnPart: number;
}

const yearRange = (year: number) => ({ yearStart: `${year}-01-01`, yearEnd: `${year}-12-31` });

export function createMonitoringRepository(db: Db) {
  const raw = db.$client;
  const plan = raw.prepare<[number], { id: number; startYear: number; endYear: number; title: string }>(
    'SELECT id, start_year AS startYear, end_year AS endYear, title FROM plans WHERE id = ?',
  );
  const planOfIndicator = raw.prepare<[number], { planId: number }>('SELECT plan_id AS planId FROM indicators WHERE id = ?');
  const planOfChapter = raw.prepare<[number], { planId: number }>('SELECT plan_id AS planId FROM chapters WHERE id = ?');
  const firstPlan = raw.prepare<[], { id: number }>('SELECT id FROM plans ORDER BY id LIMIT 1');
  const measuresOfPlan = raw.prepare<[number], MeasureRow>(`
    SELECT m.id, m.task_id AS taskId, t.no AS taskNo, t.chapter_id AS chapterId, m.position, m.no
    FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = ? ORDER BY t.no, m.position`);
  const chaptersOfPlan = raw.prepare<[number], { id: number; position: number; title: string }>('SELECT id, position, title FROM chapters WHERE plan_id = ? ORDER BY position');
  const leadsOfPlan = raw.prepare<[number], TaskLeadRow>(`
    SELECT tu.task_id AS taskId, tu.unit_id AS unitId, t.leads_each_own_part AS leadsEachOwnPart FROM task_units tu
    JOIN tasks t ON t.id = tu.task_id WHERE t.plan_id = ? AND tu.role = 'lead' ORDER BY tu.task_id, tu.position`);
  const ownersOfPlan = raw.prepare<[number], { measureId: number; unitId: number }>(`
    SELECT o.measure_id AS measureId, o.unit_id AS unitId FROM measure_owners o
    JOIN measures m ON m.id = o.measure_id JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = ? ORDER BY o.measure_id, o.position`);
  const indicatorsOfPlan = raw.prepare<[number], IndicatorRow>(`
    SELECT i.id, i.key, i.task_id AS taskId, t.no AS taskNo, i.measure_id AS measureId, i.name, i.comparator, i.value, i.unit,
           i.direction, i.target_year AS targetYear, i.scope, i.combine
    FROM indicators i JOIN tasks t ON t.id = i.task_id WHERE i.plan_id = ? ORDER BY i.id`);
  const indicatorAmendments = raw.prepare<[number], { indicatorId: number; effectiveOn: string; before: string | null }>(`
    SELECT entity_id AS indicatorId, effective_on AS effectiveOn, before FROM plan_revisions
    WHERE plan_id = ? AND entity = 'indicator' ORDER BY id`);
  const targetsOfPlan = raw.prepare<[number], { indicatorId: number; year: number; comparator: string; value: number }>(`
    SELECT it.indicator_id AS indicatorId, it.year, it.comparator, it.value FROM indicator_targets it
    JOIN indicators i ON i.id = it.indicator_id WHERE i.plan_id = ? ORDER BY it.indicator_id, it.year`);

  // One unit's latest value on one measure for a year: a backward walk of progress_reports_approved_unit from the
  // year's end that stops at the first approved report carrying the indicator.
  const latestOfUnit = raw.prepare<Record<string, unknown>, IndicatorValueRow>(`
    SELECT v.value, r.id AS reportId, r.period, r.period_end AS periodEnd, r.reviewed_at AS reviewedAt, r.unit_id AS unitId
    FROM progress_reports r CROSS JOIN report_indicator_values v
    WHERE r.unit_id = :unitId AND r.measure_id = :measureId AND r.period_end BETWEEN :yearStart AND :yearEnd AND ${APPROVED_AS_OF}
      AND v.report_id = r.id AND v.indicator_id = :indicatorId
    ORDER BY r.period_end DESC, r.reviewed_at DESC, r.id DESC LIMIT 1`);
  // Every approved value of an indicator for a year, driven from the reports of its measures (CROSS JOIN pins that
  // order): the year's approved reports are a range in progress_reports_approved_measure.
  const valuesSql = (select: string, tail = '') => `
    SELECT ${select}
    FROM indicators i CROSS JOIN measures m CROSS JOIN progress_reports r CROSS JOIN report_indicator_values v
    WHERE i.id = :indicatorId AND m.task_id = i.task_id AND (i.measure_id IS NULL OR m.id = i.measure_id) AND r.measure_id = m.id
      AND v.report_id = r.id AND v.indicator_id = i.id AND r.period_end BETWEEN :yearStart AND :yearEnd AND ${APPROVED_AS_OF}
      AND (:unitId IS NULL OR r.unit_id = :unitId)${tail}`;
  const valuesCount = raw.prepare<Record<string, unknown>, { n: number }>(valuesSql('count(*) AS n'));
  const valuesPage = raw.prepare<Record<string, unknown>, IndicatorValueRow>(
    valuesSql(
      'v.value, r.id AS reportId, r.period, r.period_end AS periodEnd, r.reviewed_at AS reviewedAt, r.unit_id AS unitId',
      ' ORDER BY r.period_end, r.reviewed_at, r.id LIMIT :limit OFFSET :offset',
    ),
  );

  const owingUnits = raw.prepare<Record<string, unknown>, { unitId: number }>(`
    SELECT DISTINCT a.unit_id AS unitId FROM assignments a JOIN obligations o ON o.assignment_id = a.id
    WHERE a.measure_id IN (SELECT value FROM json_each(:measureIds)) AND a.assigned_at <= :asOf
      AND (a.withdrawn_at IS NULL OR a.withdrawn_at > :asOf) AND o.due_date BETWEEN :yearStart AND :yearEnd
    ORDER BY a.unit_id`);

  // Returned as of T: returned by then and not yet resolved then (report_returns, kept by triggers, says when
  // each return was resolved). Two index ranges: returns still open, and returns resolved after T. Counted and
  // paged in SQL, oldest return first (by its date in Asia/Shanghai, then measure): there can be thousands.
  // Reports of closed or withdrawn assignments are not chased.
  type ReturnedRow = { id: number; measureId: number; unitId: number; period: string; reviewedAt: string; reviewNote: string | null; since: string };
  const returnedSql = (select: string, tail = '') => `
    SELECT ${select}
    FROM (SELECT * FROM report_returns WHERE resolved_at IS NULL AND returned_at <= :asOf
          UNION ALL
          SELECT * FROM report_returns WHERE resolved_at > :asOf AND returned_at <= :asOf) x
    JOIN measures m ON m.id = x.measure_id JOIN tasks t ON t.id = m.task_id
    WHERE t.plan_id = :planId AND (:unitIds IS NULL OR x.unit_id IN (SELECT value FROM json_each(:unitIds)))
      AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.measure_id = x.measure_id AND a.unit_id = x.unit_id
                      AND (a.closed_at <= :asOf OR a.withdrawn_at <= :asOf))${tail}`;
  const returnedCount = raw.prepare<Record<string, unknown>, { n: number }>(returnedSql('count(*) AS n'));
  const returnedPage = raw.prepare<Record<string, unknown>, ReturnedRow>(
    returnedSql(
      `x.report_id AS id, x.measure_id AS measureId, x.unit_id AS unitId, x.period, x.returned_at AS reviewedAt,
       x.note AS reviewNote, date(x.returned_at, '+8 hours') AS since`,
      ' ORDER BY since, x.measure_id, x.returned_at LIMIT :limit OFFSET :offset',
    ),
  );

  return {
    plan: (planId: number) => plan.get(planId),
    defaultPlanId: () => firstPlan.get()?.id,
    chapterPlan: (chapterId: number) => planOfChapter.get(chapterId)?.planId,
    indicatorPlan: (indicatorId: number) => planOfIndicator.get(indicatorId)?.planId,
    measures: (planId: number) => measuresOfPlan.all(planId),
    chapters: (planId: number) => chaptersOfPlan.all(planId),
    leads: (planId: number) => leadsOfPlan.all(planId),
    owners: (planId: number) => ownersOfPlan.all(planId),
    indicators: (planId: number) => indicatorsOfPlan.all(planId),
    targets: (planId: number) => targetsOfPlan.all(planId),
    /** Amendments of the plan's indicators, oldest first: the targets before each and the day it counts from. */
    indicatorAmendments: (planId: number) => indicatorAmendments.all(planId),

    /** A unit's latest approved value of an indicator on one measure for a year, as of `asOf`. */
    latestValue: (indicatorId: number, measureId: number, unitId: number, year: number, asOf: string) =>
      latestOfUnit.get({ indicatorId, measureId, unitId, asOf, ...yearRange(year) }),

    /** How many approved values an indicator has for a year as of `asOf` (of one unit, if given). */
    valuesCount: (indicatorId: number, year: number, asOf: string, unitId?: number) => valuesCount.get({ indicatorId, asOf, unitId: unitId ?? null, ...yearRange(year) })!.n,

    /** A page of those values, oldest period first. */
    valuesPage: (indicatorId: number, year: number, asOf: string, page: { limit: number; offset: number }, unitId?: number) =>
      valuesPage.all({ indicatorId, asOf, unitId: unitId ?? null, ...yearRange(year), ...page }),

    /** The units owing one of the measures in a year (an obligation due then, the assignment standing at `asOf`). */
    owingUnits: (measureIds: number[], year: number, asOf: string) => owingUnits.all({ measureIds: JSON.stringify(measureIds), asOf, ...yearRange(year) }).map((r) => r.unitId),

    /** How many reports stood returned at `asOf` (of the given units, if any). */
    returnedCount: (planId: number, asOf: string, unitIds?: number[]) => returnedCount.get({ planId, asOf, unitIds: unitIds ? JSON.stringify(unitIds) : null })!.n,

    /** Reports that stood returned at `asOf`, with the return's date (`since`, Asia/Shanghai) and note, oldest first. */
    returnedPage: (planId: number, asOf: string, page: { limit: number; offset: number }, unitIds?: number[]) =>
      returnedPage.all({ planId, asOf, unitIds: unitIds ? JSON.stringify(unitIds) : null, ...page }),
  };
}

export type MonitoringRepository = ReturnType<typeof createMonitoringRepository>;
