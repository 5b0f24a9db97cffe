import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { notFound, THINGS } from '../../domain/errors.js';
import { unitEtag } from './etag.js';
import type { UnitRepository } from './repository.js';
import { UnitDetailSchema, UnitListQuery, UnitPageSchema } from './schemas.js';

export function registerUnitRoutes(app: ApiInstance, units: UnitRepository): void {
  app.get(
    '/units',
    {
      schema: {
        tags: ['units'],
        operationId: 'listUnits',
        summary: 'List units',
        description:
          'Every unit that stands (a retired unit, or one merged into another, leaves the list): departments, stationed units, county governments, the development zone and collectives. Filter by `kind`, or by `q` (a substring of the name or of any alias, e.g. `营商`).',
        querystring: UnitListQuery,
        response: { ...revalidatedResponses(UnitPageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, ...filters } = request.query;
      return { ...units.list(filters, { limit, offset }), limit, offset };
    },
  );

  app.get(
    '/units/:id',
    {
      schema: {
        tags: ['units'],
        operationId: 'getUnit',
        summary: 'Get a unit',
        description:
          'A unit with its aliases, the members of a collective (or the collectives it belongs to) and how many tasks it leads, is responsible for, and measures it owns. A retired unit stays readable here with `retiredAt` (and `mergedInto` when it was merged into another). Its `ETag` is what changing, retiring, restoring, renaming or merging it names in `If-Match`.',
        params: IdParams,
        response: { ...revalidatedResponses(Type.Ref(UnitDetailSchema)), ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const unit = units.get(request.params.id);
      if (!unit) throw notFound(THINGS.unit, request.params.id);
      return reply.header('etag', unitEtag(unit)).send(unit);
    },
  );
}
