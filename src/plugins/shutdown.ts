import type { FastifyInstance } from 'fastify';
import { sendProblem } from './errors.js';

/** A load balancer or client retries elsewhere at once; this instance is back (restarted) within seconds. */
const SHUTDOWN_RETRY_AFTER_SECONDS = 5;

/**
 * Graceful shutdown, as clients see it. Once `app.close()` starts, the listener stops taking connections, but
 * requests still arrive on open keep-alive connections: they get 503 problem+json with `Retry-After` (in place
 * of Fastify's own 503 body, so the app needs `return503OnClosing: false`). Requests already past this hook
 * finish normally, and every response from then on closes its connection, so the server drains at once instead
 * of waiting for idle keep-alive sockets to time out.
 */
export function registerShutdownRefusal(app: FastifyInstance): void {
  let closing = false;
  // Fastify runs preClose before it closes the listener, so no request slips between the two.
  app.addHook('preClose', async () => {
    closing = true;
    app.log.info('closing: requests that still arrive are refused with 503');
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    reply.header('retry-after', String(SHUTDOWN_RETRY_AFTER_SECONDS));
    return sendProblem(request, reply, {
      type: '/problems/shutting-down',
      title: 'Service unavailable',
      status: 503,
      detail: 'The server is shutting down and takes no new requests; retry shortly.',
    });
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
