import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { allow, callerOf } from '../../plugins/auth.js';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency/store.js';
import {
  CreatedWebhookSchema,
  DeliveryListQuery,
  DeliveryListSchema,
  DeliveryParams,
  DeliverySchema,
  NewWebhookSchema,
  WebhookListQuery,
  WebhookListSchema,
  WebhookSchema,
} from './schemas.js';
import type { WebhookService } from './service.js';

const security = [{ bearerAuth: [] }];
const adminOnly = allow(['admin']);
const tags = ['integration'];

const SIGNING =
  'Each message is a POST of `{ type, timestamp, data }` (`data`: the change as `GET /api/v1/changes` shows it) signed per Standard Webhooks 1.0: `webhook-id` (`msg_<delivery id>`, the same on every retry), `webhook-timestamp` (unix seconds of the attempt), `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` keyed with the base64-decoded part of the secret after `whsec_`.';

export function registerWebhookRoutes(app: ApiInstance, service: WebhookService): void {
  app.post(
    '/webhooks',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        operationId: 'createWebhook',
        summary: 'Subscribe a URL to changes',
        description: [
          `Admin only. From now on, every change of the types named (or of a family: \`report\` is every \`report.*\`) — of one unit if \`unit\` is given — is sent to \`url\`, in order per resource, retried with exponential backoff until the server's give-up time. The URL must not lead to an internal address (checked now and before every send). Returns the secret once. ${SIGNING}`,
          'Send `Idempotency-Key` to make retries safe: the same key with the same body returns the first response again, the same subscription and secret (`Idempotent-Replayed: true`); the same key with another body is refused with 422.',
          'Without a key, a retry cannot make a twin either: while a subscription sends the same types of the same unit to the same URL, subscribing again is refused with 409 naming it (a twin would deliver every message twice, under different `webhook-id`s). To get a new secret, disable it (`DELETE /api/v1/webhooks/{id}`) and subscribe again.',
        ].join('\n\n'),
        security,
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN, description: '1–200 visible ASCII characters, unique per subscription you mean.' })),
        }),
        body: NewWebhookSchema,
        response: { 201: CreatedWebhookSchema, ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { webhook, secret, replayed } = await service.subscribe(request.body, { principal: callerOf(request), requestId: request.id }, request.headers['idempotency-key']);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('location', `/api/v1/webhooks/${webhook.id}`).send({ webhook, secret });
    },
  );

  app.get(
    '/webhooks',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        operationId: 'listWebhooks',
        summary: 'List webhook subscriptions',
        description: 'Admin only. Every subscription, disabled ones included, oldest first; never the secrets.',
        security,
        querystring: WebhookListQuery,
        response: { 200: WebhookListSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      return { ...service.list({ limit, offset }), limit, offset };
    },
  );

  app.get(
    '/webhooks/:id',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        operationId: 'getWebhook',
        summary: 'A webhook subscription',
        description: 'Admin only. The subscription without its secret (lost secrets are not shown again: subscribe anew and disable this one).',
        security,
        params: IdParams,
        response: { 200: Type.Ref(WebhookSchema), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => service.get(request.params.id),
  );

  app.delete(
    '/webhooks/:id',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        operationId: 'disableWebhook',
        summary: 'Disable a webhook subscription',
        description:
          'Admin only. Nothing more is sent, pending messages included; the subscription and its deliveries stay readable. Disabling a disabled subscription changes nothing.',
        security,
        params: IdParams,
        response: { 200: Type.Ref(WebhookSchema), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => service.disable(request.params.id, { principal: callerOf(request), requestId: request.id }),
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        operationId: 'listWebhookDeliveries',
        summary: 'Messages sent to a subscription',
        description:
          'Admin only. Each message with its change, its state and every attempt (status, error, duration), oldest first. Page with `after` = the previous `nextCursor`.',
        security,
        params: IdParams,
        querystring: DeliveryListQuery,
        response: { 200: DeliveryListSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { after, limit, state } = request.query;
      const page = service.deliveries(request.params.id, { state }, { after, limit });
      return { items: page.items, limit, nextCursor: page.items.at(-1)?.id ?? after, hasMore: page.hasMore };
    },
  );

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        operationId: 'redeliverWebhook',
        summary: 'Send a message again',
        description:
          'Admin only. The message goes back to pending, due now, with the same `webhook-id` (receivers that saw it deduplicate); a delivered or failed one gets a new give-up period. 409 for a disabled subscription.',
        security,
        params: DeliveryParams,
        response: { 202: Type.Ref(DeliverySchema), ...problemResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(202).send(service.redeliver(request.params.id, request.params.deliveryId, { principal: callerOf(request), requestId: request.id })),
  );
}
