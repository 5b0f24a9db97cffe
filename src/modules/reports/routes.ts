import { parseInstant } from '../../http/calendar.js';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiInstance } from '../../http/app-types.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { invalidField } from '../../domain/errors.js';
import { allow, callerOf } from '../../plugins/auth.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency/store.js';
import type { UnitRepository } from '../units/repository.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  ReportHistorySchema,
  ReportInputSchema,
  ReportListQuery,
  ReportPageSchema,
  ReportPatchSchema,
  ReportSchema,
  ReturnSchema,
  ReviewSchema,
} from './schemas.js';
import type { Actor, ReportService, ReportView } from './service.js';
import { unknownUnit } from '../units/said.js';

/** Reports are small; a larger body is refused with 413 before it is parsed. */
export const REPORT_BODY_LIMIT = 512 * 1024;

const security = [{ bearerAuth: [] }];
const reportResponse = Type.Ref(ReportSchema);
const IfMatchHeaders = (required: boolean) =>
  Type.Object({
    'if-match': required
      ? Type.String({ maxLength: 200, description: 'The `etag` of the version you read; a stale one is refused with 412.' })
      : Type.Optional(Type.String({ maxLength: 200, description: 'Optional: the `etag` you read; a stale one is refused with 412.' })),
  });

interface ReportRouteDeps {
  service: ReportService;
  units: UnitRepository;
  idempotency: IdempotencyStore;
  now: () => Date;
}

function actorOf(request: FastifyRequest): Actor {
  return { principal: callerOf(request), requestId: request.id };
}

function sendReport(reply: FastifyReply, report: ReportView, status = 200) {
  return reply.code(status).header('etag', report.etag).send(report);
}

