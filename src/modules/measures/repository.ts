import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assignments, measureOwners, measures, milestones, tasks, units } from '../../db/schema.js';
import { ftsRowids, measuresFts, textSearch } from '../../db/fts.js';
import { containsParam, groupBy, inJsonIds, param, whenGiven } from '../../db/sql.js';
import type { Page } from '../../http/pagination.js';
import type { UnitRef } from '../units/repository.js';
import { toDeadline } from './deadline.js';

export interface MeasureFilters {
  task?: number | undefined;
  /** Units that owe the measure (a unit, or a collective's members: see UnitResolver.owingUnits). */
  assignedUnitIds?: number[] | undefined;
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
  retiredAt: measures.retiredAt,
};

/** Measures one of the units in the JSON id list bound to `name` owes (a standing assignment): what it may report on. */
export function assignedToUnits(name: string) {
  return sql`${measures.id} IN (SELECT ${assignments.measureId} FROM ${assignments} WHERE ${assignments.withdrawnAt} IS NULL AND ${inJsonIds(assignments.unitId, name)})`;
}

/**
 * Work falls in the year bound to `year` (starting on `yearStart`) when a milestone is due that year, or an ongoing/annual milestone
 * has started by then and the measure's deadline has not passed before it.
 */
const hasWorkInYear = sql`EXISTS (SELECT 1 FROM ${milestones} WHERE ${milestones.measureId} = ${measures.id} AND (
    (${milestones.kind} = 'due' AND ${milestones.year} = ${param('year')})
    OR (${milestones.kind} <> 'due' AND (${milestones.year} IS NULL OR ${milestones.year} <= ${param('year')})
        AND (${measures.deadlineDate} IS NULL OR ${measures.deadlineDate} >= ${param('yearStart')}))))`;

export function createMeasureRepository(db: Db) {
  const filter = and(
    // Retired measures leave the lists; they stay readable by id.
    isNull(measures.retiredAt),
    whenGiven('task', eq(measures.taskId, param('task'))),
    whenGiven('assignedUnitIds', assignedToUnits('assignedUnitIds')),
    whenGiven('year', hasWorkInYear),
    // `q`: the measure text contains it — through the FTS index from 3 characters on, by a LIKE scan below.
    whenGiven('qFts', sql`${measures.id} IN ${ftsRowids(measuresFts, 'qFts', measuresFts.text)}`),
    whenGiven('qLike', containsParam(measures.text, 'qLike')),
  );
  const selectMeasures = () => db.select(measureColumns).from(measures).innerJoin(tasks, eq(tasks.id, measures.taskId));
  const listPage = selectMeasures().where(filter).orderBy(asc(measures.taskId), asc(measures.position)).limit(param('limit')).offset(param('offset')).prepare();
  const listTotal = db.select({ n: count() }).from(measures).where(filter).prepare();
  const byId = selectMeasures()
    .where(eq(measures.id, param('id')))
    .prepare();
  const ofTask = selectMeasures()
    .where(eq(measures.taskId, param('taskId')))
    .orderBy(asc(measures.position))
    .prepare();
  const ownersOfMeasures = db
    .select({ measureId: measureOwners.measureId, id: units.id, name: units.name, kind: units.kind })
    .from(measureOwners)
    .innerJoin(units, eq(units.id, measureOwners.unitId))
    .where(inJsonIds(measureOwners.measureId, 'measureIds'))
    .orderBy(asc(measureOwners.measureId), asc(measureOwners.position))
    .prepare();
  const milestonesOfMeasures = db
    .select()
    .from(milestones)
    .where(inJsonIds(milestones.measureId, 'measureIds'))
    .orderBy(asc(milestones.measureId), asc(milestones.position))
    .prepare();
  type MeasureRow = ReturnType<(typeof ofTask)['all']>[number];

  /** Owning units per measure, in one query. */
  function ownersOf(measureIds: number[]): Map<number, UnitRef[]> {
    if (measureIds.length === 0) return new Map();
    const rows = ownersOfMeasures.all({ measureIds: JSON.stringify(measureIds) });
    return new Map([...groupBy(rows, (r) => r.measureId)].map(([id, group]) => [id, group.map(({ measureId: _m, ...unit }) => unit)]));
  }

  /** Owners and milestones for a set of measures, in two queries whatever the page size. */
  function withDetails(rows: MeasureRow[]) {
    const ids = rows.map((r) => r.id);
    const owners = ownersOf(ids);
    const marks = groupBy(ids.length === 0 ? [] : milestonesOfMeasures.all({ measureIds: JSON.stringify(ids) }), (m) => m.measureId);
    return rows.map(({ deadlineKind, deadlineDate, deadlineText, ...row }) => ({
      ...row,
      ownerUnits: owners.get(row.id) ?? [],
      milestones: (marks.get(row.id) ?? []).map(({ measureId: _m, ...m }) => m),
      deadline: toDeadline({ deadlineKind, deadlineDate, deadlineText }),
    }));
  }

  return {
    ownersOf,

    list(filters: MeasureFilters, page: Page) {
      const q = textSearch(filters.q);
      const params = {
        task: filters.task ?? null,
        assignedUnitIds: filters.assignedUnitIds ? JSON.stringify(filters.assignedUnitIds) : null,
        year: filters.year ?? null,
        yearStart: filters.year === undefined ? null : `${filters.year}-01-01`,
        qFts: q.fts,
        qLike: q.like,
      };
      return { items: withDetails(listPage.all({ ...params, ...page })), total: listTotal.get(params)!.n };
    },

    get(id: number) {
      const row = byId.get({ id });
      return row ? withDetails([row])[0] : undefined;
    },

    forTask(taskId: number) {
      return withDetails(ofTask.all({ taskId }));
    },
  };
}

export type MeasureRepository = ReturnType<typeof createMeasureRepository>;
