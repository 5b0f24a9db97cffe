import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { ApiInstance } from '../../http/app-types.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { allow } from '../../plugins/auth.js';
import type { UnitAdministration } from './administration.js';
import { actorOf, IfMatchHeaders, PLAN_AMENDERS } from './change-routes.js';
import type { UnitDetail } from './change-kit.js';
import { unitEtag } from './etag.js';
import { NewUnitBody, UnitChangeBody, UnitCreatedSchema, UnitReasonBody, UnitWriteSchema } from './schemas.js';

const tags = ['units'];
const security = [{ bearerAuth: [] }];
const etagHeader = { etag: Type.String({ description: 'The unit’s ETag now, for the next change.' }) };
const answer = { 200: { ...UnitWriteSchema, headers: etagHeader }, ...problemResponses(400, 403, 404, 409, 412, 413, 415, 422, 428) };

const withEtag = <T extends { unit: UnitDetail }>(reply: FastifyReply, result: T) => reply.header('etag', unitEtag(result.unit)).send(result);

/** Creating, changing, retiring and restoring units: admin and coordinator keys, as plan revisions. */
export function registerUnitUpkeepRoutes(app: ApiInstance, administration: UnitAdministration): void {
  app.post(
    '/units',
    {
      onRequest: allow(PLAN_AMENDERS),
      schema: {
        tags,
        operationId: 'createUnit',
        summary: 'Create a unit',
        description:
          'A unit the plan did not name yet (a bureau set up by a reform, or a collective of some units, naming its `members`), with a reason, as a plan revision (`created`). A name or alias that another unit already answers to — a retired unit keeps its names — is a 409 naming that unit. Admin or coordinator.',
        security,
        body: NewUnitBody,
        response: {
          201: {
            ...UnitCreatedSchema,
            headers: { ...etagHeader, location: Type.String({ description: 'The new unit: /api/v1/units/{id}.' }) },
          },
          ...problemResponses(400, 403, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const result = administration.create(actorOf(request), request.body);
      return withEtag(reply.code(201).header('location', `/api/v1/units/${result.unit.id}`), result);
    },
  );

  app.patch(
    '/units/:id',
    {
      onRequest: allow(PLAN_AMENDERS),
      schema: {
        tags,
        operationId: 'changeUnit',
        summary: 'Change a unit',
        description:
          'Changes the unit’s `kind` (not into or out of a collective), its `aliases` (the list replaces the old one; the canonical name stays — rename changes it — and names of units merged into it stay) or a collective’s `members`, with a reason, as a plan revision. New members owe the collective’s measures from today and former ones are withdrawn (their open obligations waived), as when an amendment changes a measure’s owners. An alias another unit answers to is a 409; what already stands so is `unchanged`. A retired unit is restored before it is changed (409). Admin or coordinator; `If-Match` required.',
        security,
        params: IdParams,
        headers: IfMatchHeaders,
        body: UnitChangeBody,
        response: answer,
      },
    },
    async (request, reply) => withEtag(reply, administration.update(actorOf(request), request.params.id, request.body, request.headers['if-match'])),
  );

  app.delete(
    '/units/:id',
    {
      onRequest: allow(PLAN_AMENDERS),
      schema: {
        tags,
        operationId: 'retireUnit',
        summary: 'Retire a unit',
        description:
          'Takes a unit that carries nothing any more out of use (nothing is deleted): it leaves `GET /units` and search, stays readable by id with `retiredAt`, keeps its reports and history, and takes on no new keys, reports, assignments, roles or measures (422). A unit that still leads or is responsible for a task, owns a measure, owes a standing assignment or belongs to a collective is a 409 naming that work: hand it over first, or merge the unit into the one taking its work. Retiring again is `unchanged`. Admin or coordinator; `If-Match` and a reason required.',
        security,
        params: IdParams,
        headers: IfMatchHeaders,
        body: UnitReasonBody,
        response: answer,
      },
    },
    async (request, reply) => withEtag(reply, administration.retire(actorOf(request), request.params.id, request.body, request.headers['if-match'])),
  );

  app.post(
    '/units/:id/restore',
    {
      onRequest: allow(PLAN_AMENDERS),
      schema: {
        tags,
        operationId: 'restoreUnit',
        summary: 'Restore a retired unit',
        description:
          'Puts a retired unit back in use, with a reason, as a plan revision. A merged unit cannot be restored (409): its work, name and aliases went to the unit it was merged into. Restoring a unit that stands is `unchanged`. Admin or coordinator; `If-Match` required.',
        security,
        params: IdParams,
        headers: IfMatchHeaders,
        body: UnitReasonBody,
        response: answer,
      },
    },
    async (request, reply) => withEtag(reply, administration.restore(actorOf(request), request.params.id, request.body, request.headers['if-match'])),
  );
}
