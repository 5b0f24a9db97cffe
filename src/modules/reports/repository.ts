import { and, asc, count, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  indicators,
  measureOwners,
  measures,
  plans,
  progressReports as reports,
  REPORT_STATES,
  reportEvents,
  reportIndicatorValues as values,
  taskUnits,
  tasks,
  units,
} from '../../db/schema.js';
import { groupBy, inJsonIds, param } from '../../db/sql.js';

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
  leadsEachOwnPart: boolean;
  ownerUnitIds: number[];
  leadUnitIds: number[];
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

const OPEN_STATES = ['draft', 'submitted', 'returned'] as const;
const LIST_FILTERS = ['measure', 'task', 'unitId', 'period', 'state', 'updatedSince'] as const satisfies (keyof ReportFilters)[];

/** What a list statement's SQL depends on: which filters are given, the state asked for, who sees drafts, a cursor. */
interface ListShape {
  filters: (typeof LIST_FILTERS)[number][];
  state: ReportRow['state'] | undefined;
  allDrafts: boolean;
  after: boolean;
  /** Whether the conditions are for a page (in change order) rather than a count. */
  statePage?: boolean;
}

/**
 * Each filter's condition. The state is a validated enum, written as a literal so SQLite can tell which reports
 * (and which partial indexes) it names.
 */
