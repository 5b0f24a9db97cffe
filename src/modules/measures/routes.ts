import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { notFound } from '../../domain/errors.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import type { MeasureRepository } from './repository.js';
import { MeasureListQuery, MeasurePageSchema, MeasureSchema } from './schemas.js';

export function registerMeasureRoutes(app: ApiInstance, measures: MeasureRepository, units: UnitResolver): void {
  app.get(
    '/measures',
    {
      schema: {
        tags: ['measures'],
        operationId: 'listMeasures',
        summary: 'List measures',
        description:
          'Implementation measures in document order, each with owners, milestones and deadline. Filter by `task` (id), `unit` (the measures the unit owes — it has an assignment — and may report on: id, name or alias; a collective gives its members’), `year` (work falls in that year) and `q` (text).',
        querystring: MeasureListQuery,
        response: { ...revalidatedResponses(MeasurePageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, unit, ...filters } = request.query;
      const assignedUnitIds = units.owingUnits('unit', unit);
      return { ...measures.list({ ...filters, assignedUnitIds }, { limit, offset }), limit, offset };
    },
  );

  app.get(
    '/measures/:id',
    {
      schema: {
        tags: ['measures'],
        operationId: 'getMeasure',
        summary: 'Get a measure',
        description: 'One implementation measure with its owners, milestones and deadline.',
        params: IdParams,
        response: { ...revalidatedResponses(Type.Ref(MeasureSchema)), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const measure = measures.get(request.params.id);
      if (!measure) throw notFound('measure', request.params.id);
      return measure;
    },
  );
}
