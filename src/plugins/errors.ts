import type { Duplex } from 'node:stream';
import accepts from 'accepts';
import Database from 'better-sqlite3';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, fieldSaid, type DomainErrorKind, type FieldError } from '../domain/errors.js';
import { joined, LANGUAGES, said, type Language, type Said } from '../domain/said.js';
import { HttpProblem, titleOf } from '../http/problem.js';
import { formatChoiceWords, ruleWords } from '../http/rule-words.js';

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
    detail: said('数据库正忙于另一项写入，本次未保存任何内容，请稍后重试。', 'The database is busy with another write; nothing was saved. Retry in a moment.'),
  },
  {
    code: /^SQLITE_FULL$/,
    slug: 'storage-full',
    retryAfterSeconds: 60,
    level: 'error',
    detail: said('数据库存储空间已满，本次未保存任何内容，请稍后重试。', 'The database has no space left for this change; nothing was saved. Retry later.'),
  },
  {
    code: /^SQLITE_(IOERR|READONLY)/,
    slug: 'storage-unavailable',
    retryAfterSeconds: 60,
    level: 'error',
    detail: said('数据库暂时无法写入，请稍后重试。', 'The database cannot be written at the moment. Retry later.'),
  },
] as const;

function storageProblemOf(error: unknown) {
  if (!(error instanceof Database.SqliteError)) return undefined;
  const problem = STORAGE_PROBLEMS.find(({ code }) => code.test(error.code));
  return problem && { ...problem, sqliteCode: error.code };
}

/** A problem as this API states it: a status, a stable type slug, what happened in both languages, and extensions. */
export interface ProblemStatement {
  status: number;
  slug: string;
  detail: Said;
  errors?: FieldError[] | undefined;
  /** RFC 9457 §3.2 extension members, sent as they are. */
  extensions?: Record<string, unknown>;
}

/**
 * The language a request reads: Chinese unless it asks for English (`Accept-Language: en`, `en-US` …). Read from the
 * raw headers, so it works for requests the router refuses before Fastify decorates them.
 */
export function languageOf(request: FastifyRequest): Language {
  return (accepts(request.raw).language([...LANGUAGES]) || 'zh') as Language;
}

/** The problem+json body in the request's language; `type` and `field` stay the same in every language. */
export function problemBody(request: FastifyRequest, problem: ProblemStatement) {
  const language = languageOf(request);
  return {
    type: `/problems/${problem.slug}`,
    title: titleOf(problem.status)[language],
    status: problem.status,
    detail: problem.detail[language],
    instance: request.url,
    ...(problem.errors ? { errors: problem.errors.map(({ field, message }) => ({ field, message: message[language] })) } : {}),
    ...problem.extensions,
  };
}

/**
 * The 503 problem for a group commit that failed: classified like a failed statement, and any other cause
 * (the COMMIT itself refused) told as storage that cannot be written. Nothing of the group was stored.
 */
export function failedCommitProblem(error: unknown, request: FastifyRequest) {
  const storage = storageProblemOf(error) ?? { ...STORAGE_PROBLEMS[2], sqliteCode: (error as { code?: string }).code };
  return {
    retryAfterSeconds: storage.retryAfterSeconds,
    sqliteCode: storage.sqliteCode,
    body: problemBody(request, { status: 503, slug: storage.slug, detail: storage.detail }),
  };
}

/** Sends problem+json in the request's language. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemStatement) {
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problemBody(request, problem));
}

type AjvIssue = NonNullable<FastifyError['validation']>[number];

const formatOf = (issue: AjvIssue) => String((issue.params as { format?: string }).format);

/** One message for the ways a value may be written (one format, or a choice of formats), else the rule it broke. */
function messageOf(issues: AjvIssue[]): Said {
  const choice = issues.length > 1 || issues[0]?.keyword === 'format' ? formatChoiceWords(issues.map(formatOf)) : undefined;
  const [first] = issues;
  return choice ?? (first ? ruleWords({ keyword: first.keyword, params: first.params as Record<string, unknown> }) : said('取值无效', 'is not valid here'));
}