export function registerReportRoutes(app: ApiInstance, { service, units, idempotency, now }: ReportRouteDeps): void {
  app.post(
    '/reports',
    {
      onRequest: allow(['admin', 'reporter']),
      bodyLimit: REPORT_BODY_LIMIT,
      schema: {
        tags: ['reports'],
        operationId: 'createReport',
        summary: 'Create or update a progress report',
        description: [
          'A unit reports on a measure it carries — one it owns, or one of a task it is responsible for (责任单位) — directly or through a collective it belongs to (a county reports its share of 各县(市、区)人民政府’s work), for a period within the plan’s years.',
          'If an open draft or returned report exists for the same measure, unit and period it is updated instead of creating a twin (200); otherwise a draft is created (201). Posting content identical to the open or approved report changes nothing (200, `X-Report-Outcome: unchanged`). `submit: true` submits it for review at once.',
          'Send `Idempotency-Key` to make retries safe: the same key with the same body returns the first response again (`Idempotent-Replayed: true`); the same key with another body is refused with 422.',
          'Needs a reporter key (its own unit) or an admin key (naming `unit`). A report awaiting review cannot change (409).',
        ].join('\n\n'),
        security,
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN, description: '1–200 visible ASCII characters, unique per request you mean.' }),
          ),
        }),
        body: Type.Ref(ReportInputSchema),
        response: {
          200: { ...reportResponse, description: 'The open report was updated, or nothing changed.' },
          201: { ...reportResponse, description: 'A new draft (or submitted) report.' },
          ...problemResponses(400, 401, 403, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const result = service.transaction(() =>
        idempotency.once(
          {
            keyId: actor.principal.keyId,
            idempotencyKey: request.headers['idempotency-key'],
            route: 'POST /reports',
            body: request.body,
            now: now(),
          },
          () => {
            const { outcome, report } = service.write(actor, request.body);
            return { status: outcome === 'created' ? 201 : 200, body: { outcome, report } };
          },
        ),
      );
      const { outcome, report } = result.body as { outcome: string; report: ReportView };
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      if (result.status === 201) reply.header('location', `/api/v1/reports/${report.id}`);
      reply.header('x-report-outcome', outcome);
      return sendReport(reply, report, result.status);
    },
  );

  app.get(
    '/reports',
    {
      schema: {
        tags: ['reports'],
        operationId: 'listReports',
        summary: 'List progress reports',
        description:
          'Reports in change order (updatedAt, then id), so a system can poll for changes: keep the `nextCursor` and pass it as `after`, or use `updatedSince`. Filters: `measure`, `task`, `unit` (the reporting unit: id, name or alias), `period`, `state`. Drafts are visible only to their own unit’s reporter, coordinators and admins.',
        security,
        querystring: ReportListQuery,
        response: { 200: ReportPageSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const { principal } = actorOf(request);
      const { limit, offset, after, unit, updatedSince, ...filters } = request.query;
      const unitId = unit === undefined ? undefined : units.resolve(unit)?.id;
      if (unit !== undefined && unitId === undefined) throw invalidField('/querystring/unit', unknownUnit(unit));
      // Stored instants are UTC ISO strings and compare as text: an instant given with another offset is normalised.
      const since = updatedSince === undefined ? undefined : parseInstant(updatedSince, 'day-start').toISOString();
      const page = service.list(principal, { ...filters, unitId, updatedSince: since }, {
        limit,
        offset,
        after: after === undefined ? undefined : decodeCursor(after, '/querystring/after'),
      });
      const last = page.items.at(-1);
      return {
        items: page.items,
        total: page.total,
        limit,
        offset,
        nextCursor: page.hasMore && last ? encodeCursor({ updatedAt: last.updatedAt, id: last.id }) : null,
      };
    },
  );

  app.get(
    '/reports/:id',
    {
      schema: {
        tags: ['reports'],
        operationId: 'getReport',
        summary: 'Get a progress report',
        description: 'One report with its indicator values. The `ETag` header (also `etag` in the body) is what `PATCH` needs in `If-Match`.',
        security,
        params: IdParams,
        response: { 200: reportResponse, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => sendReport(reply, service.get(actorOf(request).principal, request.params.id)),
  );

  app.patch(
    '/reports/:id',
    {
      bodyLimit: REPORT_BODY_LIMIT,
      schema: {
        tags: ['reports'],
        operationId: 'updateReport',
        summary: 'Change a draft or returned report',
        description:
          'Changes the fields given and keeps the others. Only a draft or returned report can change (409 otherwise), only by its unit’s reporter or an admin, and only with `If-Match` naming its current ETag (428 without, 412 when stale).',
        security,
        params: IdParams,
        headers: IfMatchHeaders(true),
        body: Type.Ref(ReportPatchSchema),
        response: { 200: reportResponse, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428) },
      },
    },
    async (request, reply) =>
      sendReport(reply, service.update(actorOf(request), request.params.id, request.body, request.headers['if-match'])),
  );

  app.post(
    '/reports/:id/submit',
    {
      schema: {
        tags: ['reports'],
        operationId: 'submitReport',
        summary: 'Submit a report for review',
        description: 'draft or returned → submitted. By the reporting unit’s reporter or an admin. `If-Match` is optional; when sent it must be current.',
        security,
        params: IdParams,
        headers: IfMatchHeaders(false),
        response: { 200: reportResponse, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) => sendReport(reply, service.submit(actorOf(request), request.params.id, request.headers['if-match'])),
  );

  app.post(
    '/reports/:id/approve',
    {
      schema: {
        tags: ['reports'],
        operationId: 'approveReport',
        summary: 'Approve a submitted report',
        description:
          'submitted → approved, with an optional note. An earlier approved report for the same measure, unit and period becomes superseded. By a coordinator, an admin, or a lead unit of the task reviewing another unit’s report.',
        security,
        params: IdParams,
        headers: IfMatchHeaders(false),
        body: ReviewSchema,
        response: { 200: reportResponse, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415) },
      },
      // The note is optional, so the whole body may be left out: `curl -X POST …/approve` is enough.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) =>
      sendReport(reply, service.approve(actorOf(request), request.params.id, request.body.note ?? null, request.headers['if-match'])),
  );

  app.post(
    '/reports/:id/return',
    {
      schema: {
        tags: ['reports'],
        operationId: 'returnReport',
        summary: 'Return a submitted report to its unit',
        description: 'submitted → returned, with a note saying what to fix. The unit can then change and resubmit it. Same reviewers as approve.',
        security,
        params: IdParams,
        headers: IfMatchHeaders(false),
        body: ReturnSchema,
        response: { 200: reportResponse, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) =>
      sendReport(reply, service.return(actorOf(request), request.params.id, request.body.note, request.headers['if-match'])),
  );

  app.get(
    '/reports/:id/history',
    {
      schema: {
        tags: ['reports'],
        operationId: 'getReportHistory',
        summary: 'A report’s history',
        description: 'Every step of the report — created, updated, submitted, returned, approved, superseded — with who acted, when and the review notes.',
        security,
        params: IdParams,
        response: { 200: ReportHistorySchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => ({ items: service.history(actorOf(request).principal, request.params.id) }),
  );
}
