import { Type } from '@sinclair/typebox';

/** An id: a whole number from 1 up to the largest integer a JSON number holds exactly (2^53 − 1). */
export function idSchema(description: string) {
  return Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });
}

export const IdParams = Type.Object({ id: idSchema('Numeric id.') }, { additionalProperties: false });
