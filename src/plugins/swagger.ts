import { Type } from '@sinclair/typebox';
import { problemResponses } from '../http/problem.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { TEXT_RULE } from '../http/text.js';
import { addSeedExamples, type ContractPaths } from './contract-examples.js';

export const API_INFO = {
  title: 'plan-tracker',
  version: '1.0.0',
  description: [
    'REST API for a five-year plan’s responsibility breakdown table (任务责任分工和实施措施分解表): tasks, measures, units, milestones and indicators, as published by Suihua City for the 14th Five-Year social credit system plan.',
    '',
    '**Conventions.** JSON with camelCase fields; Chinese text is returned as printed (UTF-8). Lists return `{ items, total, limit, offset }` (`limit` 1–500, default 50) and an RFC 8288 `Link` header with the `next` and `prev` pages (relative to the request; by `after` on lists that hand out a `nextCursor`). Filters are query parameters; unknown parameters are rejected. A `unit` filter accepts a unit id, its canonical name or any alias. Errors are RFC 9457 `application/problem+json` with `errors[]` naming each offending field (e.g. `/querystring/limit`). Their `title`, `detail` and `errors[].message` are in Chinese, or in English when the request sends `Accept-Language: en` (`en-US` …); `type`, `status` and `errors[].field` are the same in both, so a program reads those.',
    '',
    '**Authentication.** Reads of the plan are public unless the server runs with `REQUIRE_AUTH_FOR_READS=true`. Reports, keys and the audit trail need `Authorization: Bearer <token>`. Roles: admin (everything), coordinator (reads all, reviews any report, audit), reporter (bound to a unit: writes reports on the measures its unit owes — its assignments — and signs for them; a task’s lead unit also reviews other units’ reports on the part it leads), reader (read-only; no drafts). 401 = no or bad key, 403 = the key may not do this.',
    '',
    `**Text.** Free-text fields a client writes (\`format: text\`: narrative, evidence, review notes, key names) must be ${TEXT_RULE}; anything else is a 400 naming the field. Exports replace such characters stored earlier with U+FFFD.`,
    '',
    '**Safe writes.** `POST /reports` and `POST /reports/bulk` honour `Idempotency-Key`; `PATCH /reports/{id}` needs `If-Match` with the report’s ETag (412 when stale).',
    '',
    '**Request ids.** Send `X-Request-Id` (1–100 characters of `[A-Za-z0-9._:-]`) to correlate logs; the response echoes it, or a generated one.',
  ].join('\n'),
};

/**
 * A query parameter with a default need not be sent: the validator fills it in. TypeBox marks such fields
 * required (they are always present by the time a handler runs), so the contract drops them from `required`.
 */
function withOptionalDefaults(schema: FastifySchema): FastifySchema {
  const query = schema.querystring as { required?: string[]; properties?: Record<string, { default?: unknown }> } | undefined;
  if (!query?.required || !query.properties) return schema;
  const required = query.required.filter((name) => query.properties![name]?.default === undefined);
  return { ...schema, querystring: { ...query, required } };
}

/**
 * A read that declares no security of its own takes a key optionally: public by default, but under
 * `REQUIRE_AUTH_FOR_READS` it needs one, and tools (Swagger UI's "Try it out", generated clients) send the key only
 * to operations that declare it. The key comes first among the alternatives: tools that take the first one (the
 * OpenAPI-to-Postman converter Portman uses) then send it too. Reads that always need a key (reports, keys, audit)
 * keep their own declaration.
 */
function optionalKeyOnReads(contract: ContractPaths): void {
  for (const operations of Object.values(contract.paths ?? {})) {
    const read = operations.get as { security?: unknown } | undefined;
    if (read && read.security === undefined) read.security = [{ bearerAuth: [] }, {}];
  }
}

/** The OpenAPI 3.1 document is generated from the route schemas; shared schemas keep their $id as component name. */
export async function registerSwagger(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: API_INFO,
      servers: [{ url: '/', description: 'This server' }],
      // No default: writes declare a key, reads an optional one (optionalKeyOnReads).
      security: [],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key: `Authorization: Bearer pt_…`. Keys are created by an admin (`POST /api/v1/api-keys`) or on the server with `npm run apikey`.',
          },
        },
      },
      tags: [
        { name: 'plans', description: 'Plans (规划) and their chapters (规划章节).' },
        { name: 'tasks', description: 'Tasks (规划任务) with their lead and responsible units.' },
        { name: 'measures', description: 'Implementation measures (具体实施措施) and their owners.' },
        { name: 'milestones', description: 'Annual targets (各年度工作目标).' },
        { name: 'indicators', description: 'Quantitative targets (指标) with yearly targets.' },
        { name: 'units', description: 'Units, their aliases and collectives.' },
        { name: 'search', description: 'Full-text search across tasks, measures and units (Chinese text, trigram index).' },
        { name: 'reports', description: 'Progress reports: what a unit has done on a measure in a period, and their review.' },
        { name: 'api keys', description: 'API keys and roles (admin).' },
        { name: 'audit', description: 'The append-only record of every write.' },
        { name: 'exports', description: 'The breakdown table and the follow-ups as Excel workbooks (.xlsx) and CSV, for people who work in spreadsheets.' },
        { name: 'assignments', description: 'Who owes what, by when (交办 → 签收 → 办结): assignments, their obligations, sign-for and close-out.' },
        { name: 'monitoring', description: 'Targets judged from approved data, statuses that roll up, and what to chase.' },
        { name: 'operations', description: 'Health and service endpoints.' },
        {
          name: 'reminders',
          description: 'Reminders that reach people (提醒 / 催办): units’ contacts (e-mail, WeCom and DingTalk group robots), and what the supervision sweep sent them.',
        },
      ],
    },
    transform: ({ schema, url }) => ({ schema: schema && withOptionalDefaults(schema), url }),
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject;
      optionalKeyOnReads(document.openapiObject as ContractPaths);
      addSeedExamples(document.openapiObject as ContractPaths);
      return document.openapiObject;
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // A newcomer's first request: where the documentation, the contract, the health check, the metrics and the API are.
  const start = { docs: '/docs', openapi: '/openapi.json', health: '/health', metrics: '/metrics', api: '/api/v1' };
  app.get(
    '/',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getStart',
        summary: 'Where to start',
        description: 'Links to the interactive documentation (Swagger UI), the OpenAPI contract, the health check, the Prometheus metrics and the API’s base path.',
        response: {
          200: Type.Object(
            { docs: Type.String(), openapi: Type.String(), health: Type.String(), metrics: Type.String(), api: Type.String() },
            { description: 'Where things are.', examples: [start] },
          ),
          ...problemResponses(),
        },
      },
    },
    async () => start,
  );
}
