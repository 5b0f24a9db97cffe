import { Type } from '@sinclair/typebox';
import { CHANGE_TYPES } from '../../db/schema.js';
import { invalidField } from '../../domain/errors.js';
import type { ApiInstance } from '../../http/app-types.js';
import { StringEnum } from '../../http/enum.js';
import { unitFilter } from '../../http/filters.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../http/pagination.js';
import { problemResponses } from '../../http/problem.js';
import { allow, ANY_ROLE } from '../../plugins/auth.js';
import { draftsVisibleTo } from '../reports/rules.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import { SCAN_WINDOW, type ChangeRepository, type ChangeType } from './repository.js';
import { shown } from './shown.js';
import { noSuchChangeType } from './types.js';

const changeExample = {
  id: 1041,
  type: 'report.submitted',
  at: '2024-10-08T02:16:30.000Z',
  resource: { type: 'report', id: 41, href: '/api/v1/reports/41' },
  unitId: 5,
  state: { id: 41, measureId: 12, period: '2024-Q3', state: 'submitted', status: 'in_progress', narrative: '已完成季度信用承诺书归集。' },
};

export const ChangeSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1, description: 'Stable, and larger for every later commit: the cursor to resume after.' }),
    type: StringEnum(CHANGE_TYPES),
    at: Type.String({ format: 'date-time', description: 'When the change was made (the feed is ordered by commit, i.e. by id).' }),
    resource: Type.Object({
      type: Type.String({ description: 'report, indicator, assignment, obligation, chapter, task, measure, milestone, unit or plan.' }),
      id: Type.Integer(),
      href: Type.String({ description: 'Where the resource is read (an obligation: its assignment).' }),
    }),
    unitId: Type.Union([Type.Integer(), Type.Null()], { description: 'The unit the change concerns: the reporting or owing unit, or the unit changed.' }),
    state: Type.Unknown({ description: 'The resource as it stood after the change, as its GET shows it.' }),
  },
  { $id: 'Change', title: 'Change', description: 'One change in the feed.', examples: [changeExample] },
);

const TYPES_PATTERN = '^[a-z_]+(\\.[a-z_]+)?(,[a-z_]+(\\.[a-z_]+)?)*$';

const ChangesQuery = Type.Object(
  {
    after: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 0,
      description: 'Cursor: changes with a larger id (the `nextCursor` of the page before; 0 from the start).',
    }),
    types: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        pattern: TYPES_PATTERN,
        description: `Comma-separated change types (\`report.submitted,report.approved\`) or families (\`report\`). Types: ${CHANGE_TYPES.join(', ')}.`,
        examples: ['report.submitted,report.returned'],
      }),
    ),
    unit: Type.Optional(unitFilter('Only changes concerning this unit (or a collective it belongs to).')),
    limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
  },
  { additionalProperties: false },
);

/** The types a `types` filter names: each item is a type or a family (`report` for every `report.*`). */
function typesNamed(list: string): ChangeType[] {
  const types = new Set<ChangeType>();
  for (const item of list.split(',')) {
    const matching = CHANGE_TYPES.filter((type) => type === item || type.startsWith(`${item}.`));
    if (matching.length === 0) {
      throw invalidField('/querystring/types', noSuchChangeType(item));
    }
    matching.forEach((type) => types.add(type));
  }
  return [...types];
}

export function registerChangeRoutes(app: ApiInstance, { changes, units }: { changes: ChangeRepository; units: UnitResolver }): void {
  app.get(
    '/changes',
    {
      // The changes carry reports as their GET shows them, and reading reports needs a key.
      onRequest: allow(ANY_ROLE),
      schema: {
        tags: ['integration'],
        operationId: 'listChanges',
        summary: 'The change feed',
        description:
          'Every change — reports written and reviewed, indicator values approved, assignments signed for and closed, obligations coming due and overdue, plan revisions, units changed — oldest first, in the order they were committed. Keep `nextCursor` and pass it as `after` next time: nothing is missed or repeated, across restarts too. Needs an API key of any role, like reading reports; drafts are shown only to admins, coordinators and the drafting unit’s reporters. A `unit` filter naming a collective covers its members.',
        security: [{ bearerAuth: [] }],
        querystring: ChangesQuery,
        response: {
          200: Type.Object(
            {
              items: Type.Array(Type.Ref(ChangeSchema)),
              limit: Type.Integer(),
              nextCursor: Type.Integer({
                description: `Pass as \`after\` next time: past the last change on this page, or past every id this page looked through (at most ${SCAN_WINDOW} a page), so a page that matched nothing still moves on.`,
              }),
              hasMore: Type.Boolean({
                description: 'More of the feed lies beyond `nextCursor` now: ask again at once (the next page may be short or empty when a filter matches rarely).',
              }),
            },
            { description: 'A page of the change feed.', examples: [{ items: [changeExample], limit: 50, nextCursor: 1041, hasMore: false }] },
          ),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { after, limit, unit, types } = request.query;
      // A unit's own changes and its collectives'; for a collective, its members' too.
      const unitIds = unit === undefined ? undefined : [...new Set([...units.unitFilter('unit', unit)!, ...units.owingUnits('unit', unit)!])];
      const filters = { types: types === undefined ? undefined : typesNamed(types), unitIds };
      const page = changes.page(draftsVisibleTo(request.principal), filters, { after, limit });
      return { items: page.items.map(shown), limit, nextCursor: page.nextCursor, hasMore: page.hasMore };
    },
  );
}
