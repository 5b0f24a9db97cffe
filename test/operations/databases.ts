import crypto from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Test } from 'tap';
import { openDatabase } from '../../src/db/client.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { tempDatabasePath } from '../helpers/app.js';
import { rows } from '../helpers/db.js';

/** A plan-tracker database with the seed plan, closed, in its own temporary directory. */
export function seededDatabase(t: Test): string {
  const databasePath = tempDatabasePath(t);
  const db = openDatabase(databasePath);
  loadSeed(db);
  db.$client.close();
  return databasePath;
}

export const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

export const integrity = (file: string) => rows<{ integrity_check: string }>(file, 'PRAGMA integrity_check').map((row) => row.integrity_check);

export const taskCount = (file: string) => rows<{ n: number }>(file, 'SELECT count(*) AS n FROM tasks')[0]!.n;

/** Files a restore must refuse: another application's SQLite file, a text file, and a damaged copy of `backupOf`. */
export function unsoundFiles(directory: string, backupOf: string) {
  const otherApp = `${directory}/other-app.db`;
  const other = new Database(otherApp);
  other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5)');
  other.close();
  const notes = `${directory}/notes.txt`;
  fs.writeFileSync(notes, 'SQLite format 3? no, just notes\n'.repeat(200));
  const damaged = `${directory}/damaged.db`;
  const bytes = fs.readFileSync(backupOf);
  bytes.fill(0x5a, 8 * 4096, 16 * 4096); // eight pages in the middle of the tables
  fs.writeFileSync(damaged, bytes);
  return [
    { file: otherApp, reason: /is not a plan-tracker database \(no __drizzle_migrations, plans, tasks, measures, units, progress_reports table\)/ },
    { file: notes, reason: /is not a readable SQLite database/ },
    { file: damaged, reason: /fails SQLite's integrity check|is not a readable SQLite database/ },
  ];
}
