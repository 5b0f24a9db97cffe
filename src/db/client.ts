import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The project root: src/db and dist/db both sit two levels below it. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The migrations this build applies at start-up. */
export const migrationsFolder = path.join(projectRoot, 'migrations');

/**
 * A connection to the embedded SQLite file with the pragmas every connection of the server uses.
 * WAL + synchronous=FULL: a write that was acknowledged survives a crash or power loss.
 */
export function openConnection(databasePath: string, options: { busyTimeoutMs?: number } = {}): Database.Database {
  if (databasePath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(databasePath)), { recursive: true });
  const sqlite = new Database(databasePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // How long a write waits for another connection's lock (a backup, the apikey command) before SQLITE_BUSY.
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  return sqlite;
}

/** Drizzle over a connection, for the repositories. */
export function drizzleOf(sqlite: Database.Database): Db {
  return drizzle(sqlite, { schema });
}

/** Opens the embedded SQLite database (`openConnection`) and brings its schema up to date. */
export function openDatabase(databasePath: string, options: { migrationsFolder?: string; busyTimeoutMs?: number } = {}): Db {
  const sqlite = openConnection(databasePath, options);
  const db = drizzleOf(sqlite);
  try {
    // Drizzle applies all pending migrations in one transaction: a failure rolls them all back.
    migrate(db, { migrationsFolder: options.migrationsFolder ?? migrationsFolder });
  } catch (error) {
    sqlite.close();
    throw error;
  }
  // Planner statistics in step with the schema: an index a migration adds has none, and with the other indexes'
  // statistics present SQLite may then pick a plan a hundred times slower. Bounded (analysis_limit): ~0.2 s at 1M reports.
  sqlite.pragma('analysis_limit = 1000');
  sqlite.pragma('optimize = 0x10002');
  return db;
}
