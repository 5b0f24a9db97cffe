import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chapters, plans } from '../../db/schema.js';
import { param, whenGiven } from '../../db/sql.js';
import type { Page } from '../../http/pagination.js';

export function createPlanRepository(db: Db) {
  const selectPlans = () =>
    db
      .select({
        id: plans.id,
        code: plans.code,
        title: plans.title,
        issuer: plans.issuer,
        publishedOn: plans.publishedOn,
        startYear: plans.startYear,
        endYear: plans.endYear,
        sourceFile: plans.sourceFile,
        // Correlated subqueries are written out: drizzle drops the table prefix of columns in a one-table select.
        chapters: sql<number>`(SELECT count(*) FROM chapters c WHERE c.plan_id = plans.id)`,
        tasks: sql<number>`(SELECT count(*) FROM tasks t WHERE t.plan_id = plans.id)`,
        measures: sql<number>`(SELECT count(*) FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = plans.id)`,
        milestones: sql<number>`(SELECT count(*) FROM milestones ms JOIN measures m ON m.id = ms.measure_id JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = plans.id)`,
        indicators: sql<number>`(SELECT count(*) FROM indicators i WHERE i.plan_id = plans.id)`,
      })
      .from(plans);
  type PlanRow = ReturnType<ReturnType<typeof selectPlans>['all']>[number];
  const shape = ({ chapters, tasks, measures, milestones, indicators, ...plan }: PlanRow) => ({
    ...plan,
    counts: { chapters, tasks, measures, milestones, indicators },
  });

  const listPage = selectPlans().orderBy(asc(plans.id)).limit(param('limit')).offset(param('offset')).prepare();
  const planTotal = db.select({ n: count() }).from(plans).prepare();
  const byId = selectPlans()
    .where(eq(plans.id, param('id')))
    .prepare();
  // Retired chapters leave the list.
  const chapterFilter = and(isNull(chapters.retiredAt), whenGiven('plan', eq(chapters.planId, param('plan'))));
  const selectChapters = () =>
    db
      .select({
        id: chapters.id,
        planId: chapters.planId,
        position: chapters.position,
        title: chapters.title,
        taskCount: sql<number>`(SELECT count(*) FROM tasks t WHERE t.chapter_id = chapters.id AND t.retired_at IS NULL)`,
        retiredAt: chapters.retiredAt,
      })
      .from(chapters);
  const chapterById = selectChapters()
    .where(eq(chapters.id, param('id')))
    .prepare();
  const chapterPage = selectChapters().where(chapterFilter).orderBy(asc(chapters.planId), asc(chapters.position)).limit(param('limit')).offset(param('offset')).prepare();
  const chapterTotal = db.select({ n: count() }).from(chapters).where(chapterFilter).prepare();

  return {
    list(page: Page) {
      return { items: listPage.all({ ...page }).map(shape), total: planTotal.get()!.n };
    },

    get(id: number) {
      const row = byId.get({ id });
      return row ? shape(row) : undefined;
    },

    /** One chapter, retired or not. */
    chapter: (id: number) => chapterById.get({ id }),

    chapters(filters: { plan?: number | undefined }, page: Page) {
      const params = { plan: filters.plan ?? null };
      return { items: chapterPage.all({ ...params, ...page }), total: chapterTotal.get(params)!.n };
    },
  };
}

export type PlanRepository = ReturnType<typeof createPlanRepository>;
