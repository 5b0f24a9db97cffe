import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { problemResponses } from '../../http/problem.js';
import { SEARCH_TYPES, type SearchRepository } from './repository.js';
import { SearchPageSchema, SearchQuery } from './schemas.js';

export function registerSearchRoutes(app: ApiInstance, search: SearchRepository): void {
  app.get(
    '/search',
    {
      schema: {
        tags: ['search'],
        operationId: 'search',
        summary: 'Search tasks, measures and units',
        description:
          'Full-text search across task titles, measure texts and annual targets, and unit names and aliases: every item whose text contains `q` (信易贷, 双公示, 码上诚信 …), most relevant first (bm25), then by type and id, each with a snippet that wraps the match in 【 】. Queries of three or more characters use the trigram full-text index; one or two characters fall back to a scan with rank 0. Narrow with `types`.',
        querystring: SearchQuery,
        response: { ...revalidatedResponses(SearchPageSchema), ...problemResponses(400) },
      },
    },
    async (request) => {
      const { q, types, limit, offset } = request.query;
      const wanted = types === undefined ? SEARCH_TYPES : SEARCH_TYPES.filter((type) => types.split(',').includes(type));
      return { ...search.search(q, wanted, { limit, offset }), limit, offset };
    },
  );
}
