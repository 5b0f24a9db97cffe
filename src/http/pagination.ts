import { Type, type TSchema, type TProperties } from '@sinclair/typebox';

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;

export const PaginationQuery = {
  limit: Type.Integer({
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: `Page size (1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}).`,
  }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Number of items to skip.' }),
};

export interface Page {
  limit: number;
  offset: number;
}

/** A list query: the route's filters plus `limit`/`offset`; unknown parameters are rejected. */
export function listQuery<P extends TProperties>(filters: P) {
  return Type.Object({ ...filters, ...PaginationQuery }, { additionalProperties: false });
}

/** The list envelope every collection returns: `{ items, total, limit, offset }`. */
export function pageOf<T extends TSchema>(item: T, { description, itemExample }: { description: string; itemExample: unknown }) {
  return Type.Object(
    {
      items: Type.Array(item),
      total: Type.Integer({ minimum: 0, description: 'Number of items matching the filters, across all pages.' }),
      limit: Type.Integer({ minimum: 1 }),
      offset: Type.Integer({ minimum: 0 }),
    },
    { description, examples: [{ items: [itemExample], total: 1, limit: DEFAULT_LIMIT, offset: 0 }] },
  );
}
