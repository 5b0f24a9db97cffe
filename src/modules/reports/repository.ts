import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  indicators,
  measureOwners,
  measures,
  plans,
  progressReports as reports,
  reportEvents,
  reportIndicatorValues as values,
  taskUnits,
  tasks,
  units,
} from '../../db/schema.js';
import { groupBy, inJsonIds, param, whenGiven } from '../../db/sql.js';

export type ReportRow = typeof reports.$inferSelect;
export type NewReportRow = typeof reports.$inferInsert;
/** The columns a new report is written with (the review columns start empty). */
export type NewReport = Pick<
  ReportRow,
  'measureId' | 'unitId' | 'period' | 'periodStart' | 'periodEnd' | 'state' | 'status' | 'narrative' | 'evidence' | 'percentComplete' | 'version' | 'createdAt' | 'updatedAt' | 'createdByKeyId'
>;
interface MeasureContextRow {
  measureId: number;
  taskId: number;
  startYear: number;
  endYear: number;
  ownerUnitIds: number[];
  leadUnitIds: number[];
  responsibleUnitIds: number[];
  indicatorIds: number[];
}
export interface IndicatorValue {
  indicatorId: number;
  value: number;
}

export interface ReportFilters {
  measure?: number | undefined;
  task?: number | undefined;
  unitId?: number | undefined;
  period?: string | undefined;
  state?: ReportRow['state'] | undefined;
  updatedSince?: string | undefined;
}

/** Who may see drafts: everyone's (admin, coordinator), one unit's (its reporter), or nobody's. */
export type DraftVisibility = { all: true } | { all: false; unitId: number | null };

export interface ListCursor {
  updatedAt: string;
  id: number;
}

const reportWithUnit = {
  report: reports,
  taskId: measures.taskId,
  unit: { id: units.id, name: units.name, kind: units.kind },
};

