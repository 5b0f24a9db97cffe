import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { notFound, THINGS } from '../../domain/errors.js';
import type { PlanRepository } from './repository.js';
import { ChapterListQuery, ChapterPageSchema, PlanListQuery, PlanPageSchema, PlanSchema } from './schemas.js';

export function registerPlanRoutes(app: ApiInstance, plans: PlanRepository): void {
  app.get(
    '/plans',
    {
      schema: {
        tags: ['plans'],
        operationId: 'listPlans',
        summary: 'List plans',
        description: 'Every breakdown table the system holds, with counts of its chapters, tasks, measures, milestones and indicators.',
        querystring: PlanListQuery,
        response: { ...revalidatedResponses(PlanPageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      return { ...plans.list({ limit, offset }), limit, offset };
    },
  );

  app.get(
    '/plans/:id',
    {
      schema: {
        tags: ['plans'],
        operationId: 'getPlan',
        summary: 'Get a plan',
        description: 'One breakdown table with its period, source and counts.',
        params: IdParams,
        response: { ...revalidatedResponses(Type.Ref(PlanSchema)), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const plan = plans.get(request.params.id);
      if (!plan) throw notFound(THINGS.plan, request.params.id);
      return plan;
    },
  );

  app.get(
    '/chapters',
    {
      schema: {
        tags: ['plans'],
        operationId: 'listChapters',
        summary: 'List chapters',
        description: 'Chapters (规划章节) in document order with their number of tasks; filter by `plan`. Use a chapter id as the `chapter` filter of `GET /tasks`.',
        querystring: ChapterListQuery,
        response: { ...revalidatedResponses(ChapterPageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, ...filters } = request.query;
      return { ...plans.chapters(filters, { limit, offset }), limit, offset };
    },
  );
}
