import type { FastifyInstance } from 'fastify';
import type { GroupCommit } from '../db/group-commit.js';
import type { LongWrites } from '../db/long-write.js';
import { failedCommitProblem } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The outcome of the group commit this request's handler writes to, and reads uncommitted data from. */
    commitOutcome: Promise<void> | null;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Headers that describe a stored write; a withdrawn response must not carry them. */
const WRITE_HEADERS = ['etag', 'location', 'idempotent-replayed', 'x-report-outcome'];

/**
 * No response leaves before what it wrote, or may have read, is on disk (group commit: the writes of one
 * event-loop turn are committed together). The group is taken when the handler is about to run: handlers do
 * their database work in that same turn (none awaits before its writes), so it is the group they write to. If
 * that commit fails, nothing of the group was stored and the response becomes a 503 problem.
 */
export function registerDurableResponses(app: FastifyInstance, groupCommit: GroupCommit, longWrites: Pick<LongWrites<unknown>, 'idle'>): void {
  app.decorateRequest('commitOutcome', null);
  app.addHook('preHandler', async (request) => {
    // While a long write (a bulk import) holds SQLite's write lock, other writes wait here, off the event loop.
    if (!READ_METHODS.has(request.method)) await longWrites.idle();
    request.commitOutcome = groupCommit.settled();
  });
  app.addHook('onSend', async (request, reply, payload) => {
    try {
      await request.commitOutcome;
      return payload;
    } catch (error) {
      const { retryAfterSeconds, sqliteCode, body } = failedCommitProblem(error, request);
      request.log.error({ err: error, sqliteCode }, 'group commit failed: the response is withdrawn');
      for (const name of WRITE_HEADERS) reply.removeHeader(name);
      reply.code(503).header('retry-after', String(retryAfterSeconds)).type('application/problem+json; charset=utf-8');
      return JSON.stringify(body);
    }
  });
}
