import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { invalidField, notFound, THINGS } from '../../domain/errors.js';
import type { IndicatorRepository } from '../indicators/repository.js';
import type { MeasureRepository } from '../measures/repository.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import type { TaskRepository } from './repository.js';
import { TaskDetailSchema, TaskGetQuery, TaskListQuery, TaskPageSchema } from './schemas.js';
import { filterAll } from '../../http/live-filter.js';
import type { LightsAt } from '../monitoring/lights-at.js';
import { roleNeedsUnit } from '../units/said.js';
import { parseInstant } from '../../http/calendar.js';
import type { AmendedReads } from '../amendments/history.js';

interface TaskRouteDeps {
  tasks: TaskRepository;
  measures: MeasureRepository;
  indicators: IndicatorRepository;
  units: UnitResolver;
  lights: LightsAt;
  amended: AmendedReads;
}

export function registerTaskRoutes(app: ApiInstance, { tasks, measures, indicators, units, lights, amended }: TaskRouteDeps): void {
  app.get(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        operationId: 'listTasks',
        summary: 'List tasks',
        description:
          'Tasks of the breakdown table ordered by 序号, each with chapter, lead and responsible units, deadline and number of measures. Filters combine with AND: `plan`, `chapter`, `unit` (+ `role`), `deadlineYear`, `q`, `light`. `role` without `unit` is a 400. With `light` or `asOf`, each task carries its light at that instant (answered live, not from the cache).',
        querystring: TaskListQuery,
        response: { ...revalidatedResponses(TaskPageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, unit, role, light, asOf, ...filters } = request.query;
      if (role && unit === undefined) throw invalidField('/querystring/role', roleNeedsUnit);
      const unitIds = units.unitFilter('unit', unit);
      const lit = lights.at(filters.plan, light, asOf);
      if (!lit) return { ...tasks.list({ ...filters, unitIds, role }, { limit, offset }), limit, offset };
      const page = filterAll(
        (p) => tasks.list({ ...filters, unitIds, role }, p),
        (task) => lit.keeps(lit.tasks.get(task.id)),
        { limit, offset },
      );
      return { items: page.items.map((task) => ({ ...task, light: lit.tasks.get(task.id) ?? 'green' })), total: page.total, limit, offset };
    },
  );

  app.get(
    '/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        operationId: 'getTask',
        summary: 'Get a task with its measures and indicators',
        description:
          'One task with every implementation measure (owners, annual-target milestones, deadline) and the quantitative indicators it states, and its version as `ETag` (what an amendment’s `If-Match` names). With `asOf`, the task as the plan stood then (its own fields and its measures’ before later amendments; measures added later left out; 404 when the task was added after) and its lights at that instant.',
        params: IdParams,
        querystring: TaskGetQuery,
        response: { ...revalidatedResponses(Type.Ref(TaskDetailSchema)), ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const current = tasks.get(id);
      const asOf = request.query.asOf === undefined ? undefined : parseInstant(request.query.asOf, 'day-end');
      const now = current && { ...current, measures: measures.forTask(current.id), indicators: indicators.forTask(current.id) };
      const detail = now && (asOf ? amended.history.taskAt(now, asOf) : now);
      if (!detail) throw notFound(THINGS.task, id);
      reply.header('etag', amended.etagOf('task', id));
      const task = detail;
      const lit = lights.at(task.planId, undefined, request.query.asOf);
      if (!lit) return detail;
      return { ...detail, light: lit.tasks.get(task.id) ?? 'green', measures: detail.measures.map((m) => ({ ...m, light: lit.measures.get(m.id) ?? 'green' })) };
    },
  );
}
