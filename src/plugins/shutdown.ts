import type { Server } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { said } from '../domain/said.js';
import { sendProblem } from './errors.js';

/** A load balancer or client retries elsewhere at once; this instance is back (restarted) within seconds. */
const SHUTDOWN_RETRY_AFTER_SECONDS = 5;

/** Resolves once the server holds no connection, or after `withinMs`. */
async function connectionsClosed(server: Server, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  const open = () => new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count ?? 0)));
  while (Date.now() < deadline && (await open()) > 0) await new Promise((resolve) => setTimeout(resolve, 25));
}

/**
 * Graceful shutdown, as clients see it. Once `app.close()` starts, requests still arrive on open keep-alive
 * connections: they get 503 problem+json with `Retry-After` (in place of Fastify's own 503 body, so the app needs
 * `return503OnClosing: false`). Requests already past this hook finish normally, and every response from then on
 * closes its connection. Node's close() drops idle keep-alive connections at once, and a request a client sends on
 * one at that moment meets a reset; so for up to `drainMs` the listener stays open and those connections are
 * answered (503, then closed) before Fastify closes the listener.
 */
export function registerShutdownRefusal(app: FastifyInstance, drainMs: number): void {
  let closing = false;
  // Fastify runs preClose before it closes the listener, so no request slips between the two.
  app.addHook('preClose', async () => {
    closing = true;
    app.log.info({ drainMs }, 'closing: requests that still arrive are refused with 503');
    if (app.server.listening) await connectionsClosed(app.server, drainMs);
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    reply.header('retry-after', String(SHUTDOWN_RETRY_AFTER_SECONDS));
    return sendProblem(request, reply, {
      slug: 'shutting-down',
      status: 503,
      detail: said('服务器正在关闭，不再接受新请求，请稍后重试。', 'The server is shutting down and takes no new requests; retry shortly.'),
    });
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
