import { and, asc, count, eq, or, sql, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chapters, measureOwners, measures, taskUnits, tasks, units } from '../../db/schema.js';
import { ftsRowids, measuresFts, tasksFts, textSearch } from '../../db/fts.js';
import { containsParam, groupBy, inJsonIds, param, whenGiven } from '../../db/sql.js';
import type { Page } from '../../http/pagination.js';
import { toDeadline } from '../measures/deadline.js';
import type { UnitRef } from '../units/repository.js';

export type TaskRole = 'lead' | 'responsible' | 'owner';

export interface TaskFilters {
  plan?: number | undefined;
  chapter?: number | undefined;
  /** The unit and the collectives it belongs to (see UnitRepository.withCollectives). */
  unitIds?: number[] | undefined;
  role?: TaskRole | undefined;
  deadlineYear?: number | undefined;
  q?: string | undefined;
}

/** Tasks where one of the units bound to `unitIds` has `role` (any role when `role` is NULL). */
const hasUnitInRole = or(
  sql`${tasks.id} IN (SELECT ${taskUnits.taskId} FROM ${taskUnits} WHERE ${inJsonIds(taskUnits.unitId, 'unitIds')}
      AND (${param('role')} IS NULL OR ${taskUnits.role} = ${param('role')}))`,
  sql`(${param('role')} IS NULL OR ${param('role')} = 'owner') AND ${tasks.id} IN (
      SELECT ${measures.taskId} FROM ${measures} INNER JOIN ${measureOwners} ON ${measureOwners.measureId} = ${measures.id}
      WHERE ${inJsonIds(measureOwners.unitId, 'unitIds')})`,
);

export function createTaskRepository(db: Db) {
  const filter = and(
    // Retired tasks leave the lists; they stay readable by id.
    isNull(tasks.retiredAt),
    whenGiven('plan', eq(tasks.planId, param('plan'))),
    whenGiven('chapter', eq(tasks.chapterId, param('chapter'))),
    whenGiven('unitIds', hasUnitInRole),
    whenGiven('deadlineYearPrefix', sql`${tasks.deadlineDate} LIKE ${param('deadlineYearPrefix')}`),
    // `q`: the title or one of the task's measure texts contains it — through the FTS index from 3 characters
    // on (`qFts`), by a LIKE scan below (`qLike`); one of the two is bound, the other NULL.
    whenGiven(
      'qFts',
      or(
        sql`${tasks.id} IN ${ftsRowids(tasksFts, 'qFts')}`,
        sql`${tasks.id} IN (SELECT ${measures.taskId} FROM ${measures}
            WHERE ${measures.id} IN ${ftsRowids(measuresFts, 'qFts', measuresFts.text)})`,
      ),
    ),
    whenGiven('qLike', or(containsParam(tasks.title, 'qLike'), sql`${tasks.id} IN (SELECT ${measures.taskId} FROM ${measures} WHERE ${containsParam(measures.text, 'qLike')})`)),
  );
  const selectTasks = () =>
    db
      .select({
        id: tasks.id,
        planId: tasks.planId,
        no: tasks.no,
        chapterId: chapters.id,
        chapterTitle: chapters.title,
        title: tasks.title,
        leadsEachOwnPart: tasks.leadsEachOwnPart,
        leadUnitsText: tasks.leadUnitsText,
        responsibleUnitsText: tasks.responsibleUnitsText,
        retiredAt: tasks.retiredAt,
        deadlineKind: tasks.deadlineKind,
        deadlineDate: tasks.deadlineDate,
        deadlineText: tasks.deadlineText,
        sourceLines: tasks.sourceLines,
        measureCount: sql<number>`(SELECT count(*) FROM measures m WHERE m.task_id = tasks.id)`,
      })
      .from(tasks)
      .innerJoin(chapters, eq(chapters.id, tasks.chapterId));
  const listPage = selectTasks().where(filter).orderBy(asc(tasks.planId), asc(tasks.no)).limit(param('limit')).offset(param('offset')).prepare();
  const listTotal = db.select({ n: count() }).from(tasks).where(filter).prepare();
  const byId = selectTasks()
    .where(eq(tasks.id, param('id')))
    .prepare();
  const unitsOfTasks = db
    .select({ taskId: taskUnits.taskId, role: taskUnits.role, id: units.id, name: units.name, kind: units.kind })
    .from(taskUnits)
    .innerJoin(units, eq(units.id, taskUnits.unitId))
    .where(inJsonIds(taskUnits.taskId, 'taskIds'))
    .orderBy(asc(taskUnits.taskId), asc(taskUnits.role), asc(taskUnits.position))
    .prepare();
  type TaskRow = ReturnType<(typeof byId)['all']>[number];

  /** Lead and responsible units for a page of tasks, in one query. */
  function shape(rows: TaskRow[]) {
    const assigned = groupBy(rows.length === 0 ? [] : unitsOfTasks.all({ taskIds: JSON.stringify(rows.map((r) => r.id)) }), (u) => `${u.taskId}/${u.role}`);
    const unitsIn = (taskId: number, role: 'lead' | 'responsible'): UnitRef[] => (assigned.get(`${taskId}/${role}`) ?? []).map(({ id, name, kind }) => ({ id, name, kind }));
    return rows.map((row) => ({
      id: row.id,
      planId: row.planId,
      no: row.no,
      chapter: { id: row.chapterId, title: row.chapterTitle },
      title: row.title,
      leadUnits: unitsIn(row.id, 'lead'),
      leadsEachOwnPart: row.leadsEachOwnPart,
      responsibleUnits: unitsIn(row.id, 'responsible'),
      deadline: toDeadline(row),
      measureCount: row.measureCount,
      retiredAt: row.retiredAt,
      source: {
        lines: JSON.parse(row.sourceLines) as number[],
        leadUnitsText: row.leadUnitsText,
        responsibleUnitsText: row.responsibleUnitsText,
      },
    }));
  }

  return {
    list(filters: TaskFilters, page: Page) {
      const q = textSearch(filters.q);
      const params = {
        plan: filters.plan ?? null,
        chapter: filters.chapter ?? null,
        unitIds: filters.unitIds ? JSON.stringify(filters.unitIds) : null,
        role: filters.role ?? null,
        // Bound as text: better-sqlite3 binds JS numbers as REAL, which would concatenate as '2023.0'.
        deadlineYearPrefix: filters.deadlineYear === undefined ? null : `${filters.deadlineYear}-%`,
        qFts: q.fts,
        qLike: q.like,
      };
      return { items: shape(listPage.all({ ...params, ...page })), total: listTotal.get(params)!.n };
    },

    get(id: number) {
      const row = byId.get({ id });
      return row ? shape([row])[0] : undefined;
    },
  };
}

export type TaskRepository = ReturnType<typeof createTaskRepository>;
