import type { FastifyInstance } from 'fastify';
import type { GroupCommit } from '../db/group-commit.js';

/** Headers that describe a stored write; a withdrawn response must not carry them. */
const WRITE_HEADERS = ['etag', 'location', 'idempotent-replayed', 'x-report-outcome'];

/**
 * No response leaves before what it wrote, or may have read, is on disk (group commit: writes are committed
 * once per event-loop turn). If that commit fails, nothing of the turn was stored, so every response of the
 * turn becomes a 503 problem telling the client to retry.
 */
export function registerDurableResponses(app: FastifyInstance, groupCommit: GroupCommit): void {
  app.addHook('onSend', async (request, reply, payload) => {
    try {
      await groupCommit.durable();
      return payload;
    } catch (error) {
      request.log.error({ err: error }, 'commit failed: the response is withdrawn');
      for (const name of WRITE_HEADERS) reply.removeHeader(name);
      reply.code(503).header('retry-after', '1').type('application/problem+json; charset=utf-8');
      return JSON.stringify({
        type: '/problems/unavailable',
        title: 'Service unavailable',
        status: 503,
        detail: 'The database could not store this turn of writes (for example, the disk is full); nothing was stored. Retry later.',
        instance: request.url,
      });
    }
  });
}
