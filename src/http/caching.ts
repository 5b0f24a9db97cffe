import { Type, type TSchema } from '@sinclair/typebox';

/** What the catalogue cache (src/plugins/catalogue-cache.ts) sends with every answer it can revalidate. */
const revalidationHeaders = {
  etag: Type.String({
    description: 'Strong validator of this exact body (a hash of it). Send it back in `If-None-Match` to get a bodiless 304 while it still holds.',
  }),
  'cache-control': Type.String({
    description: '`no-cache`: the answer may be stored, but must be revalidated (`If-None-Match`) before each reuse.',
  }),
};

/**
 * The 200 of a plan-catalogue GET with its `ETag`, and the 304 a conditional GET (`If-None-Match`) receives while
 * that ETag is current. Pair it with `problemResponses` for the errors.
 */
export function revalidatedResponses(ok: TSchema) {
  return {
    200: { ...ok, headers: revalidationHeaders },
    304: {
      type: 'null',
      description: 'Not Modified: `If-None-Match` names the current `ETag` (or is `*`). No body; the copy the client holds is still the answer.',
      headers: revalidationHeaders,
    },
  };
}