const filterCondition: Record<ListShape['filters'][number], (shape: ListShape) => SQL> = {
  measure: () => eq(reports.measureId, param('measure')),
  task: () => sql`${reports.measureId} IN (SELECT ${measures.id} FROM ${measures} WHERE ${measures.taskId} = ${param('task')})`,
  unitId: () => eq(reports.unitId, param('unitId')),
  period: () => eq(reports.period, param('period')),
  state: ({ state, statePage }) => {
    // The state index is narrow, for counting; a page walks the change order instead (`+` keeps SQLite off that index).
    const named = sql`${sql.raw(statePage ? '+' : '')}${reports.state} = ${sql.raw(`'${REPORT_STATES.find((known) => known === state)!}'`)}`;
    // Open reports are few: naming the condition of progress_reports_open_updated lets SQLite walk them in change order.
    return OPEN_STATES.some((open) => open === state) ? sql`${named} AND ${reports.state} IN ('draft', 'submitted', 'returned')` : named;
  },
  updatedSince: () => gte(reports.updatedAt, param('updatedSince')),
};

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
    .returning()
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

  /** Report lists, one statement per combination of given filters (prepared when first asked for). */
  const listStatements = new Map<string, ReturnType<typeof prepareList>>();
  function prepareList(given: ListShape) {
    const bySomeMeasure = given.filters.some((name) => name === 'measure' || name === 'task');
    const conditions = (shape: ListShape) =>
      and(
        ...shape.filters.map((name) => filterCondition[name](shape)),
        // Every report has a measure, so "any measure" lets a period be found with one seek per measure.
        shape.filters.includes('period') && !bySomeMeasure ? sql`${reports.measureId} IN (SELECT ${measures.id} FROM ${measures})` : undefined,
      );
    const matching = conditions(given);
    const hidesDrafts = !given.allDrafts && (given.state === undefined || given.state === 'draft');
    const visible =
      !hidesDrafts ? undefined
      : given.state === 'draft' ? eq(reports.unitId, param('draftUnitId'))
      : sql`(${reports.state} <> 'draft' OR ${reports.unitId} = ${param('draftUnitId')})`;
    // The page's ids come from the indexes alone; only the page's own rows are read.
    // Submitted or returned reports, with no narrower filter, are a few among the open ones: walk those in change
    // order. Left to itself, SQLite prefers the narrow state index and sorts every report in that state.
    const onlyByState = given.filters.every((name) => name === 'state' || name === 'updatedSince');
    const inChangeOrder =
      onlyByState && (given.state === 'submitted' || given.state === 'returned') ? sql`${reports} INDEXED BY progress_reports_open_updated` : reports;
    const pageIds = db
      .select({ id: sql<number>`${reports.id}` })
      .from(inChangeOrder)
      .where(and(conditions({ ...given, statePage: true }), visible, given.after ? sql`(${reports.updatedAt}, ${reports.id}) > (${param('afterAt')}, ${param('afterId')})` : undefined))
      .orderBy(asc(reports.updatedAt), asc(reports.id))
      .limit(param('limit'))
      .offset(param('offset'));
    const page = selectReports().where(inArray(reports.id, pageIds)).orderBy(asc(reports.updatedAt), asc(reports.id)).prepare();
    // Counting the visible reports directly would visit every match; other units' drafts are few, so count them apart.
    const countOf = (where: SQL | undefined) => db.select({ n: count() }).from(reports).where(where).prepare();
    const matches = countOf(matching);
    // Of a measure's or a period's reports, progress_reports_key has the state and unit: better than all drafts.
    const hiddenDrafts = hidesDrafts ? countOf(and(matching, sql`${sql.raw(bySomeMeasure || given.filters.includes('period') ? '+' : '')}${reports.state} = 'draft'`, sql`${reports.unitId} IS NOT ${param('draftUnitId')}`)) : undefined;
    const total = (params: Record<string, unknown>) => matches.get(params)!.n - (hiddenDrafts?.get(params)!.n ?? 0);
    return { page, total };
  }
  function listStatement(shape: ListShape) {
    const key = JSON.stringify(shape);
    let statements = listStatements.get(key);
    if (!statements) listStatements.set(key, (statements = prepareList(shape)));
    return statements;
  }

  const measureContext = db
    .select({
      measureId: measures.id,
      taskId: measures.taskId,
      startYear: plans.startYear,
      endYear: plans.endYear,
      leadsEachOwnPart: tasks.leadsEachOwnPart,
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
  const assignmentOf = db.$client.prepare<[number, number], { id: number }>(
    'SELECT id FROM assignments WHERE measure_id = ? AND unit_id = ? AND withdrawn_at IS NULL',
  );
  const indicatorTask = db.select({ taskId: indicators.taskId }).from(indicators).where(eq(indicators.id, param('id'))).prepare();

  return {
    get: (id: number) => byId.get({ id }),
    findOpen: (key: { measureId: number; unitId: number; period: string }) => openFor.get(key),
    findApproved: (key: { measureId: number; unitId: number; period: string }) => approvedFor.get(key),

    /** Inserts a report and returns it as stored (ids and defaults filled in). */
    insert(row: NewReport): ReportRow {
      return insertReport.get(row)!;
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
      const given = LIST_FILTERS.filter((name) => filters[name] !== undefined);
      const statements = listStatement({ filters: given, state: filters.state, allDrafts: drafts.all, after: page.after !== undefined });
      const params = {
        ...Object.fromEntries(given.filter((name) => name !== 'state').map((name) => [name, filters[name]])),
        draftUnitId: drafts.all ? null : drafts.unitId,
      };
      const rows = statements.page.all({
        ...params,
        afterAt: page.after?.updatedAt,
        afterId: page.after?.id,
        limit: page.limit + 1,
        offset: page.offset,
      });
      return { rows: rows.slice(0, page.limit), total: statements.total(params), hasMore: rows.length > page.limit };
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
        indicatorIds: indicatorsOfTask.all({ taskId: measure.taskId }).map((i) => i.id),
      };
      contexts.set(measureId, context);
      return context;
    },

    /** The unit's standing assignment on the measure, if it owes it. */
    assignmentOf: (measureId: number, unitId: number) => assignmentOf.get(measureId, unitId)?.id,

    indicatorTask: (indicatorId: number) => indicatorTask.get({ id: indicatorId })?.taskId,
  };
}

export type ReportRepository = ReturnType<typeof createReportRepository>;
export type ReportWithUnit = NonNullable<ReturnType<ReportRepository['get']>>;
export type MeasureContext = NonNullable<ReturnType<ReportRepository['measureContext']>>;
