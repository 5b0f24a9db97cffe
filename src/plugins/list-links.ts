import type { FastifyInstance } from 'fastify';

interface ListEnvelope {
  items: unknown[];
  total: number;
  limit: number;
  /** Absent on a list paged by cursor only (the audit trail). */
  offset?: number;
  nextCursor?: string | number | null;
}

const isList = (payload: unknown): payload is ListEnvelope => {
  const p = payload as Partial<ListEnvelope> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    Array.isArray(p.items) &&
    typeof p.total === 'number' &&
    typeof p.limit === 'number' &&
    (typeof p.offset === 'number' || 'nextCursor' in p)
  );
};

/** The request's own path and query, with some parameters set (and `offset`/`after` replaced). */
function pageUrl(url: string, set: Record<string, string | number>, drop: string[]): string {
  const [path, query = ''] = url.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  for (const name of drop) params.delete(name);
  for (const [name, value] of Object.entries(set)) params.set(name, String(value));
  return `${path}?${params.toString()}`;
}

/**
 * RFC 8288 `Link` headers on every list: `next` and `prev` pages (by offset, or by the cursor a list hands out), as
 * references relative to the request, so a client pages without building URLs. One hook for every list route, where
 * the answer is still an object.
 */
export function registerListLinks(app: FastifyInstance): void {
  app.addHook('preSerialization', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || !isList(payload)) return payload;
    const { total, limit, offset = 0, nextCursor } = payload;
    const links: string[] = [];
    // A list that hands out a cursor pages by it (its `total` may count more than the cursor will reach).
    if ('nextCursor' in payload) {
      if (nextCursor !== null && nextCursor !== undefined) links.push(`<${pageUrl(request.url, { limit, after: nextCursor }, ['offset'])}>; rel="next"`);
    } else if (offset + limit < total) links.push(`<${pageUrl(request.url, { limit, offset: offset + limit }, ['after'])}>; rel="next"`);
    if (offset > 0) links.push(`<${pageUrl(request.url, { limit, offset: Math.max(0, offset - limit) }, ['after'])}>; rel="prev"`);
    if (links.length > 0) reply.header('link', links.join(', '));
    return payload;
  });
}
