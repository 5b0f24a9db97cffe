import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apiKeys, units } from '../../db/schema.js';
import { param } from '../../db/sql.js';
import type { Principal, Role } from './principal.js';
import { generateToken, hashToken, tokenPrefix } from './tokens.js';

export interface NewApiKey {
  name: string;
  role: Role;
  unitId: number | null;
  expiresAt: string | null;
}

const keyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  role: apiKeys.role,
  unitId: apiKeys.unitId,
  unitName: units.name,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
};

export function createApiKeyRepository(db: Db) {
  const selectKeys = () => db.select(keyColumns).from(apiKeys).leftJoin(units, eq(units.id, apiKeys.unitId));
  const byHash = db
    .select({
      keyId: apiKeys.id,
      name: apiKeys.name,
      role: apiKeys.role,
      unitId: apiKeys.unitId,
      unitName: units.name,
      unitKind: units.kind,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .leftJoin(units, eq(units.id, apiKeys.unitId))
    .where(eq(apiKeys.tokenHash, param('hash')))
    .prepare();
  const byId = selectKeys()
    .where(eq(apiKeys.id, param('id')))
    .prepare();

  return {
    /** Stores a new key and returns it with its token, which is shown this once and never again. */
    create(key: NewApiKey, now: Date) {
      const token = generateToken();
      const { id } = db
        .insert(apiKeys)
        .values({ ...key, tokenHash: hashToken(token), prefix: tokenPrefix(token), createdAt: now.toISOString() })
        .returning({ id: apiKeys.id })
        .get();
      return { key: byId.get({ id })!, token };
    },

    /**
     * The principal a bearer token stands for, or undefined when it is unknown, revoked or expired. `collective`
     * names the collective a key is bound to: such keys were issued before that was refused, and must not act.
     */
    authenticate(token: string, now: Date): { principal: Principal; collective: string | null } | undefined {
      const key = byHash.get({ hash: hashToken(token) });
      if (!key || key.revokedAt !== null) return undefined;
      if (key.expiresAt !== null && key.expiresAt <= now.toISOString()) return undefined;
      return {
        principal: { keyId: key.keyId, name: key.name, role: key.role, unitId: key.unitId },
        collective: key.unitKind === 'collective' ? key.unitName : null,
      };
    },

    get(id: number) {
      return byId.get({ id });
    },

    list() {
      return selectKeys().orderBy(asc(apiKeys.id)).all();
    },

    /** Revokes a key; revoking twice keeps the first time. Returns the key as it is now. */
    revoke(id: number, now: Date) {
      db.update(apiKeys)
        .set({ revokedAt: now.toISOString() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .run();
      return byId.get({ id });
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
export type ApiKeyRecord = NonNullable<ReturnType<ApiKeyRepository['get']>>;
