import { Type, type Static } from '@sinclair/typebox';
import type { FieldError } from '../domain/errors.js';
import { said, type Said } from '../domain/said.js';
import { MAX_PARAM_LENGTH, MAX_URL_BYTES } from './limits.js';

/** RFC 9457 problem details; every error this API returns has this shape. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI reference naming the problem type, e.g. `/problems/validation`.' }),
    title: Type.String({ description: 'Short, human-readable summary of the problem type.' }),
    status: Type.Integer({ description: 'HTTP status code.' }),
    detail: Type.String({ description: 'Explanation of this occurrence, safe to show to a user.' }),
    instance: Type.String({ description: 'The request path that produced the problem.' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'JSON pointer to the offending input, e.g. `/querystring/limit`.' }),
          message: Type.String(),
        }),
        { description: 'For validation problems: one entry per offending field.' },
      ),
    ),
  },
  {
    $id: 'Problem',
    title: 'Problem',
    description: 'RFC 9457 problem details (`application/problem+json`).',
    examples: [
      {
        type: '/problems/validation',
        title: 'Invalid request',
        status: 400,
        detail: 'querystring/limit must be <= 500',
        instance: '/api/v1/tasks?limit=1000',
        errors: [{ field: '/querystring/limit', message: 'must be <= 500' }],
      },
    ],
  },
);
export type Problem = Static<typeof ProblemSchema>;
export type ProblemField = NonNullable<Problem['errors']>[number];

/** Each status's title, as RFC 9457 has it: the same for every problem of that status. */
export const STATUS_TITLES: Record<number, Said> = {
  400: said('请求有误', 'Invalid request'),
  401: said('未认证', 'Unauthorized'),
  403: said('无权操作', 'Forbidden'),
  404: said('未找到', 'Not found'),
  405: said('不支持该请求方法', 'Method not allowed'),
  406: said('无法提供所要求的格式', 'Not acceptable'),
  408: said('请求超时', 'Request timeout'),
  409: said('与当前状态冲突', 'Conflict'),
  412: said('资源已被修改', 'Precondition failed'),
  413: said('请求内容过大', 'Payload too large'),
  414: said('网址过长', 'URI too long'),
  415: said('不支持的内容类型', 'Unsupported media type'),
  422: said('无法处理的请求', 'Unprocessable request'),
  428: said('需要 If-Match', 'Precondition required'),
  429: said('请求过于频繁', 'Too many requests'),
  431: said('请求头过大', 'Request header fields too large'),
  500: said('服务器内部错误', 'Internal server error'),
  503: said('服务暂不可用', 'Service unavailable'),
};
export const titleOf = (status: number) => STATUS_TITLES[status] ?? said('请求错误', 'Client error');

