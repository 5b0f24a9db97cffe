import type { ServerOptions } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { HttpTimeouts } from '../config.js';
import { HttpProblem } from '../http/problem.js';
import { MAX_PARAM_LENGTH, MAX_URL_BYTES } from '../http/limits.js';
import { sendProblem } from './errors.js';
import { said } from '../domain/said.js';

/** Size limits Fastify does not enforce itself: a URL longer than `MAX_URL_BYTES` is answered 414. */
export function registerRequestLimits(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const bytes = Buffer.byteLength(request.url);
    if (bytes > MAX_URL_BYTES) {
      throw new HttpProblem(
        414,
        'uri-too-long',
        said(`请求网址长 ${bytes} 字节，最多接受 ${MAX_URL_BYTES} 字节。`, `The request URL is ${bytes} bytes; at most ${MAX_URL_BYTES} are accepted.`),
      );
    }
  });
}

/**
 * Fastify's `frameworkErrors`: URLs the router refuses before any hook or error handler runs — a path parameter
 * longer than `MAX_PARAM_LENGTH`, broken percent-encoding — would otherwise get Fastify's own plain JSON.
 */
export function routerErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(request, reply, {
      slug: 'uri-too-long',
      status: 414,
      detail: said(`路径参数超过 ${MAX_PARAM_LENGTH} 个字符。`, `A path parameter is longer than ${MAX_PARAM_LENGTH} characters.`),
    });
  }
  return sendProblem(request, reply, {
    slug: 'validation',
    status: 400,
    detail: said('网址格式有误：某段路径的百分号编码不完整。', 'The URL is malformed: a path segment has broken percent-encoding.'),
  });
}

/**
 * Fastify and Node leave a silent client its connection for ever by default (request and socket timeouts 0). Node
 * answers a request that is not complete in time with 408 (src/plugins/errors.ts words it); it checks open
 * connections every `connectionsCheckingInterval`, so that runs often enough for the shortest limit.
 */
export function connectionLimits(timeouts: HttpTimeouts): Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'> & { http: ServerOptions } {
  return {
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: Math.min(1_000, Math.ceil(timeouts.headersMs / 4)) },
  };
}
