import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** Path of the embedded SQLite file, or ':memory:' (tests). */
  databasePath: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** When true, reading the plan also needs an API key (any role). */
  requireAuthForReads: boolean;
}

const LOG_LEVELS: readonly Config['logLevel'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535, got "${raw}"`);
  }
  return port;
}

function parseLogLevel(raw: string): Config['logLevel'] {
  const level = LOG_LEVELS.find((l) => l === raw);
  if (!level) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}

function parseBoolean(name: string, raw: string): boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0' || raw === '') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Reads and validates the configuration; these variable names are a contract with deployments. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.HOST ?? '127.0.0.1';
  if (host.trim() === '') throw new ConfigError('HOST must not be empty');
  const databasePath = env.DATABASE_PATH ?? path.join('data', 'plan-tracker.db');
  if (databasePath.trim() === '') throw new ConfigError('DATABASE_PATH must not be empty');
  return {
    port: parsePort(env.PORT ?? '3000'),
    host,
    databasePath,
    logLevel: parseLogLevel(env.LOG_LEVEL ?? 'info'),
    requireAuthForReads: parseBoolean('REQUIRE_AUTH_FOR_READS', env.REQUIRE_AUTH_FOR_READS ?? 'false'),
  };
}
