import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { projectRoot } from '../../src/db/client.js';

const WRITE_TABLES = ['progress_reports', 'report_indicator_values', 'report_events', 'audit_events', 'idempotency_records', 'api_keys'];

/**
 * Every row of the tables writes touch, read over a separate connection: equal fingerprints before and
 * after a request prove the request changed nothing. `tables`: others than the report writes' (a plan import's).
 */
export function writeFingerprint(databasePath: string, tables: readonly string[] = WRITE_TABLES): string {
  const db = new Database(databasePath, { readonly: true });
  try {
    return JSON.stringify(tables.map((table) => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()));
  } finally {
    db.close();
  }
}

/** Rows of one table (read-only connection), for assertions on what a write stored. */
export function rows<T = Record<string, unknown>>(databasePath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(databasePath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/**
 * The plan catalogue as an earlier version stored it: `target` (migrated by an older schema, empty) gets the rows of
 * `loaded` (a database the current version loaded) for the tables and columns the older schema has. Today's loader
 * writes today's columns, so an upgrade test cannot run it against an old schema.
 */
export function copyCatalogueInto(target: Database.Database, loadedPath: string): void {
  const tables = [
    'plans',
    'chapters',
    'units',
    'unit_aliases',
    'unit_members',
    'tasks',
    'task_units',
    'measures',
    'measure_owners',
    'milestones',
    'indicators',
    'indicator_targets',
  ];
  target.prepare('ATTACH DATABASE ? AS loaded').run(loadedPath);
  try {
    for (const table of tables) {
      const columns = (target.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).map((c) => `"${c}"`).join(', ');
      target.exec(`INSERT INTO main.${table} (${columns}) SELECT ${columns} FROM loaded.${table}`);
    }
  } finally {
    target.exec('DETACH DATABASE loaded');
  }
}

/** A copy of the migrations folder that ends just before the migration whose tag ends with `before` (e.g. `_search`). */
export function migrationsBefore(t: { teardown: (fn: () => void) => void }, before: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-migrations-'));
  t.teardown(() => fs.rmSync(folder, { recursive: true, force: true }));
  const source = path.join(projectRoot, 'migrations');
  fs.cpSync(source, folder, { recursive: true });
  const journal = JSON.parse(fs.readFileSync(path.join(source, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(before));
  if (at <= 0) throw new Error(`no migration ${before} in the journal`);
  journal.entries = journal.entries.slice(0, at);
  fs.writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  return folder;
}
