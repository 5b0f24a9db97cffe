import { and, asc, count, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { measures, milestones, tasks, MILESTONE_KINDS } from '../../db/schema.js';
import { param, whenGiven } from '../../db/sql.js';
import type { Page } from '../../http/pagination.js';
import { assignedToUnits, type MeasureRepository } from '../measures/repository.js';

export interface MilestoneFilters {
  year?: number | undefined;
  assignedUnitIds?: number[] | undefined;
  task?: number | undefined;
  kind?: (typeof MILESTONE_KINDS)[number] | undefined;
}

export function createMilestoneRepository(db: Db, measureRepository: MeasureRepository) {
  const filter = and(
    // Retired milestones, and those of retired measures, leave the list.
    isNull(milestones.retiredAt),
    isNull(measures.retiredAt),
    whenGiven('year', eq(milestones.year, param('year'))),
    whenGiven('kind', eq(milestones.kind, param('kind'))),
    whenGiven('task', eq(measures.taskId, param('task'))),
    whenGiven('assignedUnitIds', assignedToUnits('assignedUnitIds')),
  );
  const selectMilestones = () =>
    db
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
        retiredAt: milestones.retiredAt,
      })
      .from(milestones)
      .innerJoin(measures, eq(measures.id, milestones.measureId))
      .innerJoin(tasks, eq(tasks.id, measures.taskId));
  const listPage = selectMilestones()
    .where(filter)
    .orderBy(asc(measures.taskId), asc(measures.position), asc(milestones.position))
    .limit(param('limit'))
    .offset(param('offset'))
    .prepare();
  const listTotal = db.select({ n: count() }).from(milestones).innerJoin(measures, eq(measures.id, milestones.measureId)).where(filter).prepare();

  const byId = selectMilestones()
    .where(eq(milestones.id, param('id')))
    .prepare();
  const withOwners = <R extends { measureId: number }>(rows: R[]) => {
    const owners = measureRepository.ownersOf([...new Set(rows.map((r) => r.measureId))]);
    return rows.map((r) => ({ ...r, ownerUnits: owners.get(r.measureId) ?? [] }));
  };

  return {
    /** One milestone, retired or not. */
    get(id: number) {
      const row = byId.get({ id });
      return row && withOwners([row])[0];
    },

    list(filters: MilestoneFilters, page: Page) {
      const params = {
        year: filters.year ?? null,
        kind: filters.kind ?? null,
        task: filters.task ?? null,
        assignedUnitIds: filters.assignedUnitIds ? JSON.stringify(filters.assignedUnitIds) : null,
      };
      return { items: withOwners(listPage.all({ ...params, ...page })), total: listTotal.get(params)!.n };
    },
  };
}

export type MilestoneRepository = ReturnType<typeof createMilestoneRepository>;
