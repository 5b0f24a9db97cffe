import Database from 'better-sqlite3';

const WRITE_TABLES = ['progress_reports', 'report_indicator_values', 'report_events', 'audit_events', 'idempotency_records', 'api_keys'];

/**
 * Every row of the tables writes touch, read over a separate connection: equal fingerprints before and
 * after a request prove the request changed nothing.
 */
export function writeFingerprint(databasePath: string): string {
  const db = new Database(databasePath, { readonly: true });
  try {
    return JSON.stringify(WRITE_TABLES.map((table) => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()));
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
