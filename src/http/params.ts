import { Type } from '@sinclair/typebox';

export const IdParams = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: 2 ** 53 - 1, description: 'Numeric id.' }) },
  { additionalProperties: false },
);
