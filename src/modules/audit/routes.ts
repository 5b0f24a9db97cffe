import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { instantFilter, textFilter, unitFilter } from '../../http/filters.js';
import { parseInstant } from '../../http/calendar.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../http/pagination.js';
import { problemResponses } from '../../http/problem.js';
import { invalidField } from '../../domain/errors.js';
import { allow } from '../../plugins/auth.js';
import type { UnitRepository } from '../units/repository.js';
import type { AuditRepository } from './repository.js';
import { StringEnum } from '../../http/enum.js';
import { unknownUnit } from '../units/said.js';

const auditExample = {
  id: 12,
  at: '2024-10-08T02:16:30.000Z',
  keyId: 7,
  unitId: 5,
  role: 'reporter',
  action: 'report.submit',
  entityType: 'report',
  entityId: 41,
  before: { state: 'draft' },
  after: { state: 'submitted' },
  requestId: '3f0c…',
};

export const AuditEventSchema = Type.Object(
  {
    id: Type.Integer({ description: 'Increases with every event; use it as the `after` cursor.' }),
    at: Type.String({ format: 'date-time' }),
    keyId: Type.Union([Type.Integer(), Type.Null()], { description: 'The API key that acted; null for the command line.' }),
    unitId: Type.Union([Type.Integer(), Type.Null()]),
    role: Type.Union([Type.String(), Type.Null()]),
    action: Type.String({
      description: 'report.create, report.update, report.submit, report.approve, report.return, report.supersede, apikey.create, apikey.revoke, plan.import.',
    }),
    entityType: Type.String({ description: 'report, api_key or plan.' }),
    entityId: Type.Union([Type.Integer(), Type.Null()]),
    before: Type.Unknown({ description: 'The entity before the write (null for a creation).' }),
    after: Type.Unknown({ description: 'The entity after the write.' }),
    requestId: Type.Union([Type.String(), Type.Null()], { description: 'The request id, as in the logs.' }),
  },
  { $id: 'AuditEvent', title: 'AuditEvent', description: 'One write, as recorded (append-only).', examples: [auditExample] },
);

const AuditQuery = Type.Object(
  {
    action: Type.Optional(textFilter(50, 'Exactly this action, e.g. `report.approve`.')),
    entityType: Type.Optional(StringEnum(['report', 'api_key', 'plan'])),
    entityId: Type.Optional(Type.Integer({ minimum: 1 })),
    keyId: Type.Optional(Type.Integer({ minimum: 1, description: 'Events by this API key.' })),
    unit: Type.Optional(unitFilter('Events by keys of this unit.')),
    since: Type.Optional(instantFilter('At or after this instant.', 'day-start')),
    until: Type.Optional(instantFilter('Before this instant.', 'after-day')),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'Cursor: events with a larger id (the `nextCursor` of the previous page).' })),
    limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
  },
  { additionalProperties: false },
);

export function registerAuditRoutes(app: ApiInstance, { audit, units }: { audit: AuditRepository; units: UnitRepository }): void {
  app.get(
    '/audit-events',
    {
      onRequest: allow(['admin', 'coordinator']),
      schema: {
        tags: ['audit'],
        operationId: 'listAuditEvents',
        summary: 'The audit trail',
        description:
          'Every write — reports, reviews, API keys — with who (key, unit, role), what, when and the entity before and after, oldest first. Admins and coordinators only. Page with `after` = the previous `nextCursor`.',
        security: [{ bearerAuth: [] }],
        querystring: AuditQuery,
        response: {
          200: Type.Object(
            {
              items: Type.Array(Type.Ref(AuditEventSchema)),
              total: Type.Integer({ description: 'Events matching the filters (all pages).' }),
              limit: Type.Integer(),
              nextCursor: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `after` for the next page; null on the last.' }),
            },
            { description: 'A page of audit events.', examples: [{ items: [auditExample], total: 1, limit: 50, nextCursor: null }] },
          ),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { after, limit, unit, since, until, ...filters } = request.query;
      const unitId = unit === undefined ? undefined : units.resolve(unit)?.id;
      if (unit !== undefined && unitId === undefined) throw invalidField('/querystring/unit', unknownUnit(unit));
      const page = audit.list(
        {
          ...filters,
          unitId,
          since: since === undefined ? undefined : parseInstant(since, 'day-start').toISOString(),
          until: until === undefined ? undefined : parseInstant(until, 'after-day').toISOString(),
        },
        { after: after ?? 0, limit },
      );
      return { items: page.items, total: page.total, limit, nextCursor: page.hasMore ? page.items.at(-1)!.id : null };
    },
  );
}
