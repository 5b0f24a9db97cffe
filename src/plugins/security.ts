import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { HttpProblem } from '../http/problem.js';
import { said } from '../domain/said.js';

export interface SecurityOptions {
  /** Browser origins allowed to call the API; empty: no CORS headers, so browsers refuse cross-origin calls. */
  corsOrigins: readonly string[];
  /** Requests per minute per client address and per API key; 0 switches that limit off. */
  rateLimit: { perAddress: number; perKey: number };
}

const WINDOW_MS = 60_000;

function tooManyRequests(_request: FastifyRequest, context: { after: string; max: number; ttl: number }) {
  return new HttpProblem(
    429,
    'rate-limited',
    said(
      `此处每分钟最多 ${context.max} 次请求，请在 ${Math.ceil(context.ttl / 1000)} 秒后重试（见 Retry-After）。`,
      `At most ${context.max} requests a minute are allowed here; retry in ${context.after} (see Retry-After).`,
    ),
  );
}

/** Health checks and metric scrapes come from load balancers and monitoring, which must never be throttled into "down". */
// By route, not by URL: `/health?probe=1` and `/health/` are the same check.
const isHealthCheck = (request: FastifyRequest) => request.routeOptions.url === '/health' || request.routeOptions.url === '/metrics';

/**
 * Security headers on every response, CORS for the configured origins only, and the per-address rate limit
 * (IETF draft `RateLimit-*` headers). Register it before authentication, so guessing keys is throttled too;
 * the per-key limit follows authentication (`registerKeyRateLimit`).
 */
export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  // The API serves JSON; the only HTML is Swagger UI at /docs, whose scripts and styles are served from here.
  // helmet's headers are the same on every response, so its middleware is built once (@fastify/helmet rebuilds it
  // for every request: 5% of a report write's CPU). Intranet deployments often serve plain HTTP: upgrading /docs'
  // assets to https would break Swagger UI there.
  const securityHeaders = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)));
  await app.register(cors, {
    origin: options.corsOrigins.length === 0 ? false : [...options.corsOrigins],
    methods: ['GET', 'POST', 'PATCH'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match', 'X-Request-Id'],
    exposedHeaders: ['ETag', 'Location', 'Idempotent-Replayed', 'X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'],
    maxAge: 600,
  });
  await app.register(rateLimit, { global: false, enableDraftSpec: true, errorResponseBuilder: tooManyRequests });

  const { perAddress } = options.rateLimit;
  if (perAddress > 0) {
    app.addHook('onRequest', app.rateLimit({ max: perAddress, timeWindow: WINDOW_MS, keyGenerator: (request) => `address:${request.ip}`, allowList: isHealthCheck }));
  }
}

/** The per-key limit, once the key is known: one script cannot starve the others behind a shared gateway address. */
export function registerKeyRateLimit(app: FastifyInstance, options: SecurityOptions): void {
  const { perKey } = options.rateLimit;
  if (perKey > 0) {
    app.addHook(
      'onRequest',
      app.rateLimit({
        max: perKey,
        timeWindow: WINDOW_MS,
        keyGenerator: (request) => `key:${request.principal?.keyId}`,
        allowList: (request) => request.principal === null || isHealthCheck(request),
      }),
    );
  }
}
