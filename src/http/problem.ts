import { Type, type Static } from '@sinclair/typebox';
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

/** Thrown by services and routes; the error handler turns it into problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly errors?: ProblemField[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function unauthorized(detail: string): HttpProblem {
  return new HttpProblem(401, 'unauthorized', 'Unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' });
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
        content: { 'application/problem+json': { schema: Type.Ref(ProblemSchema) } },
      },
    ]),
  );
}
