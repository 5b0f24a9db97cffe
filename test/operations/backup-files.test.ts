/** src/db/backup.ts in-process: what a backup and a restore check, refuse and leave behind. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { backupDatabase, RefusedError, restoreDatabase } from '../../src/db/backup.js';
import { openDatabase } from '../../src/db/client.js';
import { rows } from '../helpers/db.js';
import { integrity, seededDatabase, sha256, taskCount, unsoundFiles } from './databases.js';

t.test('a backup is one checked, self-contained file, and replaces an existing file only when forced', async (t) => {
  const databasePath = seededDatabase(t);
  const directory = path.dirname(databasePath);
  const backupPath = path.join(directory, 'backup.db');

  const summary = await backupDatabase(databasePath, backupPath);
  t.match(summary, { path: backupPath, bytes: fs.statSync(backupPath).size, schema: /^\d{4}_\w+$/, tasks: 75, reports: 0 });
  t.equal(summary.pages * 4096, summary.bytes);
  t.same(integrity(backupPath), ['ok']);
  t.same(rows(backupPath, 'PRAGMA journal_mode'), [{ journal_mode: 'delete' }], 'no -wal needed beside it');
  t.same(fs.readdirSync(directory).sort(), ['backup.db', 'plan-tracker.db'], 'no temporary file, and no -wal or -shm left beside the database');

  fs.writeFileSync(backupPath, 'last week’s backup');
  await t.rejects(backupDatabase(databasePath, backupPath), new RefusedError(`${backupPath} already exists; pass --force to overwrite it`, 'exists'));
  t.equal(fs.readFileSync(backupPath, 'utf8'), 'last week’s backup');
  await backupDatabase(databasePath, backupPath, { force: true });
  t.equal(taskCount(backupPath), 75, 'forced: now a backup of the database');

  const liveBefore = sha256(databasePath);
  await t.rejects(backupDatabase(databasePath, path.join(directory, '.', 'plan-tracker.db'), { force: true }), {
    reason: 'exists',
    message: /is the live database itself; name another file/,
  });
  t.equal(sha256(databasePath), liveBefore, 'not even --force writes a backup over the database it copies');

  await t.rejects(backupDatabase(path.join(directory, 'absent.db'), path.join(directory, 'b.db')), { reason: 'missing', message: /there is no database at/ });
  await t.rejects(backupDatabase(databasePath, path.join(directory, 'no-such-dir', 'b.db')), { reason: 'missing', message: /directory .* does not exist/ });
});

t.test('restore checks the backup and leaves the target byte for byte as it was when it refuses', async (t) => {
  const databasePath = seededDatabase(t);
  const directory = path.dirname(databasePath);
  const before = sha256(databasePath);
  const unsound = unsoundFiles(directory, databasePath);

  for (const { file, reason } of unsound) {
    t.throws(() => restoreDatabase(file, databasePath), { reason: 'invalid', message: reason }, path.basename(file));
  }

  const newer = path.join(directory, 'newer.db');
  await backupDatabase(databasePath, newer);
  const sqlite = new Database(newer);
  sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from a later release', Date.now() + 86_400_000);
  sqlite.close();
  t.throws(() => restoreDatabase(newer, databasePath), { reason: 'invalid', message: /has a migration this build does not ship/ });

  t.throws(() => restoreDatabase(path.join(directory, 'absent.db'), databasePath), { reason: 'missing', message: /there is no backup at/ });
  t.equal(sha256(databasePath), before);
  t.same(fs.readdirSync(directory).sort(), [...unsound.map(({ file }) => path.basename(file)), 'newer.db', 'plan-tracker.db'].sort(), 'no temporary file left');
});

t.test('restore refuses while a connection has the database open, then replaces it', async (t) => {
  const databasePath = seededDatabase(t);
  const backupPath = path.join(path.dirname(databasePath), 'backup.db');
  await backupDatabase(databasePath, backupPath);
  const server = openDatabase(databasePath);
  server.$client.prepare("INSERT INTO units (name, kind) VALUES ('后加单位', 'city_department')").run();

  t.throws(() => restoreDatabase(backupPath, databasePath), { reason: 'in-use', message: /is in use: stop the server/ });
  t.equal(server.$client.prepare("SELECT count(*) FROM units WHERE name = '后加单位'").pluck().get(), 1, 'the open database is untouched');
  server.$client.close();

  t.match(restoreDatabase(backupPath, databasePath), { path: databasePath, tasks: 75 });
  const restored = new Database(databasePath, { readonly: true });
  t.equal(restored.prepare("SELECT count(*) FROM units WHERE name = '后加单位'").pluck().get(), 0, 'the backup replaced it');
  restored.close();
});

t.test('restore replaces a file SQLite cannot read, and drops the old file’s log', async (t) => {
  const databasePath = seededDatabase(t);
  const backupPath = path.join(path.dirname(databasePath), 'backup.db');
  await backupDatabase(databasePath, backupPath);
  fs.writeFileSync(databasePath, 'not a database any more');
  fs.writeFileSync(`${databasePath}-wal`, 'the log of the old file');

  restoreDatabase(backupPath, databasePath);
  t.same(integrity(databasePath), ['ok']);
  t.notOk(fs.existsSync(`${databasePath}-wal`), 'SQLite cannot replay the old log into the restored file');
  t.equal(taskCount(databasePath), 75);
});
