import { openDatabase } from '../../src/db/client.js';
import type { Role } from '../../src/modules/auth/principal.js';
import { createApiKeyRepository } from '../../src/modules/auth/repository.js';
import { createUnitRepository } from '../../src/modules/units/repository.js';

/** Issues a key straight into the database file the app under test uses; returns its bearer header. */
export function issueKey(databasePath: string, role: Role, unitName?: string, expiresAt: string | null = null) {
  const db = openDatabase(databasePath);
  try {
    const unit = unitName === undefined ? undefined : createUnitRepository(db).resolve(unitName);
    if (unitName !== undefined && !unit) throw new Error(`no unit ${unitName}`);
    const { key, token } = createApiKeyRepository(db).create({ name: `${role} ${unitName ?? ''}`.trim(), role, unitId: unit?.id ?? null, expiresAt }, new Date());
    return { id: key.id, token, unitId: unit?.id ?? null, headers: { authorization: `Bearer ${token}` } };
  } finally {
    db.$client.close();
  }
}
