import { Type } from '@sinclair/typebox';
import { CHANGE_TYPES, DELIVERY_STATES } from '../../db/schema.js';
import { said } from '../../domain/said.js';
import { StringEnum } from '../../http/enum.js';
import { unitFilter } from '../../http/filters.js';
import { idSchema } from '../../http/params.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../http/pagination.js';
import { sayPattern } from '../../http/rule-words.js';
import { freeText } from '../../http/text.js';
import { CHANGE_FAMILIES } from '../changes/types.js';

const URL_CHARACTERS = sayPattern('^[^\\u0000-\\u0020\\u007F]+$', said('不含空格和控制字符的网址', 'a URL without spaces or control characters'));

const changeType = StringEnum([...CHANGE_TYPES, ...CHANGE_FAMILIES], {
  description: `A change type (${CHANGE_TYPES.join(', ')}) or a family standing for all its types (${CHANGE_FAMILIES.join(', ')}).`,
});

const webhookExample = {
  id: 1,
  url: 'https://hooks.example.gov.cn/plan-tracker',
  types: ['report', 'assignment', 'unit.changed'],
  unitId: null,
  unitName: null,
  description: '市政务服务平台：接收进展报告、责任分工和单位变更',
  active: true,
  createdAt: '2024-10-08T02:16:30.000Z',
  disabledAt: null,
};

export const WebhookSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    url: Type.String({ description: 'Where the messages are POSTed.' }),
    types: Type.Array(changeType, { description: 'The change types (or families) sent, as subscribed.' }),
    unitId: Type.Union([Type.Integer(), Type.Null()], { description: 'Only changes concerning this unit (or a collective it belongs to); null: every unit.' }),
    unitName: Type.Union([Type.String(), Type.Null()]),
    description: Type.Union([Type.String(), Type.Null()]),
    active: Type.Boolean({ description: 'False once disabled: nothing more is sent.' }),
    createdAt: Type.String({ format: 'date-time' }),
    disabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Webhook', title: 'Webhook', description: 'A webhook subscription (never its secret).', examples: [webhookExample] },
);

export const NewWebhookSchema = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2000,
      pattern: URL_CHARACTERS,
      description:
        'An http or https URL written `scheme://host[:port]/…` (no `https:host`, `https:///host`, `@`, `\\`, port 0), without user name, password or fragment, stored in its normal form (`new URL(url).href`: host in lower case, default port dropped), that does not lead to an internal address (loopback, private, link-local, unique-local, CGNAT …) unless the server allows it (`WEBHOOK_ALLOW_PRIVATE`, `WEBHOOK_ALLOWED_HOSTS`).',
    }),
    types: Type.Array(changeType, { minItems: 1, maxItems: 50 }),
    unit: Type.Optional(
      unitFilter(
        'Only changes concerning this unit (or a collective it belongs to). Drafts are sent only to the drafting unit’s subscriptions. Not a collective (422): changes are recorded under its member units.',
      ),
    ),
    description: Type.Optional(freeText({ minLength: 1, maxLength: 500, description: 'Who receives the messages and why.' })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        url: 'https://hooks.example.gov.cn/plan-tracker',
        types: ['report', 'assignment', 'unit.changed'],
        description: '市政务服务平台：接收进展报告、责任分工和单位变更',
      },
    ],
  },
);

export const CreatedWebhookSchema = Type.Object(
  {
    webhook: Type.Ref(WebhookSchema),
    secret: Type.String({ description: 'The signing secret (`whsec_` + base64 of 32 random bytes). Shown only in this response: store it now.' }),
  },
  { description: 'The new subscription and its secret.', examples: [{ webhook: webhookExample, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2y2kq3fDXf0=' }] },
);

export const WebhookListSchema = Type.Object(
  { items: Type.Array(Type.Ref(WebhookSchema)), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() },
  { description: 'Webhook subscriptions, disabled ones included, oldest first.', examples: [{ items: [webhookExample], total: 1, limit: 50, offset: 0 }] },
);

export const WebhookListQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }), offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }) },
  { additionalProperties: false },
);

const attemptExample = { at: '2024-10-08T02:16:31.000Z', status: 503, error: 'HTTP 503', durationMs: 42 };
const deliveryExample = {
  id: 17,
  webhookId: 'msg_17',
  state: 'delivered',
  createdAt: '2024-10-08T02:16:30.000Z',
  nextAttemptAt: null,
  deliveredAt: '2024-10-08T02:16:36.000Z',
  change: { id: 1041, type: 'report.submitted', at: '2024-10-08T02:16:30.000Z', resource: { type: 'report', id: 41, href: '/api/v1/reports/41' } },
  attempts: [attemptExample, { at: '2024-10-08T02:16:36.000Z', status: 204, error: null, durationMs: 18 }],
};

export const DeliverySchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    webhookId: Type.String({ description: 'The `webhook-id` header: the same on every attempt and redelivery; receivers deduplicate by it.' }),
    state: StringEnum(DELIVERY_STATES, { description: 'pending: waiting for its next attempt; delivered: a 2xx answered; failed: given up.' }),
    createdAt: Type.String({ format: 'date-time', description: 'When the message was queued, or queued again by a redelivery: the give-up time counts from here.' }),
    nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When a pending message is tried next.' }),
    deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    change: Type.Object({
      id: Type.Integer(),
      type: StringEnum(CHANGE_TYPES),
      at: Type.String({ format: 'date-time' }),
      resource: Type.Object({ type: Type.String(), id: Type.Integer(), href: Type.String() }),
    }),
    attempts: Type.Array(
      Type.Object({
        at: Type.String({ format: 'date-time' }),
        status: Type.Union([Type.Integer(), Type.Null()], { description: 'The receiver’s HTTP status; null when it never answered.' }),
        error: Type.Union([Type.String(), Type.Null()], { description: 'Why the attempt failed (`HTTP 503`, `timed out after 10000 ms`, `ECONNREFUSED`, `refused: …`).' }),
        durationMs: Type.Integer(),
      }),
      { description: 'Every attempt, oldest first.' },
    ),
  },
  { $id: 'WebhookDelivery', title: 'WebhookDelivery', description: 'One message to a subscription: the change it carries and every attempt.', examples: [deliveryExample] },
);

export const DeliveryListSchema = Type.Object(
  {
    items: Type.Array(Type.Ref(DeliverySchema)),
    limit: Type.Integer(),
    nextCursor: Type.Integer({ description: 'Pass as `after` next time: the last delivery on this page, or `after` itself when there is none.' }),
    hasMore: Type.Boolean(),
  },
  { description: 'A page of deliveries, oldest first.', examples: [{ items: [deliveryExample], limit: 50, nextCursor: 17, hasMore: false }] },
);

export const DeliveryListQuery = Type.Object(
  {
    after: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'Cursor: deliveries with a larger id (the `nextCursor` of the page before).' }),
    state: Type.Optional(StringEnum(DELIVERY_STATES, { description: 'Only deliveries in this state.' })),
    limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
  },
  { additionalProperties: false },
);

export const DeliveryParams = Type.Object({ id: idSchema('The subscription.'), deliveryId: idSchema('The delivery.') }, { additionalProperties: false });
