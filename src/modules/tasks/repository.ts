import { and, asc, count, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chapters, measureOwners, measures, taskUnits, tasks, units } from '../../db/schema.js';
import type { Page } from '../../http/pagination.js';
import { textContains } from '../../http/like.js';
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

function taskIdsWithRole(unitIds: number[], role: TaskRole): SQL {
  if (role === 'owner') {
    return sql`SELECT ${measures.taskId} FROM ${measures} INNER JOIN ${measureOwners} ON ${measureOwners.measureId} = ${measures.id} WHERE ${inArray(measureOwners.unitId, unitIds)}`;
  }
  return sql`SELECT ${taskUnits.taskId} FROM ${taskUnits} WHERE ${taskUnits.role} = ${role} AND ${inArray(taskUnits.unitId, unitIds)}`;
}

function filterCondition(filters: TaskFilters): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (filters.plan !== undefined) conditions.push(eq(tasks.planId, filters.plan));
  if (filters.chapter !== undefined) conditions.push(eq(tasks.chapterId, filters.chapter));
  if (filters.unitIds) {
    const roles: TaskRole[] = filters.role ? [filters.role] : ['lead', 'responsible', 'owner'];
    conditions.push(or(...roles.map((role) => sql`${tasks.id} IN (${taskIdsWithRole(filters.unitIds!, role)})`)));
  }
  if (filters.deadlineYear !== undefined) {
    conditions.push(sql`${tasks.deadlineDate} LIKE ${`${filters.deadlineYear}-%`}`);
  }
  if (filters.q) {
    conditions.push(
      or(
        textContains(tasks.title, filters.q),
        sql`${tasks.id} IN (SELECT ${measures.taskId} FROM ${measures} WHERE ${textContains(measures.text, filters.q)})`,
      ),
    );
  }
  return and(...conditions);
}

export function createTaskRepository(db: Db) {
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
        deadlineKind: tasks.deadlineKind,
        deadlineDate: tasks.deadlineDate,
        deadlineText: tasks.deadlineText,
        sourceLines: tasks.sourceLines,
        measureCount: sql<number>`(SELECT count(*) FROM measures m WHERE m.task_id = tasks.id)`,
      })
      .from(tasks)
      .innerJoin(chapters, eq(chapters.id, tasks.chapterId));
  type TaskRow = ReturnType<ReturnType<typeof selectTasks>['all']>[number];

  /** Lead and responsible units for a page of tasks, in one query. */
  function shape(rows: TaskRow[]) {
    const assigned = new Map<string, UnitRef[]>();
    if (rows.length > 0) {
      const unitRows = db
        .select({ taskId: taskUnits.taskId, role: taskUnits.role, id: units.id, name: units.name, kind: units.kind })
        .from(taskUnits)
        .innerJoin(units, eq(units.id, taskUnits.unitId))
        .where(inArray(taskUnits.taskId, rows.map((r) => r.id)))
        .orderBy(asc(taskUnits.taskId), asc(taskUnits.role), asc(taskUnits.position))
        .all();
      for (const { taskId, role, ...unit } of unitRows) {
        const key = `${taskId}/${role}`;
        assigned.set(key, [...(assigned.get(key) ?? []), unit]);
      }
    }
    return rows.map((row) => ({
      id: row.id,
      planId: row.planId,
      no: row.no,
      chapter: { id: row.chapterId, title: row.chapterTitle },
      title: row.title,
      leadUnits: assigned.get(`${row.id}/lead`) ?? [],
      leadsEachOwnPart: row.leadsEachOwnPart,
      responsibleUnits: assigned.get(`${row.id}/responsible`) ?? [],
      deadline: toDeadline(row),
      measureCount: row.measureCount,
      source: {
        lines: JSON.parse(row.sourceLines) as number[],
        leadUnitsText: row.leadUnitsText,
        responsibleUnitsText: row.responsibleUnitsText,
      },
    }));
  }

  return {
    list(filters: TaskFilters, page: Page) {
      const where = filterCondition(filters);
      const rows = selectTasks()
        .where(where)
        .orderBy(asc(tasks.planId), asc(tasks.no))
        .limit(page.limit)
        .offset(page.offset)
        .all();
      const total = db.select({ n: count() }).from(tasks).where(where).get()!.n;
      return { items: shape(rows), total };
    },

    get(id: number) {
      const row = selectTasks().where(eq(tasks.id, id)).get();
      return row ? shape([row])[0] : undefined;
    },
  };
}

export type TaskRepository = ReturnType<typeof createTaskRepository>;
