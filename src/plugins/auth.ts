import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '../http/problem.js';
import { forbidden } from '../domain/errors.js';
import { ROLE_WORDS, type Principal, type Role } from '../modules/auth/principal.js';
import type { ApiKeyRepository } from '../modules/auth/repository.js';
import { said } from '../domain/said.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's API key, or null when the request carries no Authorization header. */
    principal: Principal | null;
  }
}

// The scheme name is case-insensitive (RFC 9110 §11.1); the token is not.
const BEARER = /^bearer ([A-Za-z0-9_-]{1,200})$/i;

/**
 * Reads `Authorization: Bearer <token>` on every request. A request without the header is anonymous; a
 * header that names no valid key (unknown, revoked, expired, malformed) is refused at once with 401. So is a key
 * bound to a collective (issued before that was refused): like a revoked key it is good for nothing, reads included,
 * and only a new key helps; the problem says so, and the contract's "401 on every route" stays true.
 */
export function registerAuthentication(app: FastifyInstance, keys: ApiKeyRepository, now: () => Date): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const token = BEARER.exec(header)?.[1];
    const key = token === undefined ? undefined : keys.authenticate(token, now());
    if (!key)
      throw unauthorized(
        said('API 密钥无效：不存在、已吊销或已过期，或请求头不是 `Bearer <密钥>` 的形式。', 'The API key is unknown, revoked or expired, or the header is not `Bearer <token>`.'),
      );
    if (key.collective !== null) {
      throw unauthorized(
        said(
          `密钥“${key.principal.name}”绑定的是统称“${key.collective}”，其成员单位各自填报和审核：请管理员吊销它，为成员单位另发密钥。`,
          `The key "${key.principal.name}" is bound to a collective, ${key.collective}, whose member units report and review, each for itself: ask an admin to revoke it and issue a key to a member unit.`,
        ),
      );
    }
    request.principal = key.principal;
  });
}

/** The caller, who must hold one of `roles`: 401 without a key, 403 with a key of another role. */
function requirePrincipal(request: FastifyRequest, roles: readonly Role[]): Principal {
  const principal = request.principal;
  if (!principal)
    throw unauthorized(said('此操作需要 API 密钥：请发送 `Authorization: Bearer <密钥>`。', 'This operation needs an API key: send `Authorization: Bearer <token>`.'));
  if (!roles.includes(principal.role)) {
    throw forbidden(
      said(
        `此操作需要以下角色之一：${roles.map((r) => ROLE_WORDS[r].zh).join('、')}；密钥“${principal.name}”是${ROLE_WORDS[principal.role].zh}密钥。`,
        `This operation needs one of the roles ${roles.join(', ')}; the key "${principal.name}" is a ${principal.role}.`,
      ),
    );
  }
  return principal;
}

export const ANY_ROLE: readonly Role[] = ['admin', 'coordinator', 'reporter', 'reader'];

/** An onRequest hook: who may call the route is settled before its body is read or validated. */
export function allow(roles: readonly Role[]) {
  return async (request: FastifyRequest) => {
    requirePrincipal(request, roles);
  };
}

/** The caller of a route guarded by `allow`. */
export function callerOf(request: FastifyRequest): Principal {
  return requirePrincipal(request, ANY_ROLE);
}
