import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { indicators, indicatorTargets, tasks } from '../../db/schema.js';
import type { Page } from '../../http/pagination.js';

export interface IndicatorFilters {
  task?: number | undefined;
  year?: number | undefined;
}

export function createIndicatorRepository(db: Db) {
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
      })
      .from(indicators)
      .innerJoin(tasks, eq(tasks.id, indicators.taskId));
  type IndicatorRow = ReturnType<ReturnType<typeof selectIndicators>['all']>[number];

  function withTargets(rows: IndicatorRow[]) {
    const targets = new Map<number, { year: number; comparator: IndicatorRow['comparator']; value: number; sourceText: string }[]>();
    if (rows.length > 0) {
      const targetRows = db
        .select()
        .from(indicatorTargets)
        .where(inArray(indicatorTargets.indicatorId, rows.map((r) => r.id)))
        .orderBy(asc(indicatorTargets.indicatorId), asc(indicatorTargets.year))
        .all();
      for (const { id: _id, indicatorId, ...target } of targetRows) {
        targets.set(indicatorId, [...(targets.get(indicatorId) ?? []), target]);
      }
    }
    return rows.map((row) => ({ ...row, targets: targets.get(row.id) ?? [] }));
  }

  function filterCondition(filters: IndicatorFilters): SQL | undefined {
    return and(
      filters.task === undefined ? undefined : eq(indicators.taskId, filters.task),
      filters.year === undefined
        ? undefined
        : sql`(${indicators.targetYear} = ${filters.year} OR ${indicators.id} IN (SELECT ${indicatorTargets.indicatorId} FROM ${indicatorTargets} WHERE ${indicatorTargets.year} = ${filters.year}))`,
    );
  }

  return {
    list(filters: IndicatorFilters, page: Page) {
      const where = filterCondition(filters);
      const rows = selectIndicators().where(where).orderBy(asc(indicators.id)).limit(page.limit).offset(page.offset).all();
      const total = db.select({ n: count() }).from(indicators).where(where).get()!.n;
      return { items: withTargets(rows), total };
    },

    forTask(taskId: number) {
      return withTargets(selectIndicators().where(eq(indicators.taskId, taskId)).orderBy(asc(indicators.id)).all());
    },
  };
}

export type IndicatorRepository = ReturnType<typeof createIndicatorRepository>;
