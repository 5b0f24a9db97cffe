import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ApiInstance } from '../../http/app-types.js';
import { parseInstant } from '../../http/calendar.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { unprocessable } from '../../domain/errors.js';
import { allow, callerOf } from '../../plugins/auth.js';
import type { UnitRepository } from '../units/repository.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import {
  AcknowledgeBody,
  AddAssignmentBody,
  AssignmentDetailSchema,
  AssignmentGetQuery,
  AssignmentListQuery,
  AssignmentPageSchema,
  AssignmentWriteSchema,
  CloseBody,
  ObligationListQuery,
  ObligationPageSchema,
  ReasonBody,
} from './schemas.js';
import type { Actor, AssignmentService } from './service.js';
import { unknownUnit } from '../units/said.js';

interface AssignmentRouteDeps {
  service: AssignmentService;
  unitResolver: UnitResolver;
  defaultPlanId: () => number;
  now: () => Date;
}

const tags = ['assignments'];
const security = [{ bearerAuth: [] }];
const yesNo = (value: 'true' | 'false' | undefined) => (value === undefined ? undefined : value === 'true');
const asOfOf = (value: string | undefined, now: () => Date) => (value === undefined ? now() : parseInstant(value, 'day-end'));

/** Reads: who owes what and by when, judged at `asOf`. */
export function registerAssignmentReads(app: ApiInstance, { service, unitResolver, defaultPlanId, now }: AssignmentRouteDeps): void {
  app.get(
    '/assignments',
    {
      schema: {
        tags,
        operationId: 'listAssignments',
        summary: 'List assignments (交办): one unit owing one measure',
        description:
          'Every unit owing a measure: the units the measure names, or the task’s responsible units where it names none, a collective expanded to its members. Each with its sign-for, close-out, obligation counts, next due obligation and light at `asOf`. Filters: `unit` (id, name or alias; a collective gives its members’ assignments), `task`, `measure`, `light`, `acknowledged`, `closed`.',
        querystring: AssignmentListQuery,
        response: { 200: AssignmentPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, unit, task, measure, light, acknowledged, closed, asOf: asOfText } = request.query;
      const asOf = asOfOf(asOfText, now);
      const filters = { unitIds: unitResolver.owingUnits('unit', unit), taskId: task, measureId: measure, light, acknowledged: yesNo(acknowledged), closed: yesNo(closed) };
      const page = service.list(defaultPlanId(), asOf, filters, { limit, offset });
      return { ...page, limit, offset, asOf: asOf.toISOString() };
    },
  );

  app.get(
    '/assignments/:id',
    {
      schema: {
        tags,
        operationId: 'getAssignment',
        summary: 'Get an assignment with its obligations',
        description:
          'One assignment, every obligation judged at `asOf` (state, light, days left), and the reports behind it counted, the latest ten listed and the whole list linked.',
        params: IdParams,
        querystring: AssignmentGetQuery,
        response: { 200: Type.Ref(AssignmentDetailSchema), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const detail = service.get(request.params.id, asOfOf(request.query.asOf, now));
      return { ...detail, reports: { ...detail.reports, link: `/api/v1/reports?measure=${detail.measure.id}&unit=${detail.unit.id}` } };
    },
  );

  app.get(
    '/obligations',
    {
      schema: {
        tags,
        operationId: 'listObligations',
        summary: 'What units owe, and by when',
        description:
          'Obligations (an assignment in one due period), earliest due first, each with the measure’s text, the target owed, its state and light at `asOf`: with `unit` and `year`, a unit’s whole to-do list in one call. Filters: `unit` (a collective gives its members’), `year` (due that year), `state`, `light`, `dueAfter`, `dueBefore`.',
        querystring: ObligationListQuery,
        response: { 200: ObligationPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { limit, offset, unit, asOf: asOfText, ...filters } = request.query;
      const asOf = asOfOf(asOfText, now);
      const page = service.obligations(defaultPlanId(), asOf, { ...filters, unitIds: unitResolver.owingUnits('unit', unit) }, { limit, offset });
      return { ...page, limit, offset, asOf: asOf.toISOString() };
    },
  );
}

function actorOf(request: FastifyRequest): Actor {
  return { principal: callerOf(request), requestId: request.id };
}

/** Writes: sign-for, close-out, reopen, narrowing and widening. Every write is audited; a repeat is `unchanged`. */
export function registerAssignmentWrites(app: ApiInstance, { service, units }: { service: AssignmentService; units: UnitRepository }): void {
  const write = (
    path: string,
    operationId: string,
    summary: string,
    description: string,
    roles: Parameters<typeof allow>[0],
    body: typeof AcknowledgeBody | typeof CloseBody | typeof ReasonBody,
    run: (actor: Actor, id: number, body: Record<string, string | undefined>) => ReturnType<AssignmentService['close']>,
  ) =>
    app.post(
      path,
      {
        onRequest: allow(roles),
        schema: {
          tags,
          operationId,
          summary,
          description,
          security,
          params: IdParams,
          body,
          response: { 200: AssignmentWriteSchema, ...problemResponses(400, 403, 404, 409, 413, 415) },
        },
      },
      async (request) => run(actorOf(request), (request.params as { id: number }).id, request.body as Record<string, string | undefined>),
    );

  write(
    '/assignments/:id/acknowledge',
    'acknowledgeAssignment',
    'Sign for an assignment (签收)',
    'The owing unit’s reporter (or an admin) signs for it, optionally naming a contact. Signing again changes only the contact (`unchanged` when that is the same).',
    ['admin', 'reporter'],
    AcknowledgeBody,
    (actor, id, body) => service.acknowledge(actor, id, body),
  );
  write(
    '/assignments/:id/close',
    'closeAssignment',
    'Close out an assignment (办结销号)',
    'A coordinator or admin closes it, with a note, once its last obligation is completed (409 before). Closed assignments leave the follow-ups and keep their history. Closing a closed one is `unchanged`.',
    ['admin', 'coordinator'],
    CloseBody,
    (actor, id, body) => service.close(actor, id, body.note!),
  );
  write(
    '/assignments/:id/reopen',
    'reopenAssignment',
    'Reopen a closed assignment',
    'A coordinator or admin opens a closed assignment again, with a reason; the close-out stays in the audit trail.',
    ['admin', 'coordinator'],
    ReasonBody,
    (actor, id, body) => service.reopen(actor, id, body.reason!),
  );
  write(
    '/assignments/:id/withdraw',
    'withdrawAssignment',
    'Withdraw a member’s assignment (narrow a collective)',
    'A coordinator or admin narrows a collective’s assignment: a member that does not really owe the measure is withdrawn, with a reason; its open obligations are waived. A unit the plan names itself cannot be withdrawn (409).',
    ['admin', 'coordinator'],
    ReasonBody,
    (actor, id, body) => service.withdraw(actor, id, body.reason!),
  );

  app.post(
    '/assignments',
    {
      onRequest: allow(['admin', 'coordinator']),
      schema: {
        tags,
        operationId: 'addAssignment',
        summary: 'Add a unit to a measure',
        description:
          'A coordinator or admin widens a measure: the unit owes it from now on (obligations due from today), with a reason. A withdrawn assignment is reinstated (200); one that stands is `unchanged`.',
        security,
        body: AddAssignmentBody,
        response: { 200: AssignmentWriteSchema, 201: AssignmentWriteSchema, ...problemResponses(400, 403, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const unit = units.resolve(request.body.unit);
      if (!unit) throw unprocessable('/body/unit', unknownUnit(request.body.unit));
      const result = service.add(actorOf(request), { ...request.body, unit });
      if (result.outcome === 'created') reply.code(201).header('location', `/api/v1/assignments/${result.assignment.id}`);
      return result;
    },
  );
}
