import { Type } from '@sinclair/typebox';
import { REVISION_ACTIONS, REVISION_ENTITIES } from '../../db/schema.js';
import { notFound, THINGS } from '../../domain/errors.js';
import type { ApiInstance } from '../../http/app-types.js';
import { parseInstant } from '../../http/calendar.js';
import { StringEnum } from '../../http/enum.js';
import { instantFilter, unitFilter } from '../../http/filters.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../http/pagination.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import type { PlanRepository } from '../plans/repository.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import type { RevisionRepository } from './repository.js';

const RevisionSchema = Type.Object(
  {
    id: Type.Integer(),
    entity: StringEnum(REVISION_ENTITIES),
    entityId: Type.Integer(),
    action: StringEnum(REVISION_ACTIONS),
    at: Type.String({ format: 'date-time', description: 'When the change was made.' }),
    effectiveOn: Type.String({ format: 'date', description: 'The day it counts from.' }),
    keyId: Type.Union([Type.Integer(), Type.Null()], { description: 'The API key that made it.' }),
    reason: Type.String(),
    before: Type.Unknown({ description: 'The entity’s document before (null: it was created).' }),
    after: Type.Unknown({ description: 'The entity’s document after.' }),
    unitIds: Type.Array(Type.Integer(), { description: 'The units the change concerns.' }),
    requestId: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'PlanRevision', title: 'PlanRevision', description: 'One amendment of a plan: who, when, why, before and after.' },
);

const RevisionQuery = Type.Object(
  {
    entity: Type.Optional(StringEnum(REVISION_ENTITIES, { description: 'Only changes of this kind of thing.' })),
    entityId: Type.Optional(Type.Integer({ minimum: 1, description: 'Only changes of this one (with `entity`).' })),
    unit: Type.Optional(unitFilter('Only changes concerning this unit (as owner, lead or responsible unit, renamed or merged).')),
    since: Type.Optional(instantFilter('Only changes made at or after this instant.', 'day-start')),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'Cursor: the `nextCursor` of the page before.' })),
    limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
  },
  { additionalProperties: false },
);

const RevisionPageSchema = Type.Object(
  {
    items: Type.Array(Type.Ref(RevisionSchema)),
    total: Type.Integer({ minimum: 0 }),
    limit: Type.Integer(),
    nextCursor: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `after` for the next page; null on the last.' }),
  },
  {
    examples: [
      {
        items: [
          {
            id: 1,
            entity: 'milestone',
            entityId: 7,
            action: 'updated',
            at: '2025-03-02T01:30:00.000Z',
            effectiveOn: '2025-01-01',
            keyId: 1,
            reason: '经市领导批准延期',
            before: { dueDate: '2024-12-31' },
            after: { dueDate: '2025-12-31' },
            unitIds: [],
            requestId: null,
          },
        ],
        total: 1,
        limit: 50,
        nextCursor: null,
      },
    ],
  },
);

export const REVISION_SCHEMAS = [RevisionSchema];

/** The plan's history of amendments, oldest first. */
export function registerRevisionRoutes(app: ApiInstance, deps: { revisions: RevisionRepository; units: UnitResolver; plans: PlanRepository }): void {
  app.get(
    '/plans/:id/revisions',
    {
      schema: {
        tags: ['administration'],
        operationId: 'listPlanRevisions',
        summary: 'List a plan’s revisions',
        description:
          'Every amendment of the plan since it was loaded, in the order made: the entity, before and after, the reason, who and when, and the day it counts from. Units’ renames and merges are listed with every plan.',
        params: IdParams,
        querystring: RevisionQuery,
        response: { 200: RevisionPageSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const planId = request.params.id;
      if (!deps.plans.get(planId)) throw notFound(THINGS.plan, planId);
      const { entity, entityId, unit, since, after, limit } = request.query;
      const unitId = deps.units.unitFilter('unit', unit)?.[0];
      const page = deps.revisions.list({ planId, entity, entityId, unitId, since: since === undefined ? undefined : parseInstant(since, 'day-start').toISOString(), after }, limit);
      const items = page.items.map(({ planId: _plan, before, after: afterText, ...row }) => ({
        ...row,
        before: before === null ? null : (JSON.parse(before) as unknown),
        after: afterText === null ? null : (JSON.parse(afterText) as unknown),
      }));
      return { items, total: page.total, limit, nextCursor: items.length === limit ? items.at(-1)!.id : null };
    },
  );
}
