import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ApiInstance } from '../../http/app-types.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { allow, callerOf } from '../../plugins/auth.js';
import type { Actor, UnitAdministration } from './administration.js';
import { unitEtag } from './etag.js';
import { MergeUnitBody, RenameUnitBody, UnitMergeSchema, UnitRenameSchema } from './schemas.js';

const tags = ['units'];
const security = [{ bearerAuth: [] }];
// Required, but checked by the service rather than the schema: without it the answer is a 428, not a 400.
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'Required: the `ETag` of `GET /units/{id}` as you read it (or `*`); a stale one is refused with 412, none with 428.',
    }),
  ),
});
export const PLAN_AMENDERS = ['admin', 'coordinator'] as const;

export function actorOf(request: FastifyRequest): Actor {
  return { principal: callerOf(request), requestId: request.id };
}

/** Renaming and merging units: admin and coordinator keys, as plan revisions. */
export function registerUnitChangeRoutes(app: ApiInstance, administration: UnitAdministration): void {
  app.post(
    '/units/:id/rename',
    {
      onRequest: allow(PLAN_AMENDERS),
      schema: {
        tags,
        operationId: 'renameUnit',
        summary: 'Rename a unit',
        description:
          'Gives the unit a new canonical name, with a reason, as a plan revision. The old name becomes an alias: every lookup by it (`?unit=`, report rows, keys) still finds the unit. A name that is another unit’s name or alias is a 409; renaming to the current name is `unchanged`. Admin or coordinator; `If-Match` required.',
        security,
        params: IdParams,
        headers: IfMatchHeaders,
        body: RenameUnitBody,
        response: {
          200: { ...UnitRenameSchema, headers: { etag: Type.String({ description: 'The unit’s new ETag, for the next change.' }) } },
          ...problemResponses(400, 403, 404, 409, 412, 413, 415, 422, 428),
        },
      },
    },
    async (request, reply) => {
      const result = administration.rename(actorOf(request), request.params.id, request.body, request.headers['if-match']);
      return reply.header('etag', unitEtag(result.unit)).send(result);
    },
  );

  app.post(
    '/units/:id/merge',
    {
      onRequest: allow(PLAN_AMENDERS),
      schema: {
        tags,
        operationId: 'mergeUnit',
        summary: 'Merge a unit into another',
        description:
          'Two spellings of one bureau, or a reform (机构改革) folding one unit into another: in one transaction everything the unit carries moves to `into` — its lead and responsible roles, owned measures, assignments with their obligations, reports with their indicator values and returns, API keys and collective memberships — its name and aliases become aliases of `into`, and it is retired (still readable by id, with `mergedInto`). Where both owe a measure, `into`’s assignment stands and receives the reports; the merged unit’s is withdrawn with the reason. Audit events and revisions keep the unit they named. Refused with 409, changing nothing, when both have an open report for the same measure and period (settle one first), for a collective or a unit already merged; `into` naming the unit itself, a collective or a retired unit is a 422. Merging again into the same unit is `unchanged`. Admin or coordinator; `If-Match` (the merged unit’s ETag) required.',
        security,
        params: IdParams,
        headers: IfMatchHeaders,
        body: MergeUnitBody,
        response: { 200: UnitMergeSchema, ...problemResponses(400, 403, 404, 409, 412, 413, 415, 422, 428) },
      },
    },
    async (request) => administration.merge(actorOf(request), request.params.id, request.body, request.headers['if-match']),
  );
}