function validationFields(error: FastifyError): FieldError[] {
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
const CLIENT_ERROR_DETAIL: Record<number, Said> = {
  400: said('HTTP 请求格式有误（网址须为 ASCII：其他字符请先做百分号编码）。', 'The HTTP request is malformed (a URL must be ASCII: percent-encode other characters).'),
  408: said('请求未能及时送达（请求头或请求体中断），请重新发送。', 'The request did not arrive in time (its headers or body stopped coming); send it again.'),
  431: said('请求头过大。', 'The request headers are too large.'),
};

/**
 * Requests Node's HTTP parser refuses (malformed request line, raw non-ASCII in the URL, oversized headers) or cuts off
 * (headers or body not complete within their timeout) never reach Fastify's handlers; answer them with problem+json
 * too, on the raw socket. Their headers were never read, so they are answered in Chinese, the default.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex & { _httpMessage?: { headersSent?: boolean } }): void {
  // A response already under way cannot be replaced by another (a timeout while the client reads an answer).
  if (!socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const title = titleOf(status);
  const body = JSON.stringify({ type: `/problems/http-${status}`, title: title.zh, status, detail: CLIENT_ERROR_DETAIL[status]!.zh, instance: '' });
  socket.end(
    `HTTP/1.1 ${status} ${title.en}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** How each kind of domain error is answered. */
const DOMAIN_PROBLEMS: Record<DomainErrorKind, { status: number; slug: string }> = {
  invalid: { status: 400, slug: 'validation' },
  not_found: { status: 404, slug: 'not-found' },
  forbidden: { status: 403, slug: 'forbidden' },
  conflict: { status: 409, slug: 'conflict' },
  stale: { status: 412, slug: 'stale' },
  precondition_required: { status: 428, slug: 'precondition-required' },
  unprocessable: { status: 422, slug: 'unprocessable' },
};

/** The problem a domain error is answered with. */
export function problemOfDomainError(error: DomainError): ProblemStatement {
  return { ...DOMAIN_PROBLEMS[error.kind], detail: error.detail, errors: error.fields };
}

/**
 * Fastify's own refusals (malformed JSON, body too large, unsupported media type …), told in both languages; the
 * English keeps Fastify's text, which names the exact cause.
 */
const FASTIFY_DETAIL: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: '不支持此内容类型（Content-Type）。',
  FST_ERR_CTP_BODY_TOO_LARGE: '请求体超过了允许的大小。',
  FST_ERR_CTP_EMPTY_JSON_BODY: '内容类型为 JSON，但请求体为空。',
  FST_ERR_CTP_INVALID_JSON_BODY: '请求体不是有效的 JSON。',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: '请求体长度与 Content-Length 不符。',
  FST_ERR_CTP_EMPTY_TYPE: '缺少内容类型（Content-Type）。',
  FST_ERR_BAD_URL: '网址格式有误。',
  FST_ERR_ASYNC_CONSTRAINT: '网址格式有误。',
};
const fastifyDetail = (error: FastifyError, status: number): Said => said(FASTIFY_DETAIL[error.code] ?? `${titleOf(status).zh}：${error.message}`, error.message);

/** One place that turns every failure into RFC 9457 problem+json; stack traces never reach a client. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) return sendProblem(request, reply, problemOfDomainError(error));
    if (error instanceof HttpProblem) {
      reply.headers(error.headers);
      return sendProblem(request, reply, { status: error.status, slug: error.slug, detail: error.detail, errors: error.errors });
    }
    const storage = storageProblemOf(error);
    if (storage) {
      // The code is what an operator needs (SQLITE_FULL, SQLITE_BUSY …); the client gets the detail only.
      request.log[storage.level]({ err: error, sqliteCode: storage.sqliteCode }, 'database unavailable');
      reply.header('retry-after', String(storage.retryAfterSeconds));
      return sendProblem(request, reply, { status: 503, slug: storage.slug, detail: storage.detail });
    }
    if (error.validation) {
      const errors = validationFields(error);
      return sendProblem(request, reply, { status: 400, slug: 'validation', detail: joined(errors.map(fieldSaid)), errors });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, {
        status,
        slug: 'internal',
        detail: said('服务器未能处理此请求，已按请求编号记录，请联系管理员。', 'The server failed to handle the request; it has been logged with the request id.'),
      });
    }
    return sendProblem(request, reply, { status, slug: `http-${status}`, detail: fastifyDetail(error, status) });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    return sendProblem(request, reply, {
      status: 404,
      slug: 'not-found',
      detail: said(`没有与 ${request.method} ${path} 对应的接口`, `No route matches ${request.method} ${path}`),
    });
  });
}
