import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { measureOwners, measures, milestones, tasks, MILESTONE_KINDS } from '../../db/schema.js';
import type { Page } from '../../http/pagination.js';
import { ownersOf } from '../measures/repository.js';

export interface MilestoneFilters {
  year?: number | undefined;
  ownerUnitIds?: number[] | undefined;
  task?: number | undefined;
  kind?: (typeof MILESTONE_KINDS)[number] | undefined;
}

export function createMilestoneRepository(db: Db) {
  function filterCondition(filters: MilestoneFilters): SQL | undefined {
    return and(
      filters.year === undefined ? undefined : eq(milestones.year, filters.year),
      filters.kind === undefined ? undefined : eq(milestones.kind, filters.kind),
      filters.task === undefined ? undefined : eq(measures.taskId, filters.task),
      filters.ownerUnitIds === undefined
        ? undefined
        : sql`${milestones.measureId} IN (SELECT ${measureOwners.measureId} FROM ${measureOwners} WHERE ${inArray(measureOwners.unitId, filters.ownerUnitIds)})`,
    );
  }

  return {
    list(filters: MilestoneFilters, page: Page) {
      const where = filterCondition(filters);
      const rows = db
        .select({
          id: milestones.id,
          position: milestones.position,
          kind: milestones.kind,
          year: milestones.year,
          dueDate: milestones.dueDate,
          text: milestones.text,
          measureId: milestones.measureId,
          measureNo: measures.no,
          taskId: measures.taskId,
          taskNo: tasks.no,
        })
        .from(milestones)
        .innerJoin(measures, eq(measures.id, milestones.measureId))
        .innerJoin(tasks, eq(tasks.id, measures.taskId))
        .where(where)
        .orderBy(asc(measures.taskId), asc(measures.position), asc(milestones.position))
        .limit(page.limit)
        .offset(page.offset)
        .all();
      const total = db
        .select({ n: count() })
        .from(milestones)
        .innerJoin(measures, eq(measures.id, milestones.measureId))
        .where(where)
        .get()!.n;

      const owners = ownersOf(db, [...new Set(rows.map((r) => r.measureId))]);
      return { items: rows.map((r) => ({ ...r, ownerUnits: owners.get(r.measureId) ?? [] })), total };
    },
  };
}

export type MilestoneRepository = ReturnType<typeof createMilestoneRepository>;
