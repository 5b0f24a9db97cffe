import type { Duplex } from 'node:stream';
import Database from 'better-sqlite3';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CALENDAR_YEARS } from '../http/calendar.js';
import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { HttpProblem, type Problem, type ProblemField } from '../http/problem.js';
import { TEXT_FORMAT, TEXT_RULE } from '../http/text.js';

const STATUS_TITLES: Record<number, string> = {
  400: 'Invalid request',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  408: 'Request timeout',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/**
 * Storage conditions that pass — another connection releases its lock, space is freed, the disk recovers — are
 * the server's trouble, not the client's: 503 with a hint when to retry, never a 500 and never SQLite's own text.
 * A failed statement rolls its transaction back, so a refused write stored nothing.
 */
const STORAGE_PROBLEMS = [
  {
    code: /^SQLITE_(BUSY|LOCKED)/,
    slug: 'database-busy',
    retryAfterSeconds: 1,
    level: 'warn',
    detail: 'The database is busy with another write; nothing was saved. Retry in a moment.',
  },
  {
    code: /^SQLITE_FULL$/,
    slug: 'storage-full',
    retryAfterSeconds: 60,
    level: 'error',
    detail: 'The database has no space left for this change; nothing was saved. Retry later.',
  },
  {
    code: /^SQLITE_(IOERR|READONLY)/,
    slug: 'storage-unavailable',
    retryAfterSeconds: 60,
    level: 'error',
    detail: 'The database cannot be written at the moment. Retry later.',
  },
] as const;

function storageProblemOf(error: unknown) {
  if (!(error instanceof Database.SqliteError)) return undefined;
  const problem = STORAGE_PROBLEMS.find(({ code }) => code.test(error.code));
  return problem && { ...problem, sqliteCode: error.code };
}

/**
 * The 503 problem for a group commit that failed: classified like a failed statement, and any other cause
 * (the COMMIT itself refused) told as storage that cannot be written. Nothing of the group was stored.
 */
export function failedCommitProblem(error: unknown, instance: string) {
  const storage = storageProblemOf(error) ?? { ...STORAGE_PROBLEMS[2], sqliteCode: (error as { code?: string }).code };
  return {
    retryAfterSeconds: storage.retryAfterSeconds,
    sqliteCode: storage.sqliteCode,
    body: { type: `/problems/${storage.slug}`, title: STATUS_TITLES[503]!, status: 503, detail: storage.detail, instance },
  };
}

/** Sends problem+json; extension members (RFC 9457 §3.2) ride along with the standard ones. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Omit<Problem, 'instance'> & Record<string, unknown>) {
  return reply
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send({ ...problem, instance: request.url });
}

/** Formats in words a clerk can act on, instead of Ajv's `must match format "date-time"`. */
const FORMAT_WORDS: Record<string, string> = {
  'date-time': 'a date-time with offset (2024-06-30T18:00:00+08:00)',
  date: 'a date (2024-06-30)',
  uri: 'an absolute URL',
  [TEXT_FORMAT]: TEXT_RULE,
};
const CALENDAR_RULE = `, a day that exists and a time of 00:00:00–23:59:59, in the years ${CALENDAR_YEARS.min}–${CALENDAR_YEARS.max}`;

type AjvIssue = NonNullable<FastifyError['validation']>[number];

const formatOf = (issue: AjvIssue) => (issue.params as { format?: string }).format;

/** One message for the ways a value may be written (one format, or a choice of formats); Ajv's otherwise. */
function messageOf(issues: AjvIssue[]): string {
  const formats = issues.map(formatOf);
  if (formats.some((format) => format === undefined || !FORMAT_WORDS[format])) return issues[0]?.message ?? 'is invalid';
  const calendar = formats.some((format) => format === 'date' || format === 'date-time');
  return `must be ${formats.map((format) => FORMAT_WORDS[format!]).join(' or ')}${calendar ? CALENDAR_RULE : ''}`;
}

function validationFields(error: FastifyError): ProblemField[] {
  const fields = (error.validation ?? []).map((issue) => {
    // Ajv reports a missing or unknown property on the parent; name the property itself.
    const property =
      (issue.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (issue.params as { additionalProperty?: string }).additionalProperty;
    const pointer = `/${error.validationContext ?? 'request'}${issue.instancePath}${property ? `/${property}` : ''}`;
    return { field: pointer, issue };
  });
  // A value that matches none of a choice (a date-time or a date) is one problem: name the choices once.
  const choices = new Set(fields.filter(({ issue }) => issue.keyword === 'anyOf').map(({ field }) => field));
  return [
    ...[...choices].map((field) => ({
      field,
      message: messageOf(fields.filter((f) => f.field === field && f.issue.keyword !== 'anyOf').map(({ issue }) => issue)),
    })),
    ...fields.filter(({ field }) => !choices.has(field)).map(({ field, issue }) => ({ field, message: messageOf([issue]) })),
  ];
}

const CLIENT_ERROR_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };
const CLIENT_ERROR_DETAIL: Record<number, string> = {
  400: 'The HTTP request is malformed (a URL must be ASCII: percent-encode other characters).',
  408: 'The request did not arrive in time (its headers or body stopped coming); send it again.',
  431: 'The request headers are too large.',
};

/**
 * Requests Node's HTTP parser refuses (malformed request line, raw non-ASCII in the URL, oversized headers) or cuts off
 * (headers or body not complete within their timeout) never reach Fastify's handlers; answer them with problem+json
 * too, on the raw socket.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }): void {
  // A response already under way cannot be replaced by another (a timeout while the client reads an answer).
  if (!socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const body = JSON.stringify({ type: `/problems/http-${status}`, title: STATUS_TITLES[status], status, detail: CLIENT_ERROR_DETAIL[status], instance: '' });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TITLES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** How each kind of domain error is answered. */
const DOMAIN_PROBLEMS: Record<DomainErrorKind, { status: number; slug: string; title: string }> = {
  invalid: { status: 400, slug: 'validation', title: 'Invalid request' },
  not_found: { status: 404, slug: 'not-found', title: 'Not found' },
  forbidden: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  conflict: { status: 409, slug: 'conflict', title: 'Conflict' },
  stale: { status: 412, slug: 'stale', title: 'Precondition failed' },
  precondition_required: { status: 428, slug: 'precondition-required', title: 'Precondition required' },
  unprocessable: { status: 422, slug: 'unprocessable', title: 'Unprocessable request' },
};

/** The problem a domain error is answered with. */
export function problemOfDomainError(error: DomainError): HttpProblem {
  const { status, slug, title } = DOMAIN_PROBLEMS[error.kind];
  return new HttpProblem(status, slug, title, error.message, error.fields);
}

/** One place that turns every failure into RFC 9457 problem+json; stack traces never reach a client. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((thrown: FastifyError, request, reply) => {
    const error = thrown instanceof DomainError ? problemOfDomainError(thrown) : thrown;
    if (error instanceof HttpProblem) {
      reply.headers(error.headers);
      return sendProblem(request, reply, {
        type: `/problems/${error.slug}`,
        title: error.title,
        status: error.status,
        detail: error.message,
        ...(error.errors ? { errors: error.errors } : {}),
      });
    }
    const storage = storageProblemOf(error);
    if (storage) {
      // The code is what an operator needs (SQLITE_FULL, SQLITE_BUSY …); the client gets the detail only.
      request.log[storage.level]({ err: error, sqliteCode: storage.sqliteCode }, 'database unavailable');
      reply.header('retry-after', String(storage.retryAfterSeconds));
      return sendProblem(request, reply, { type: `/problems/${storage.slug}`, title: STATUS_TITLES[503]!, status: 503, detail: storage.detail });
    }
    if (error.validation) {
      const errors = validationFields(error);
      return sendProblem(request, reply, {
        type: '/problems/validation',
        title: STATUS_TITLES[400]!,
        status: 400,
        detail: errors.map((e) => `${e.field.slice(1)} ${e.message}`).join('; '),
        errors,
      });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, {
        type: '/problems/internal',
        title: STATUS_TITLES[500]!,
        status,
        detail: 'The server failed to handle the request; it has been logged with the request id.',
      });
    }
    // Fastify's own 4xx (malformed JSON, body too large, unsupported media type …) keep their message.
    return sendProblem(request, reply, {
      type: `/problems/http-${status}`,
      title: STATUS_TITLES[status] ?? 'Client error',
      status,
      detail: error.message,
    });
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, {
      type: '/problems/not-found',
      title: STATUS_TITLES[404]!,
      status: 404,
      detail: `No route matches ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}
