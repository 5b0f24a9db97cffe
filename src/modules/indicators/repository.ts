import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { indicators, indicatorTargets, tasks } from '../../db/schema.js';
import { groupBy, inJsonIds, param, whenGiven } from '../../db/sql.js';
import type { Page } from '../../http/pagination.js';

export interface IndicatorFilters {
  task?: number | undefined;
  year?: number | undefined;
}

export function createIndicatorRepository(db: Db) {
  const filter = and(
    // Retired indicators leave the list.
    isNull(indicators.retiredAt),
    whenGiven('task', eq(indicators.taskId, param('task'))),
    whenGiven(
      'year',
      sql`(${indicators.targetYear} = ${param('year')} OR ${indicators.id} IN (SELECT ${indicatorTargets.indicatorId} FROM ${indicatorTargets} WHERE ${indicatorTargets.year} = ${param('year')}))`,
    ),
  );
  const selectIndicators = () =>
    db
      .select({
        id: indicators.id,
        planId: indicators.planId,
        key: indicators.key,
        taskId: indicators.taskId,
        taskNo: tasks.no,
        measureId: indicators.measureId,
        name: indicators.name,
        sourceText: indicators.sourceText,
        comparator: indicators.comparator,
        value: indicators.value,
        unit: indicators.unit,
        direction: indicators.direction,
        targetYear: indicators.targetYear,
        retiredAt: indicators.retiredAt,
      })
      .from(indicators)
      .innerJoin(tasks, eq(tasks.id, indicators.taskId));
  const listPage = selectIndicators().where(filter).orderBy(asc(indicators.id)).limit(param('limit')).offset(param('offset')).prepare();
  const listTotal = db.select({ n: count() }).from(indicators).where(filter).prepare();
  const ofTask = selectIndicators()
    .where(eq(indicators.taskId, param('taskId')))
    .orderBy(asc(indicators.id))
    .prepare();
  const targetsOf = db
    .select({
      indicatorId: indicatorTargets.indicatorId,
      year: indicatorTargets.year,
      comparator: indicatorTargets.comparator,
      value: indicatorTargets.value,
      sourceText: indicatorTargets.sourceText,
    })
    .from(indicatorTargets)
    .where(inJsonIds(indicatorTargets.indicatorId, 'indicatorIds'))
    .orderBy(asc(indicatorTargets.indicatorId), asc(indicatorTargets.year))
    .prepare();
  type IndicatorRow = ReturnType<(typeof ofTask)['all']>[number];
  const byId = selectIndicators()
    .where(eq(indicators.id, param('id')))
    .prepare();

  function withTargets(rows: IndicatorRow[]) {
    const targets = groupBy(rows.length === 0 ? [] : targetsOf.all({ indicatorIds: JSON.stringify(rows.map((r) => r.id)) }), (t) => t.indicatorId);
    return rows.map((row) => ({
      ...row,
      targets: (targets.get(row.id) ?? []).map(({ indicatorId: _i, ...target }) => target),
    }));
  }

  return {
    /** One indicator, retired or not, with its targets. */
    get(id: number) {
      const row = byId.get({ id });
      return row && withTargets([row])[0];
    },

    list(filters: IndicatorFilters, page: Page) {
      const params = { task: filters.task ?? null, year: filters.year ?? null };
      return { items: withTargets(listPage.all({ ...params, ...page })), total: listTotal.get(params)!.n };
    },

    forTask(taskId: number) {
      return withTargets(ofTask.all({ taskId }));
    },
  };
}

export type IndicatorRepository = ReturnType<typeof createIndicatorRepository>;
