import { Type } from '@sinclair/typebox';
import { ROLES } from '../../db/schema.js';
import { unitFilter } from '../../http/filters.js';
import { StringEnum } from '../../http/enum.js';
import { freeText } from '../../http/text.js';

const role = StringEnum(ROLES, {
  description:
    'admin: everything, including keys; coordinator: reads everything, reviews any report, reads the audit trail; reporter: writes reports for the measures its unit carries (bound to `unit`); reader: read-only.',
});

const keyExample = {
  id: 7,
  name: '民政局上报脚本',
  role: 'reporter',
  unitId: 5,
  unitName: '市民政局',
  prefix: 'pt_Xq3v9a',
  createdAt: '2024-10-01T08:00:00.000Z',
  expiresAt: '2025-12-31T16:00:00.000Z',
  revokedAt: null,
};

export const ApiKeySchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    name: Type.String(),
    role,
    unitId: Type.Union([Type.Integer(), Type.Null()], { description: 'The unit a reporter key writes for.' }),
    unitName: Type.Union([Type.String(), Type.Null()]),
    prefix: Type.String({ description: 'The first characters of the token, to tell keys apart. The token itself is never shown again.' }),
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'ApiKey', title: 'ApiKey', description: 'An API key (without its token).', examples: [keyExample] },
);

export const NewApiKeySchema = Type.Object(
  {
    name: freeText({ minLength: 1, maxLength: 200, description: 'Who or what uses the key.' }),
    role,
    unit: Type.Optional(unitFilter('Required for a reporter key, refused for the others.')),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the key stops working (ISO 8601 with offset).' })),
  },
  {
    additionalProperties: false,
    examples: [{ name: '民政局上报脚本', role: 'reporter', unit: '市民政局' }],
  },
);

export const CreatedApiKeySchema = Type.Object(
  {
    key: Type.Ref(ApiKeySchema),
    token: Type.String({ description: 'The bearer token. Shown only in this response: store it now.' }),
  },
  { description: 'The new key and its token.', examples: [{ key: keyExample, token: 'pt_Xq3v9a…' }] },
);

export const ApiKeyListSchema = Type.Object(
  { items: Type.Array(Type.Ref(ApiKeySchema)) },
  { description: 'Every key, revoked and expired ones included.', examples: [{ items: [keyExample] }] },
);

export const CurrentKeySchema = Type.Object(
  {
    keyId: Type.Integer(),
    name: Type.String(),
    role,
    unitId: Type.Union([Type.Integer(), Type.Null()]),
  },
  { description: 'The key the request was made with.', examples: [{ keyId: 7, name: '民政局上报脚本', role: 'reporter', unitId: 5 }] },
);
