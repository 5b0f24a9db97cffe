import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { weakMatch } from '../http/etag.js';
import { LIVE_PARAMETERS } from '../http/filters.js';

/** How much the catalogue cache may hold: whichever bound is reached first evicts the least recently used answers. */
export interface CatalogueCacheBounds {
  maxEntries: number;
  /** UTF-8 bytes of the bodies plus the length of their URLs (V8 may hold up to twice that: text with Chinese takes two bytes a character). */
  maxBytes: number;
}

/** Room for every record and the common list pages of several plans; arbitrary `q=` searches cannot grow memory past it. */
export const DEFAULT_CATALOGUE_CACHE: CatalogueCacheBounds = { maxEntries: 2_000, maxBytes: 32 * 1024 * 1024 };

interface CachedAnswer {
  payload: string;
  contentType: string;
  etag: string;
  /** The list's `Link` header (next, prev), when it has one. */
  link: string | undefined;
}

/**
 * Clients may keep an answer but must ask again before reusing it: the catalogue is immutable only while this
 * process runs, and a restart may load another seed. A shared cache does not store an answer to a request with
 * `Authorization` at all (RFC 9111 §3.5: `no-cache` is not one of the directives that allow it), so under
 * `REQUIRE_AUTH_FOR_READS` no proxy hands the catalogue to a caller this server would refuse.
 */
const CACHE_CONTROL = 'no-cache';

/** Sends the validators; true when the client's copy is current, and the reply has become a bodiless 304. */
function revalidate(request: FastifyRequest, reply: FastifyReply, answer: CachedAnswer): boolean {
  reply.header('etag', answer.etag).header('cache-control', CACHE_CONTROL);
  // If-None-Match uses the weak comparison (RFC 9110 §13.1.2).
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch === undefined || !weakMatch(ifNoneMatch, answer.etag)) return false;
  reply.code(304).removeHeader('content-type');
  return true;
}

/**
 * Answers repeated GETs of the plan catalogue from memory, with a strong ETag and 304 for conditional GETs. An answer
 * stays true until `clear` (assignments change who owes a measure, which `?unit=` filters by; units are renamed and
 * merged). The ETag is a hash of the answer, or the route's own when it sets one (a unit's, which a rename names in
 * If-Match): either way a changed answer never matches an old one.
 *
 * Register it on the catalogue scope only (never where answers depend on reports or the clock), after the scope's
 * authorisation hook: hooks run in the order they were added, so a refused caller never reaches the cache. One
 * entry, keyed by the URL as sent, serves every caller — the catalogue's answers do not depend on who asks; roles
 * only gate access. A hit skips validation, the handler and serialisation; the app-wide hooks (request id, helmet,
 * CORS, rate limits) still run, since they come first (onRequest) or around every answer (onSend).
 */
export function registerCatalogueCache(scope: FastifyInstance, bounds: CatalogueCacheBounds = DEFAULT_CATALOGUE_CACHE): { clear: () => void } {
  const answers = new LRUCache<string, CachedAnswer>({
    max: bounds.maxEntries,
    maxSize: bounds.maxBytes,
    sizeCalculation: (answer, url) => Buffer.byteLength(answer.payload) + url.length,
  });
  const answeredFromMemory = new WeakSet<FastifyRequest>();

  // Lights are judged at an instant from the reports: a request asking for them is answered live, and not kept.
  const live = (request: FastifyRequest) => LIVE_PARAMETERS.some((name) => name in (request.query as Record<string, unknown>));

  scope.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || live(request)) return;
    const answer = answers.get(request.url);
    if (!answer) return;
    answeredFromMemory.add(request);
    if (answer.link !== undefined) reply.header('link', answer.link);
    if (revalidate(request, reply, answer)) return reply.send();
    return reply.type(answer.contentType).send(answer.payload);
  });

  // Runs after the app-wide onSend hooks: a response withdrawn there (a failed commit becomes 503) is not kept.
  scope.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || answeredFromMemory.has(request) || live(request) || typeof payload !== 'string') return payload;
    const contentType = String(reply.getHeader('content-type'));
    if (!contentType.includes('json')) return payload;
    const link = reply.getHeader('link');
    // A route that names its own ETag (one writes compare If-Match with) keeps it; it changes whenever the answer does.
    const own = reply.getHeader('etag');
    const etag = own === undefined ? `"${createHash('sha256').update(payload).digest('base64url')}"` : String(own);
    const answer = { payload, contentType, etag, link: link === undefined ? undefined : String(link) };
    answers.set(request.url, answer);
    return revalidate(request, reply, answer) ? null : payload;
  });
  // Who owes which measure (`?unit=`) changes with assignments: their writes drop every kept answer.
  return { clear: () => answers.clear() };
}
