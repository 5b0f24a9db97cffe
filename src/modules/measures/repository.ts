import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { measureOwners, measures, milestones, tasks, units } from '../../db/schema.js';
import { textContains } from '../../http/like.js';
import type { Page } from '../../http/pagination.js';
import type { UnitRef } from '../units/repository.js';
import { toDeadline } from './deadline.js';

export interface MeasureFilters {
  task?: number | undefined;
  /** The unit and the collectives it belongs to (see UnitRepository.withCollectives). */
  ownerUnitIds?: number[] | undefined;
  year?: number | undefined;
  q?: string | undefined;
}

const measureColumns = {
  id: measures.id,
  taskId: measures.taskId,
  taskNo: tasks.no,
  position: measures.position,
  no: measures.no,
  text: measures.text,
  targetsText: measures.targetsText,
  deadlineKind: measures.deadlineKind,
  deadlineDate: measures.deadlineDate,
  deadlineText: measures.deadlineText,
  sourceLine: measures.sourceLine,
};

/**
 * Work falls in a year when a milestone is due that year, or an ongoing/annual milestone has started by then
 * and the measure's deadline has not passed before it.
 */
export function hasWorkInYear(year: number): SQL {
  return sql`EXISTS (SELECT 1 FROM ${milestones} WHERE ${milestones.measureId} = ${measures.id} AND (
    (${milestones.kind} = 'due' AND ${milestones.year} = ${year})
    OR (${milestones.kind} <> 'due' AND (${milestones.year} IS NULL OR ${milestones.year} <= ${year})
        AND (${measures.deadlineDate} IS NULL OR ${measures.deadlineDate} >= ${`${year}-01-01`}))))`;
}

/** Owning units per measure, in one query. */
export function ownersOf(db: Db, measureIds: number[]): Map<number, UnitRef[]> {
  const owners = new Map<number, UnitRef[]>();
  if (measureIds.length === 0) return owners;
  const rows = db
    .select({ measureId: measureOwners.measureId, id: units.id, name: units.name, kind: units.kind })
    .from(measureOwners)
    .innerJoin(units, eq(units.id, measureOwners.unitId))
    .where(inArray(measureOwners.measureId, measureIds))
    .orderBy(asc(measureOwners.measureId), asc(measureOwners.position))
    .all();
  for (const { measureId, ...unit } of rows) owners.set(measureId, [...(owners.get(measureId) ?? []), unit]);
  return owners;
}

export function createMeasureRepository(db: Db) {
  const selectMeasures = () => db.select(measureColumns).from(measures).innerJoin(tasks, eq(tasks.id, measures.taskId));
  type MeasureRow = ReturnType<ReturnType<typeof selectMeasures>['all']>[number];

  /** Owners and milestones for a set of measures, in two queries whatever the page size. */
  function withDetails(rows: MeasureRow[]) {
    const ids = rows.map((r) => r.id);
    const owners = ownersOf(db, ids);
    const marks = new Map<number, (typeof milestones.$inferSelect)[]>();
    if (ids.length > 0) {
      const milestoneRows = db
        .select()
        .from(milestones)
        .where(inArray(milestones.measureId, ids))
        .orderBy(asc(milestones.measureId), asc(milestones.position))
        .all();
      for (const m of milestoneRows) marks.set(m.measureId, [...(marks.get(m.measureId) ?? []), m]);
    }
    return rows.map(({ deadlineKind, deadlineDate, deadlineText, ...row }) => ({
      ...row,
      ownerUnits: owners.get(row.id) ?? [],
      milestones: (marks.get(row.id) ?? []).map(({ measureId: _m, ...m }) => m),
      deadline: toDeadline({ deadlineKind, deadlineDate, deadlineText }),
    }));
  }

  function filterCondition(filters: MeasureFilters): SQL | undefined {
    const conditions: (SQL | undefined)[] = [];
    if (filters.task !== undefined) conditions.push(eq(measures.taskId, filters.task));
    if (filters.ownerUnitIds) {
      conditions.push(
        sql`${measures.id} IN (SELECT ${measureOwners.measureId} FROM ${measureOwners} WHERE ${inArray(measureOwners.unitId, filters.ownerUnitIds)})`,
      );
    }
    if (filters.year !== undefined) conditions.push(hasWorkInYear(filters.year));
    if (filters.q) conditions.push(textContains(measures.text, filters.q));
    return and(...conditions);
  }

  return {
    list(filters: MeasureFilters, page: Page) {
      const where = filterCondition(filters);
      const rows = selectMeasures()
        .where(where)
        .orderBy(asc(measures.taskId), asc(measures.position))
        .limit(page.limit)
        .offset(page.offset)
        .all();
      const total = db.select({ n: count() }).from(measures).where(where).get()!.n;
      return { items: withDetails(rows), total };
    },

    get(id: number) {
      const row = selectMeasures().where(eq(measures.id, id)).get();
      return row ? withDetails([row])[0] : undefined;
    },

    forTask(taskId: number) {
      return withDetails(selectMeasures().where(eq(measures.taskId, taskId)).orderBy(asc(measures.position)).all());
    },
  };
}

export type MeasureRepository = ReturnType<typeof createMeasureRepository>;
export type Measure = ReturnType<MeasureRepository['forTask']>[number];
