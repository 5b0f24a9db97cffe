/**
 * Migration 0008 gives report_returns the period of the returned report, so "a return within an obligation's
 * period" is one index seek: returns recorded before it are filled in, and new ones carry it from the trigger.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import t from 'tap';
import { openDatabase, type Db } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { tempDatabasePath } from '../helpers/app.js';
import { migrationsBefore } from '../helpers/db.js';

t.test('returns recorded before the migration get their period; later ones get it from the trigger', async (t) => {
  const databasePath = tempDatabasePath(t);
  const sqlite = new Database(databasePath);
  migrate(drizzle(sqlite, { schema }) as unknown as Db, { migrationsFolder: migrationsBefore(t, '_return_periods') });
  sqlite.exec(`
    INSERT INTO plans (id, code, title, issuer, published_on, start_year, end_year, source_file) VALUES (1, 'p', 'p', 'i', '2023-10-08', 2021, 2025, 's');
    INSERT INTO chapters (id, plan_id, position, title) VALUES (1, 1, 1, 'c');
    INSERT INTO units (id, name, kind) VALUES (1, '市民政局', 'city_department');
    INSERT INTO tasks (id, plan_id, chapter_id, no, title, lead_units_text, responsible_units_text, leads_each_own_part, source_lines) VALUES (1, 1, 1, 1, 't', 'l', 'r', 0, '[1]');
    INSERT INTO measures (id, task_id, position, no, text, targets_text, source_line) VALUES (1, 1, 1, 1, 'm', 'x', 1);
    INSERT INTO api_keys (id, name, role, token_hash, prefix, created_at) VALUES (1, 'k', 'admin', 'h', 'p', '2024-01-01T00:00:00.000Z');
    INSERT INTO progress_reports (id, measure_id, unit_id, period, period_start, period_end, state, status, narrative, evidence, version, created_at, updated_at, created_by_key_id)
      VALUES (1, 1, 1, '2024-Q3', '2024-07-01', '2024-09-30', 'returned', 'in_progress', '', '[]', 1, '2024-10-01T00:00:00.000Z', '2024-10-01T00:00:00.000Z', 1),
             (2, 1, 1, '2024-H2', '2024-07-01', '2024-12-31', 'submitted', 'in_progress', '', '[]', 1, '2024-10-01T00:00:00.000Z', '2024-10-01T00:00:00.000Z', 1);
    INSERT INTO report_events (report_id, action, from_state, to_state, at, key_id, note) VALUES (1, 'returned', 'submitted', 'returned', '2024-10-02T00:00:00.000Z', 1, '补充');
  `);
  t.same(sqlite.prepare('SELECT report_id FROM report_returns').pluck().all(), [1], 'the old trigger recorded the return');
  sqlite.close();

  const db = openDatabase(databasePath);
  t.teardown(() => db.$client.close());
  const periods = () => db.$client.prepare('SELECT report_id AS reportId, period_start AS periodStart, period_end AS periodEnd FROM report_returns ORDER BY report_id').all();
  t.same(periods(), [{ reportId: 1, periodStart: '2024-07-01', periodEnd: '2024-09-30' }], 'filled in by the migration');
  db.$client
    .prepare("INSERT INTO report_events (report_id, action, from_state, to_state, at, key_id) VALUES (2, 'returned', 'submitted', 'returned', '2024-10-03T00:00:00.000Z', 1)")
    .run();
  t.same(periods()[1], { reportId: 2, periodStart: '2024-07-01', periodEnd: '2024-12-31' }, 'copied by the new trigger');
});
