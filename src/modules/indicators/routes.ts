import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { problemResponses } from '../../http/problem.js';
import type { IndicatorRepository } from './repository.js';
import { IndicatorListQuery, IndicatorPageSchema } from './schemas.js';

export function registerIndicatorRoutes(app: ApiInstance, indicators: IndicatorRepository): void {
  app.get(
    '/indicators',
    {
      schema: {
        tags: ['indicators'],
        operationId: 'listIndicators',
        summary: 'List indicators',
        description:
          'Quantitative targets of the plan (承诺率 100%, 合规率 >98%, 重错码率 <1‱ …) with comparator, value, unit, direction and the yearly targets the document gives. Filter by `task` (id) and `year` (has a target that year).',
        querystring: IndicatorListQuery,
        response: { ...revalidatedResponses(IndicatorPageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, ...filters } = request.query;
      return { ...indicators.list(filters, { limit, offset }), limit, offset };
    },
  );
}
