import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { invalidField, notFound } from '../../domain/errors.js';
import type { IndicatorRepository } from '../indicators/repository.js';
import type { MeasureRepository } from '../measures/repository.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import type { TaskRepository } from './repository.js';
import { TaskDetailSchema, TaskListQuery, TaskPageSchema } from './schemas.js';

interface TaskRouteDeps {
  tasks: TaskRepository;
  measures: MeasureRepository;
  indicators: IndicatorRepository;
  units: UnitResolver;
}

export function registerTaskRoutes(app: ApiInstance, { tasks, measures, indicators, units }: TaskRouteDeps): void {
  app.get(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        operationId: 'listTasks',
        summary: 'List tasks',
        description:
          'Tasks of the breakdown table ordered by 序号, each with chapter, lead and responsible units, deadline and number of measures. Filters combine with AND: `plan`, `chapter`, `unit` (+ `role`), `deadlineYear`, `q`. `role` without `unit` is a 400.',
        querystring: TaskListQuery,
        response: { ...revalidatedResponses(TaskPageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, unit, role, ...filters } = request.query;
      if (role && unit === undefined) throw invalidField('/querystring/role', 'needs a `unit` to apply to');
      const unitIds = units.unitFilter('unit', unit);
      return { ...tasks.list({ ...filters, unitIds, role }, { limit, offset }), limit, offset };
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
          'One task with every implementation measure (owners, annual-target milestones, deadline) and the quantitative indicators it states.',
        params: IdParams,
        response: { ...revalidatedResponses(Type.Ref(TaskDetailSchema)), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const task = tasks.get(request.params.id);
      if (!task) throw notFound('task', request.params.id);
      return { ...task, measures: measures.forTask(task.id), indicators: indicators.forTask(task.id) };
    },
  );
}