/** Thrown by routes and plugins for what is HTTP's own business (charset, URL length, keys); answered as problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly detail: Said,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail.en);
  }
}

export function unauthorized(detail: Said): HttpProblem {
  return new HttpProblem(401, 'unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' });
}

/** What each status looks like, as a clerk reads it (Chinese, the default; `Accept-Language: en` for English). */
const EXAMPLES: Record<number, { slug: string; detail: string; instance: string; field?: string; message?: string }> = {
  400: { slug: 'validation', detail: 'querystring/limit：不得大于 500', instance: '/api/v1/tasks?limit=1000', field: '/querystring/limit', message: '不得大于 500' },
  401: { slug: 'unauthorized', detail: 'API 密钥无效：不存在、已吊销或已过期，或请求头不是 `Bearer <密钥>` 的形式。', instance: '/api/v1/reports' },
  403: { slug: 'forbidden', detail: '填报密钥只能为本单位（市发展改革委）填报。', instance: '/api/v1/reports' },
  404: { slug: 'not-found', detail: '任务 999999 不存在', instance: '/api/v1/tasks/999999' },
  409: { slug: 'conflict', detail: '报告 12 的状态是“已通过”，只有“草稿”或“已退回”的报告才能修改。', instance: '/api/v1/reports/12' },
  412: { slug: 'stale', detail: '报告 12 已更新为 "12.3"，请重新读取后再试。', instance: '/api/v1/reports/12' },
  413: { slug: 'http-413', detail: '请求体超过了允许的大小。', instance: '/api/v1/reports/bulk' },
  414: { slug: 'uri-too-long', detail: `请求网址长 ${MAX_URL_BYTES + 100} 字节，最多接受 ${MAX_URL_BYTES} 字节。`, instance: '/api/v1/tasks?q=…' },
  415: { slug: 'unsupported-charset', detail: '不能读取 charset=big5 的内容；请使用 UTF-8、GBK/GB18030 或带字节顺序标记（BOM）的 UTF-16。', instance: '/api/v1/reports/bulk' },
  422: { slug: 'unprocessable', detail: 'body/measureId：没有编号为 9999 的措施', instance: '/api/v1/reports', field: '/body/measureId', message: '没有编号为 9999 的措施' },
  428: { slug: 'precondition-required', detail: '请在 If-Match 中带上所读取版本的 ETag。', instance: '/api/v1/reports/12' },
  429: { slug: 'rate-limited', detail: '此处每分钟最多 6000 次请求，请在 12 秒后重试（见 Retry-After）。', instance: '/api/v1/tasks' },
  503: { slug: 'database-busy', detail: '数据库正忙于另一项写入，本次未保存任何内容，请稍后重试。', instance: '/api/v1/reports' },
};

function exampleOf(status: number) {
  const { slug, detail, instance, field, message } = EXAMPLES[status] ?? { slug: `http-${status}`, detail: titleOf(status).zh, instance: '/api/v1' };
  return { type: `/problems/${slug}`, title: titleOf(status).zh, status, detail, instance, ...(field ? { errors: [{ field, message }] } : {}) };
}

/**
 * Response schema entries for the error statuses a route can produce. 401, 414, 429 and 503 are on every route: a
 * request that sends an unknown, revoked or expired key is refused wherever it goes, as is an overlong URL, the rate
 * limits cover every route, and any route may meet a server that is shutting down or a database that cannot answer.
 */
export function problemResponses(...routeStatuses: number[]): Record<number, unknown> {
  const statuses = [...new Set([...routeStatuses, 401, 414, 429, 503])].sort();
  const descriptions: Record<number, string> = {
    400: 'The request is malformed: a parameter has the wrong type or value, or is unknown. `errors[]` names each field.',
    401: 'No valid API key: the `Authorization: Bearer` key is unknown, revoked or expired, is bound to a collective (reissue it to a member unit), or the route needs a key and none was sent (`WWW-Authenticate: Bearer`).',
    403: 'The credentials do not allow this operation.',
    404: 'The resource does not exist.',
    409: 'The request conflicts with the current state of the resource.',
    412: 'The resource changed since it was read: `If-Match` does not name its current ETag. Read it again and retry.',
    428: 'The request must be conditional: send `If-Match` with the ETag you read.',
    413: 'The request body is too large.',
    414: `The request URL (path and query string) is longer than ${MAX_URL_BYTES.toLocaleString('en')} bytes, or a path parameter longer than ${MAX_PARAM_LENGTH} characters.`,
    415: 'Unsupported content type.',
    422: 'The request is well-formed but cannot be processed.',
    429: 'A rate limit was reached (per client address or per API key). `Retry-After` says how many seconds to wait; `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` are sent on every response.',
    503: 'The service cannot answer right now: it is shutting down (`/problems/shutting-down`), or the database is busy with another write (`/problems/database-busy`), full (`/problems/storage-full`) or failing. Retry after the `Retry-After` seconds; a write refused while shutting down, busy or full stored nothing.',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: descriptions[status] ?? 'Error',
        content: { 'application/problem+json': { schema: Type.Ref(ProblemSchema), example: exampleOf(status) } },
      },
    ]),
  );
}
