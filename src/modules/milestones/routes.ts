import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { problemResponses } from '../../http/problem.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import type { MilestoneRepository } from './repository.js';
import { MilestoneListQuery, MilestonePageSchema } from './schemas.js';

export function registerMilestoneRoutes(app: ApiInstance, milestones: MilestoneRepository, units: UnitResolver): void {
  app.get(
    '/milestones',
    {
      schema: {
        tags: ['milestones'],
        operationId: 'listMilestones',
        summary: 'List milestones',
        description:
          'Annual targets of every measure, in document order. Filter by `year` (the milestone’s year), `unit` (milestones of the measures the unit owes, the ones it may report on: id, name or alias; a collective gives its members’), `task` (id) and `kind` (due | ongoing | annual).',
        querystring: MilestoneListQuery,
        response: { ...revalidatedResponses(MilestonePageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, unit, ...filters } = request.query;
      const assignedUnitIds = units.owingUnits('unit', unit);
      return { ...milestones.list({ ...filters, assignedUnitIds }, { limit, offset }), limit, offset };
    },
  );
}
