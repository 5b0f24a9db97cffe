import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { notFound, THINGS } from '../../domain/errors.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import type { MeasureRepository } from './repository.js';
import { MeasureGetQuery, MeasureListQuery, MeasurePageSchema, MeasureSchema } from './schemas.js';
import { filterAll } from '../../http/live-filter.js';
import type { LightsAt } from '../monitoring/lights-at.js';
import { parseInstant } from '../../http/calendar.js';
import type { AmendedReads } from '../amendments/history.js';

export function registerMeasureRoutes(app: ApiInstance, measures: MeasureRepository, units: UnitResolver, lights: LightsAt, amended: AmendedReads): void {
  app.get(
    '/measures',
    {
      schema: {
        tags: ['measures'],
        operationId: 'listMeasures',
        summary: 'List measures',
        description:
          'Implementation measures in document order, each with owners, milestones and deadline. Filter by `task` (id), `unit` (the measures the unit owes — it has an assignment — and may report on: id, name or alias; a collective gives its members’), `year` (work falls in that year), `q` (text) and `light`. With `light` or `asOf`, each measure carries its light at that instant (answered live, not from the cache).',
        querystring: MeasureListQuery,
        response: { ...revalidatedResponses(MeasurePageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, unit, light, asOf, ...filters } = request.query;
      const assignedUnitIds = units.owingUnits('unit', unit);
      const lit = lights.at(undefined, light, asOf);
      if (!lit) return { ...measures.list({ ...filters, assignedUnitIds }, { limit, offset }), limit, offset };
      const page = filterAll(
        (p) => measures.list({ ...filters, assignedUnitIds }, p),
        (m) => lit.keeps(lit.measures.get(m.id)),
        { limit, offset },
      );
      return { items: page.items.map((m) => ({ ...m, light: lit.measures.get(m.id) ?? 'green' })), total: page.total, limit, offset };
    },
  );

  app.get(
    '/measures/:id',
    {
      schema: {
        tags: ['measures'],
        operationId: 'getMeasure',
        summary: 'Get a measure',
        description:
          'One implementation measure with its owners, milestones and deadline, and its version as `ETag` (what an amendment’s `If-Match` names). With `asOf`, the measure as the plan stood then (its text, owners and deadline before later amendments; 404 when it was added after) and its light at that instant.',
        params: IdParams,
        querystring: MeasureGetQuery,
        response: { ...revalidatedResponses(Type.Ref(MeasureSchema)), ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const current = measures.get(id);
      const asOf = request.query.asOf === undefined ? undefined : parseInstant(request.query.asOf, 'day-end');
      const measure = current && (asOf ? amended.history.measureAt(current, asOf) : current);
      if (!measure) throw notFound(THINGS.measure, id);
      reply.header('etag', amended.etagOf('measure', id));
      const lit = lights.at(undefined, undefined, request.query.asOf);
      return lit ? { ...measure, light: lit.measures.get(measure.id) ?? 'green' } : measure;
    },
  );
}
