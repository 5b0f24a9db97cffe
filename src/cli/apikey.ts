/**
 * Creates an API key on the server's own database (the first admin key has to come from somewhere).
 *   npm run apikey -- --role reporter --unit 市民政局 --name "民政局上报脚本" [--expires 2025-12-31T23:59:59+08:00]
 * Prints what it created, and the token alone on the last line (so a script can take `tail -n 1`).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { ROLES } from '../db/schema.js';
import { createAuditRepository } from '../modules/audit/repository.js';
import { createApiKeyRepository } from '../modules/auth/repository.js';
import { collectiveKeyRefusal, type Role } from '../modules/auth/principal.js';
import { createUnitRepository } from '../modules/units/repository.js';
import { loadSeed } from '../seed/load-seed.js';

class UsageError extends Error {}

const USAGE = `Creates an API key on the server's database (DATABASE_PATH, default data/plan-tracker.db).

  npm run apikey -- --role <${ROLES.join('|')}> --name <who uses it> [--unit <unit>] [--expires <date-time>]

  --role     admin, coordinator, reporter (needs --unit) or reader
  --unit     the reporter's unit: id, name or alias (not a collective such as 各县(市、区)人民政府)
  --name     who or what will use the key
  --expires  an ISO 8601 date-time in the future (2025-12-31T23:59:59+08:00); none: no expiry
  --help     this text

Prints what it created and the database it wrote to, then the token alone on the last line:
  TOKEN=$(npm run --silent apikey -- --role reporter --unit 市民政局 --name "民政局上报脚本" | tail -n 1)`;

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { role: { type: 'string' }, unit: { type: 'string' }, name: { type: 'string' }, expires: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) return undefined;
  const role = ROLES.find((r) => r === values.role);
  if (!role) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (!values.name?.trim()) throw new UsageError('--name is required: who or what will use the key');
  if (role === 'reporter' && !values.unit) throw new UsageError('--unit is required for a reporter key');
  if (role !== 'reporter' && values.unit) throw new UsageError('--unit is only for reporter keys');
  const expiresAt = values.expires === undefined ? null : new Date(values.expires);
  if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt <= new Date())) {
    throw new UsageError('--expires must be a future ISO 8601 date-time');
  }
  return { role: role as Role, unit: values.unit, name: values.name.trim(), expiresAt };
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  const { databasePath } = loadConfig();
  const db = openDatabase(databasePath);
  try {
    loadSeed(db);
    const unit = options.unit === undefined ? undefined : createUnitRepository(db).resolve(options.unit);
    if (options.unit !== undefined && !unit) throw new UsageError(`--unit names no known unit: "${options.unit}"`);
    if (unit?.kind === 'collective') throw new UsageError(`--unit ${collectiveKeyRefusal(unit.name).en}`);
    const now = new Date();
    const { key, token } = db.$client.transaction(() => {
      const created = createApiKeyRepository(db).create(
        { name: options.name, role: options.role, unitId: unit?.id ?? null, expiresAt: options.expiresAt?.toISOString() ?? null },
        now,
      );
      createAuditRepository(db).record({
        at: now,
        principal: null,
        action: 'apikey.create',
        entityType: 'api_key',
        entityId: created.key.id,
        before: null,
        after: created.key,
        requestId: 'cli',
      });
      return created;
    })();
    console.log(
      `created ${key.role} key #${key.id} "${key.name}"${unit ? ` for ${unit.name}` : ''}${key.expiresAt ? `, expires ${key.expiresAt}` : ''} in ${path.resolve(databasePath)}`,
    );
    console.log(token);
  } finally {
    db.$client.close();
  }
}

try {
  main();
} catch (error) {
  if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`apikey: ${(error as Error).message}\n(npm run apikey -- --help for usage)`);
    process.exit(64); // EX_USAGE
  }
  throw error;
}