export function createReportRepository(db: Db) {
  const selectReports = () =>
    db
      .select(reportWithUnit)
      .from(reports)
      .innerJoin(measures, eq(measures.id, reports.measureId))
      .innerJoin(units, eq(units.id, reports.unitId));

  const byId = selectReports().where(eq(reports.id, param('id'))).prepare();
  /** Reports of one measure, unit and period in the given states. */
  const reportsOfKey = (states: ReportRow['state'][]) =>
    db
      .select()
      .from(reports)
      .where(
        and(
          eq(reports.measureId, param('measureId')),
          eq(reports.unitId, param('unitId')),
          eq(reports.period, param('period')),
          inArray(reports.state, states),
        ),
      )
      .prepare();
  const openFor = reportsOfKey(['draft', 'submitted', 'returned']);
  const approvedFor = reportsOfKey(['approved']);
  const valuesOfReports = db
    .select()
    .from(values)
    .where(inJsonIds(values.reportId, 'reportIds'))
    .orderBy(asc(values.reportId), asc(values.indicatorId))
    .prepare();
  const insertReport = db
    .insert(reports)
    .values({
      measureId: param('measureId'),
      unitId: param('unitId'),
      period: param('period'),
      periodStart: param('periodStart'),
      periodEnd: param('periodEnd'),
      state: param('state'),
      status: param('status'),
      narrative: param('narrative'),
      evidence: param('evidence'),
      percentComplete: param('percentComplete'),
      version: param('version'),
      createdAt: param('createdAt'),
      updatedAt: param('updatedAt'),
      createdByKeyId: param('createdByKeyId'),
    })
    .returning({ id: reports.id })
    .prepare();
  const deleteValues = db.delete(values).where(eq(values.reportId, param('reportId'))).prepare();
  const insertValue = db
    .insert(values)
    .values({ reportId: param('reportId'), indicatorId: param('indicatorId'), value: param('value') })
    .prepare();
  const insertEvent = db
    .insert(reportEvents)
    .values({
      reportId: param('reportId'),
      action: param('action'),
      fromState: param('fromState'),
      toState: param('toState'),
      at: param('at'),
      keyId: param('keyId'),
      note: param('note'),
    })
    .prepare();
  const eventsOf = db
    .select()
    .from(reportEvents)
    .where(eq(reportEvents.reportId, param('reportId')))
    .orderBy(asc(reportEvents.id))
    .prepare();

  const listFilter = and(
    whenGiven('measure', eq(reports.measureId, param('measure'))),
    whenGiven('task', eq(measures.taskId, param('task'))),
    whenGiven('unitId', eq(reports.unitId, param('unitId'))),
    whenGiven('period', eq(reports.period, param('period'))),
    whenGiven('state', eq(reports.state, param('state'))),
    whenGiven('updatedSince', sql`${reports.updatedAt} >= ${param('updatedSince')}`),
    sql`(${param('allDrafts')} = 1 OR ${reports.state} <> 'draft' OR ${reports.unitId} = ${param('draftUnitId')})`,
  );
  const afterCursor = whenGiven(
    'afterAt',
    sql`(${reports.updatedAt} > ${param('afterAt')} OR (${reports.updatedAt} = ${param('afterAt')} AND ${reports.id} > ${param('afterId')}))`,
  );
  const listPage = selectReports()
    .where(and(listFilter, afterCursor))
    .orderBy(asc(reports.updatedAt), asc(reports.id))
    .limit(param('limit'))
    .offset(param('offset'))
    .prepare();
  const listTotal = db
    .select({ n: count() })
    .from(reports)
    .innerJoin(measures, eq(measures.id, reports.measureId))
    .where(listFilter)
    .prepare();

  const measureContext = db
    .select({
      measureId: measures.id,
      taskId: measures.taskId,
      startYear: plans.startYear,
      endYear: plans.endYear,
    })
    .from(measures)
    .innerJoin(tasks, eq(tasks.id, measures.taskId))
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .where(eq(measures.id, param('measureId')))
    .prepare();
  const ownersOf = db.select({ unitId: measureOwners.unitId }).from(measureOwners).where(eq(measureOwners.measureId, param('measureId'))).prepare();
  const taskUnitsOf = db
    .select({ unitId: taskUnits.unitId, role: taskUnits.role })
    .from(taskUnits)
    .where(eq(taskUnits.taskId, param('taskId')))
    .prepare();
  const indicatorsOfTask = db.select({ id: indicators.id }).from(indicators).where(eq(indicators.taskId, param('taskId'))).prepare();
  const contexts = new Map<number, MeasureContextRow>();
  const indicatorTask = db.select({ taskId: indicators.taskId }).from(indicators).where(eq(indicators.id, param('id'))).prepare();

  return {
    get: (id: number) => byId.get({ id }),
    findOpen: (key: { measureId: number; unitId: number; period: string }) => openFor.get(key),
    findApproved: (key: { measureId: number; unitId: number; period: string }) => approvedFor.get(key),

    insert(row: NewReport): number {
      return insertReport.get(row)!.id;
    },

    update(id: number, fields: Partial<NewReportRow>): void {
      db.update(reports).set(fields).where(eq(reports.id, id)).run();
    },

    /** Sets a report's indicator values; a report just created has none to remove. */
    replaceValues(reportId: number, indicatorValues: IndicatorValue[], isNew = false): void {
      if (!isNew) deleteValues.run({ reportId });
      for (const v of indicatorValues) insertValue.run({ reportId, ...v });
    },

    valuesOf(reportIds: number[]): Map<number, IndicatorValue[]> {
      if (reportIds.length === 0) return new Map();
      const rows = valuesOfReports.all({ reportIds: JSON.stringify(reportIds) });
      return new Map(
        [...groupBy(rows, (r) => r.reportId)].map(([id, group]) => [id, group.map(({ indicatorId, value }) => ({ indicatorId, value }))]),
      );
    },

    addEvent(event: Omit<typeof reportEvents.$inferInsert, 'id'>): void {
      insertEvent.run({ fromState: null, keyId: null, note: null, ...event });
    },

    events: (reportId: number) => eventsOf.all({ reportId }),

    list(filters: ReportFilters, drafts: DraftVisibility, page: { limit: number; offset: number; after?: ListCursor | undefined }) {
      const params = {
        measure: filters.measure ?? null,
        task: filters.task ?? null,
        unitId: filters.unitId ?? null,
        period: filters.period ?? null,
        state: filters.state ?? null,
        updatedSince: filters.updatedSince ?? null,
        allDrafts: drafts.all ? 1 : 0,
        draftUnitId: drafts.all ? null : drafts.unitId,
      };
      const rows = listPage.all({
        ...params,
        afterAt: page.after?.updatedAt ?? null,
        afterId: page.after?.id ?? null,
        limit: page.limit + 1,
        offset: page.offset,
      });
      return { rows: rows.slice(0, page.limit), total: listTotal.get(params)!.n, hasMore: rows.length > page.limit };
    },

    /**
     * What the rules need to know about a measure: its task, the plan's years, its owners and the task's units.
     * The catalogue does not change while the server runs, so each measure is read once.
     */
    measureContext(measureId: number) {
      const cached = contexts.get(measureId);
      if (cached) return cached;
      const measure = measureContext.get({ measureId });
      if (!measure) return undefined;
      const assigned = taskUnitsOf.all({ taskId: measure.taskId });
      const context = {
        ...measure,
        ownerUnitIds: ownersOf.all({ measureId }).map((o) => o.unitId),
        leadUnitIds: assigned.filter((a) => a.role === 'lead').map((a) => a.unitId),
        responsibleUnitIds: assigned.filter((a) => a.role === 'responsible').map((a) => a.unitId),
        indicatorIds: indicatorsOfTask.all({ taskId: measure.taskId }).map((i) => i.id),
      };
      contexts.set(measureId, context);
      return context;
    },

    indicatorTask: (indicatorId: number) => indicatorTask.get({ id: indicatorId })?.taskId,
  };
}

export type ReportRepository = ReturnType<typeof createReportRepository>;
export type ReportWithUnit = NonNullable<ReturnType<ReportRepository['get']>>;
export type MeasureContext = NonNullable<ReturnType<ReportRepository['measureContext']>>;
