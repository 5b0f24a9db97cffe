/**
 * An upgrade whose migration fails leaves the database as it was. Drizzle's better-sqlite3 migrator runs every
 * pending migration inside one BEGIN … COMMIT and rolls back on the first error (drizzle-orm
 * sqlite-core/dialect.js, SQLiteSyncDialect.migrate); this checks that promise on a real file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { migrationsFolder, openDatabase } from '../../src/db/client.js';
import { issueKey } from '../helpers/keys.js';
import { seededDatabase, sha256 } from './databases.js';

interface Journal {
  entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
}

/** This build's migrations plus `added` ones, in a temporary folder, each registered in meta/_journal.json as drizzle-kit does. */
function migrationsWith(t: Parameters<typeof seededDatabase>[0], added: { name: string; statements: string[] }[]): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-migrations-'));
  t.teardown(() => fs.rmSync(folder, { recursive: true, force: true }));
  fs.cpSync(migrationsFolder, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as Journal;
  for (const { name, statements } of added) {
    const last = journal.entries.at(-1)!;
    const tag = `${String(last.idx + 1).padStart(4, '0')}_${name}`;
    fs.writeFileSync(path.join(folder, `${tag}.sql`), statements.join('\n--> statement-breakpoint\n'));
    journal.entries.push({ idx: last.idx + 1, version: last.version, when: last.when + 1, tag, breakpoints: true });
  }
  fs.writeFileSync(journalPath, JSON.stringify(journal, null, 2));
  return folder;
}

/** The schema and every row of every table, read over a read-only connection. */
function contents(file: string) {
  const sqlite = new Database(file, { readonly: true });
  try {
    const schema = sqlite.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name').all() as { type: string; name: string }[];
    const tables = schema.filter((entry) => entry.type === 'table').map((entry) => entry.name);
    return { schema, rows: Object.fromEntries(tables.map((table) => [table, sqlite.prepare(`SELECT * FROM "${table}"`).raw().all()])) };
  } finally {
    sqlite.close();
  }
}

t.test('a failing migration leaves the database byte for byte as it was, and the app still opens it', async (t) => {
  const databasePath = seededDatabase(t);
  issueKey(databasePath, 'reporter', '市民政局'); // a row in a table a later migration created
  const bytesBefore = sha256(databasePath);
  const filesBefore = fs.readdirSync(path.dirname(databasePath));
  const before = contents(databasePath);

  // Two pending migrations: a sound one, then one whose valid changes are followed by a failing statement.
  const upgrade = migrationsWith(t, [
    { name: 'report_priority', statements: ['ALTER TABLE `progress_reports` ADD `priority` integer;'] },
    {
      name: 'report_tags',
      statements: [
        'CREATE TABLE `report_tags` (`report_id` integer NOT NULL REFERENCES `progress_reports`(`id`), `tag` text NOT NULL);',
        "UPDATE `units` SET `name` = `name` || '（旧）';",
        "INSERT INTO `report_tag_kinds` (`name`) VALUES ('督办');",
      ],
    },
  ]);
  t.throws(() => openDatabase(databasePath, { migrationsFolder: upgrade }), {
    message: /Failed to run the query '\s*INSERT INTO `report_tag_kinds`/,
    cause: { message: 'no such table: report_tag_kinds' },
  });

  t.equal(sha256(databasePath), bytesBefore, 'the file is byte for byte what it was');
  t.same(fs.readdirSync(path.dirname(databasePath)), filesBefore, 'no -wal or -shm left beside it');
  const after = contents(databasePath);
  t.same(after.schema, before.schema, 'no column, table or ledger entry from either migration');
  t.same(after.rows, before.rows, 'every row as it was');

  const reopened = openDatabase(databasePath);
  const ledger = reopened.$client.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get();
  t.equal(ledger, (JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as Journal).entries.length);
  t.equal(reopened.$client.prepare("SELECT count(*) FROM units WHERE name LIKE '%（旧）'").pluck().get(), 0);
  reopened.$client.close();
});

t.test('the same upgrade without the failing statement applies both migrations', async (t) => {
  const databasePath = seededDatabase(t);
  const upgrade = migrationsWith(t, [
    { name: 'report_priority', statements: ['ALTER TABLE `progress_reports` ADD `priority` integer;'] },
    { name: 'report_tags', statements: ['CREATE TABLE `report_tags` (`report_id` integer NOT NULL REFERENCES `progress_reports`(`id`), `tag` text NOT NULL);'] },
  ]);
  openDatabase(databasePath, { migrationsFolder: upgrade }).$client.close();
  const { schema } = contents(databasePath);
  t.ok(schema.some((entry) => entry.name === 'report_tags'));
  t.match(
    schema.find((entry) => entry.name === 'progress_reports'),
    { sql: /`priority` integer/ },
  );
});
