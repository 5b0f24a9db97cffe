import type { ApiInstance } from '../../http/app-types.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { notFound, unprocessable, THINGS } from '../../domain/errors.js';
import { allow, callerOf } from '../../plugins/auth.js';
import type { AuditRepository } from '../audit/repository.js';
import type { UnitRepository } from '../units/repository.js';
import { collectiveKeyRefusal, ROLE_WORDS } from './principal.js';
import type { ApiKeyRepository } from './repository.js';
import { ApiKeyListSchema, ApiKeySchema, CreatedApiKeySchema, CurrentKeySchema, NewApiKeySchema } from './schemas.js';
import { Type } from '@sinclair/typebox';
import { said } from '../../domain/said.js';
import { unknownUnit } from '../units/said.js';
import { checkStanding } from '../units/standing.js';

interface ApiKeyRouteDeps {
  keys: ApiKeyRepository;
  units: UnitRepository;
  audit: AuditRepository;
  now: () => Date;
  transaction: <T>(work: () => T) => T;
}

const security = [{ bearerAuth: [] }];
const adminOnly = allow(['admin']);

export function registerApiKeyRoutes(app: ApiInstance, { keys, units, audit, now, transaction }: ApiKeyRouteDeps): void {
  app.post(
    '/api-keys',
    {
      onRequest: adminOnly,
      schema: {
        tags: ['api keys'],
        operationId: 'createApiKey',
        summary: 'Create an API key',
        description:
          'Admin only. Returns the token once; only its hash is stored. A reporter key must name its `unit` (id, name or alias), which must not be a collective (its member units report and review); other roles must not name one.',
        security,
        body: NewApiKeySchema,
        response: { 201: CreatedApiKeySchema, ...problemResponses(400, 401, 403, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const principal = callerOf(request);
      const { name, role, unit: unitRef, expiresAt } = request.body;
      const unit = unitRef === undefined ? undefined : units.resolve(unitRef);
      if (unitRef !== undefined && !unit) throw unprocessable('/body/unit', unknownUnit(unitRef));
      if (role === 'reporter' && !unit) throw unprocessable('/body/unit', said('填报密钥必须绑定单位', 'is required for a reporter key'));
      if (role !== 'reporter' && unit)
        throw unprocessable('/body/unit', said(`只有填报密钥绑定单位，${ROLE_WORDS[role].zh}密钥不绑定`, `only a reporter key is bound to a unit, not a ${role} key`));
      if (unit?.kind === 'collective') throw unprocessable('/body/unit', collectiveKeyRefusal(unit.name));
      if (unit) checkStanding(units, unit, '/body/unit');
      const at = now();
      if (expiresAt !== undefined && new Date(expiresAt) <= at) throw unprocessable('/body/expiresAt', said('应晚于当前时间', 'is not in the future'));
      const created = transaction(() => {
        const result = keys.create({ name, role, unitId: unit?.id ?? null, expiresAt: expiresAt === undefined ? null : new Date(expiresAt).toISOString() }, at);
        audit.record({ at, principal, action: 'apikey.create', entityType: 'api_key', entityId: result.key.id, before: null, after: result.key, requestId: request.id });
        return result;
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api-keys',
    {
      onRequest: adminOnly,
      schema: {
        tags: ['api keys'],
        operationId: 'listApiKeys',
        summary: 'List API keys',
        description: 'Admin only. Every key with its role, unit, expiry and revocation; never the tokens.',
        security,
        response: { 200: ApiKeyListSchema, ...problemResponses(401, 403) },
      },
    },
    async () => ({ items: keys.list() }),
  );

  app.get(
    '/api-keys/current',
    {
      schema: {
        tags: ['api keys'],
        operationId: 'getCurrentApiKey',
        summary: 'The key you are calling with',
        description: 'Any valid key: its id, name, role and unit. A script can call it first to check its configuration.',
        security,
        response: { 200: CurrentKeySchema, ...problemResponses(401) },
      },
    },
    async (request) => callerOf(request),
  );

  app.post(
    '/api-keys/:id/revoke',
    {
      onRequest: adminOnly,
      schema: {
        tags: ['api keys'],
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key',
        description: 'Admin only. The key stops working at once; revoking a revoked key changes nothing.',
        security,
        params: IdParams,
        response: { 200: Type.Ref(ApiKeySchema), ...problemResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => {
      const principal = callerOf(request);
      const { id } = request.params;
      return transaction(() => {
        const before = keys.get(id);
        if (!before) throw notFound(THINGS.apiKey, id);
        const after = keys.revoke(id, now())!;
        if (before.revokedAt === null) {
          audit.record({ at: now(), principal, action: 'apikey.revoke', entityType: 'api_key', entityId: id, before, after, requestId: request.id });
        }
        return after;
      });
    },
  );
}
