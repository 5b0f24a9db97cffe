/** npm run backup / npm run restore as an operator runs them: against the real server, in child processes. */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import t from 'tap';
import { PERIODS, reportBody, type ReportBody } from '../../bench/lib/report-bodies.js';
import { openDatabase, projectRoot } from '../../src/db/client.js';
import { tempDatabasePath } from '../helpers/app.js';
import { rows } from '../helpers/db.js';
import { issueKey } from '../helpers/keys.js';
import { startServer, waitForListening } from '../helpers/server-process.js';
import { otherUserIfRoot, runCommand } from './commands.js';
import { integrity, seededDatabase, sha256, unsoundFiles } from './databases.js';

/** The unit with the most measures, so the stream of reports does not run out of (measure, period) pairs. */
const REPORTING_UNIT = '市营商环境局';

interface StoredReport {
  id: number;
  measure_id: number;
  period: string;
  status: string;
  narrative: string;
  evidence: string;
  percent_complete: number | null;
}

const storedAsPosted = (row: StoredReport | undefined, body: ReportBody) =>
  row !== undefined &&
  row.measure_id === body.measureId &&
  row.period === body.period &&
  row.status === body.status &&
  row.narrative === body.narrative &&
  row.percent_complete === body.percentComplete &&
  JSON.stringify(JSON.parse(row.evidence)) === JSON.stringify(body.evidence);

t.test('a backup taken while reports keep arriving restores every report acknowledged before it started', async (t) => {
  const databasePath = tempDatabasePath(t);
  const server = startServer({ PORT: '0', DATABASE_PATH: databasePath, RATE_LIMIT_PER_ADDRESS: '0', RATE_LIMIT_PER_KEY: '0' });
  t.teardown(() => server.child.kill('SIGKILL'));
  const base = await waitForListening(server);
  const reporter = issueKey(databasePath, 'reporter', REPORTING_UNIT);
  const measureIds = ((await (await fetch(`${base}/api/v1/measures?unit=${encodeURIComponent(REPORTING_UNIT)}&limit=500`)).json()) as { items: { id: number }[] }).items.map(
    (m) => m.id,
  );

  // A long read (an export, say) keeps checkpoints from copying the log into the database file: the reports below
  // then exist only in the -wal, as recent writes do in production, and a backup that copied the file would miss them.
  const longRead = new Database(databasePath, { readonly: true });
  longRead.exec('BEGIN');
  longRead.prepare('SELECT count(*) FROM progress_reports').get();
  t.teardown(() => longRead.close());

  // One client posting new reports back to back until told to stop; each 201 is recorded with what was posted.
  const acknowledged: { id: number; body: ReportBody }[] = [];
  let stopped = false;
  const client = (async () => {
    for (let n = 0; !stopped; n++) {
      const period = PERIODS[Math.floor(n / measureIds.length)];
      if (period === undefined) throw new Error('the report stream ran out of (measure, period) pairs');
      const body = reportBody(n, measureIds[n % measureIds.length]!, period);
      const response = await fetch(`${base}/api/v1/reports`, { method: 'POST', headers: { ...reporter.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (response.status !== 201) throw new Error(`POST /api/v1/reports answered ${response.status}: ${await response.text()}`);
      acknowledged.push({ id: ((await response.json()) as { id: number }).id, body });
    }
  })();
  const acknowledgedReach = async (count: number) => {
    while (acknowledged.length < count) await Promise.race([client, sleep(10)]); // the race surfaces a failing client
  };

  await acknowledgedReach(50);
  const beforeBackup = acknowledged.slice();
  const backupPath = path.join(path.dirname(databasePath), 'backup.db');
  const backup = await runCommand(t, 'backup', [backupPath], databasePath);
  const duringBackup = acknowledged.length - beforeBackup.length;
  await acknowledgedReach(acknowledged.length + 20);
  stopped = true;
  await client;
  longRead.exec('COMMIT');

  t.equal(backup.code, 0, backup.stderr);
  t.ok(duringBackup > 0, 'the server kept acknowledging reports while the backup ran');
  t.match(backup.stdout, new RegExp(`^backed up to ${backupPath}: \\d+ bytes, \\d+ pages, integrity ok, schema \\d{4}_\\w+, 75 tasks, \\d+ progress reports\\n$`));
  const reportsInBackup = Number(/(\d+) progress reports/.exec(backup.stdout)?.[1]);

  const restoredPath = path.join(path.dirname(databasePath), 'restored', 'plan-tracker.db');
  const restore = await runCommand(t, 'restore', [backupPath], restoredPath);
  t.equal(restore.code, 0, restore.stderr);
  t.match(restore.stdout, `restored ${backupPath} into ${restoredPath}: `);
  t.same(integrity(restoredPath), ['ok']);
  t.same(fs.readdirSync(path.dirname(restoredPath)), ['plan-tracker.db'], 'no temporary file, -wal or -shm beside it');

  const restored = new Map(
    rows<StoredReport>(restoredPath, 'SELECT id, measure_id, period, status, narrative, evidence, percent_complete FROM progress_reports').map((row) => [row.id, row]),
  );
  t.equal(restored.size, reportsInBackup, 'the summary counts the reports the backup holds');
  t.same(
    beforeBackup.filter(({ id, body }) => !storedAsPosted(restored.get(id), body)),
    [],
    'every report acknowledged before the backup started is restored as posted',
  );
  t.same(
    [...restored.keys()].sort((a, b) => a - b),
    acknowledged.slice(0, restored.size).map(({ id }) => id),
    'a snapshot: the first reports the client posted, without gaps',
  );

  const reopened = openDatabase(restoredPath);
  t.equal(reopened.$client.prepare('SELECT count(*) FROM progress_reports').pluck().get(), restored.size, 'the app opens the restored database');
  reopened.$client.close();

  const intoLive = await runCommand(t, 'restore', [backupPath], databasePath);
  t.equal(intoLive.code, 75, 'restoring under the running server: EX_TEMPFAIL');
  t.match(intoLive.stderr, /is in use: stop the server/);
  const live = new Map(rows<StoredReport>(databasePath, 'SELECT * FROM progress_reports').map((row) => [row.id, row]));
  t.same(
    acknowledged.filter(({ id, body }) => !storedAsPosted(live.get(id), body)),
    [],
    'the live database still has every report, including those after the backup',
  );
});

t.test('command errors: usage, an existing file without --force, a file that is not a plan-tracker database; --force overwrites', async (t) => {
  const databasePath = seededDatabase(t);
  const directory = path.dirname(databasePath);
  const existing = path.join(directory, 'existing.db');
  fs.writeFileSync(existing, 'last week’s backup');
  const replaced = path.join(directory, 'replaced.db');
  fs.writeFileSync(replaced, 'last month’s backup');
  const [notPlanTracker] = unsoundFiles(directory, databasePath);
  const before = sha256(databasePath);

  const [noFile, twoFiles, unknownFlag, overwrite, forced, restoreNoFile, restoreOther] = await Promise.all([
    runCommand(t, 'backup', [], databasePath),
    runCommand(t, 'backup', ['a.db', 'b.db'], databasePath),
    runCommand(t, 'backup', ['--overwrite', 'a.db'], databasePath),
    runCommand(t, 'backup', [existing], databasePath),
    runCommand(t, 'backup', [replaced, '--force'], databasePath),
    runCommand(t, 'restore', [], databasePath),
    runCommand(t, 'restore', [notPlanTracker!.file], databasePath),
  ]);
  for (const usage of [noFile, twoFiles, unknownFlag]) {
    t.equal(usage.code, 64, 'EX_USAGE');
    t.match(usage.stderr, /^usage: backup <file> \[--force\]/m);
  }
  t.equal(overwrite.code, 73, 'EX_CANTCREAT');
  t.match(overwrite.stderr, /^backup: .*existing\.db already exists; pass --force to overwrite it$/m);
  t.equal(fs.readFileSync(existing, 'utf8'), 'last week’s backup', 'the existing file is untouched');
  t.equal(forced.code, 0, forced.stderr);
  t.same(integrity(replaced), ['ok'], '--force replaces it with a backup');
  t.equal(restoreNoFile.code, 64, 'EX_USAGE');
  t.match(restoreNoFile.stderr, /^usage: restore <file> +\(stop the server first\)/m);
  t.equal(restoreOther.code, 65, 'EX_DATAERR');
  t.match(restoreOther.stderr, notPlanTracker!.reason);
  t.equal(sha256(databasePath), before, 'the database is byte for byte what it was');
});

/** One line on stderr, no stack trace: what an operator reads when a command refuses. */
const ONE_LINE = /^[^\n]+\n$/;

t.test('backup never writes over the live database or its -wal, -shm or -journal, however the path is spelled', async (t) => {
  const databasePath = seededDatabase(t);
  const directory = path.dirname(databasePath);
  // The server is running: its connection keeps the -wal (with a committed write not yet in the file) and the -shm.
  const server = openDatabase(databasePath);
  t.teardown(() => server.$client.close());
  server.$client.pragma('wal_autocheckpoint = 0');
  server.$client.prepare("INSERT INTO units (name, kind) VALUES ('后加单位', 'city_department')").run();
  fs.mkdirSync(path.join(directory, 'sub'));
  fs.symlinkSync(directory, path.join(directory, 'alias'));
  fs.symlinkSync(`${databasePath}-wal`, path.join(directory, 'wal-link.db'));
  fs.linkSync(databasePath, path.join(directory, 'hard-link.db'));
  fs.linkSync(`${databasePath}-wal`, path.join(directory, 'wal-hard-link.db'));
  const liveFiles = () => ['', '-wal', '-shm'].map((suffix) => sha256(`${databasePath}${suffix}`));
  const before = liveFiles();

  const aliasedDatabase = path.join(directory, 'alias', 'plan-tracker.db');
  const cases = [
    { target: `${databasePath}-wal`, is: /is the live database's -wal file/ },
    { target: path.relative(projectRoot, `${databasePath}-shm`), is: /is the live database's -shm file/ },
    { target: `${directory}/sub/../plan-tracker.db-wal`, is: /is the live database's -wal file/ },
    { target: `${directory}/./plan-tracker.db-journal`, is: /is the live database's -journal file/ },
    { target: path.join(directory, 'alias', 'plan-tracker.db-wal'), is: /is the live database's -wal file/ },
    { target: path.join(directory, 'wal-link.db'), is: /is the live database's -wal file/ },
    { target: path.join(directory, 'hard-link.db'), is: /is the live database itself/ },
    { target: path.join(directory, 'wal-hard-link.db'), is: /is the live database's -wal file/ },
    // DATABASE_PATH spelled through a symlinked directory, the target plainly.
    { target: `${databasePath}-wal`, is: /is the live database's -wal file/, database: aliasedDatabase },
    { target: path.join(directory, 'plan-tracker.db'), is: /is the live database itself/, database: aliasedDatabase },
  ];
  const results = await Promise.all(cases.map(({ target, database }) => runCommand(t, 'backup', [target, '--force'], database ?? databasePath)));
  results.forEach((result, i) => {
    const { target, is, database } = cases[i]!;
    const name = `${target}${database ? ` (DATABASE_PATH ${database})` : ''}`;
    t.equal(result.code, 73, `${name}: EX_CANTCREAT`);
    t.match(result.stderr, ONE_LINE, `${name}: one line`);
    t.match(result.stderr.trimEnd(), new RegExp(`^backup: .+ ${is.source}; name another file$`), name);
  });
  t.same(liveFiles(), before, 'the database, its -wal and its -shm are byte for byte what they were');
  t.notOk(fs.existsSync(`${databasePath}-journal`), 'no -journal was created beside it');
  t.equal(server.$client.prepare("SELECT count(*) FROM units WHERE name = '后加单位'").pluck().get(), 1, 'the write in the -wal is still there');
  t.equal(sha256(path.join(directory, 'hard-link.db')), before[0], 'the hard link still is the database');
});

t.test('backup and restore refuse a directory, a missing or unusable directory and the live files in one line', async (t) => {
  const databasePath = seededDatabase(t);
  const directory = path.dirname(databasePath);
  const backupPath = path.join(directory, 'backup.db');
  t.equal((await runCommand(t, 'backup', [backupPath], databasePath)).code, 0, 'setup: a good backup');
  const notes = path.join(directory, 'notes.txt');
  fs.writeFileSync(notes, 'not a directory');
  fs.writeFileSync(`${databasePath}-wal`, 'the log of a server that crashed');
  const before = sha256(databasePath);

  // Root may write anywhere: the read-only directory is tried as an ordinary user, who may use the database.
  const readOnly = path.join(directory, 'read-only');
  fs.mkdirSync(readOnly, { mode: 0o555 });
  const user = otherUserIfRoot(t);
  for (const file of [directory, databasePath, `${databasePath}-wal`, backupPath]) fs.chmodSync(file, 0o777);
  const unreadable = path.join(directory, 'unreadable.db');
  fs.copyFileSync(backupPath, unreadable);
  fs.chmodSync(unreadable, 0o000);

  const cases = [
    { command: 'backup', args: [directory], code: 73, is: /^backup: .* is a directory: name a file in it$/ },
    { command: 'backup', args: [directory, '--force'], code: 73, is: /^backup: .* is a directory: name a file in it$/ },
    { command: 'backup', args: [path.join(notes, 'b.db')], code: 73, is: /^backup: .*notes\.txt is not a directory$/ },
    { command: 'backup', args: [path.join(directory, 'absent', 'b.db')], code: 66, is: /^backup: the directory of .* does not exist$/ },
    { command: 'backup', args: [path.join(readOnly, 'b.db')], code: 73, is: /^backup: cannot write in .*read-only$/, user },
    // Failing midway, past every check (here SQLite cannot open the database): one line too, EX_IOERR.
    { command: 'backup', args: [path.join(directory, 'b.db')], database: unreadable, code: 74, is: /^backup: unable to open database file$/, user },
    { command: 'restore', args: [directory], code: 66, is: /^restore: .* is a directory, not a backup file$/ },
    { command: 'restore', args: [`${databasePath}-wal`], code: 65, is: /^restore: .* is the live database's -wal file, not a backup$/ },
    { command: 'restore', args: [databasePath], code: 65, is: /^restore: .* is the live database itself, not a backup$/ },
    { command: 'restore', args: [backupPath], database: directory, code: 73, is: /^restore: .* is a directory: name a file in it$/ },
    { command: 'restore', args: [backupPath], database: path.join(notes, 'plan-tracker.db'), code: 73, is: /^restore: .*notes\.txt is not a directory$/ },
    { command: 'restore', args: [backupPath], database: path.join(readOnly, 'plan-tracker.db'), code: 73, is: /^restore: cannot write in .*read-only$/, user },
  ] as const;
  const results = await Promise.all(cases.map((c) => runCommand(t, c.command, [...c.args], 'database' in c ? c.database : databasePath, 'user' in c ? c.user : undefined)));
  results.forEach((result, i) => {
    const { command, args, code, is } = cases[i]!;
    const name = `${command} ${args.join(' ')}`;
    t.equal(result.code, code, name);
    t.match(result.stderr, ONE_LINE, `${name}: one line`);
    t.match(result.stderr.trimEnd(), is, name);
  });
  t.equal(sha256(databasePath), before, 'the database is byte for byte what it was');
  t.equal(fs.readFileSync(`${databasePath}-wal`, 'utf8'), 'the log of a server that crashed', 'and its -wal is still there');
  t.same(fs.readdirSync(readOnly), [], 'nothing was written in the read-only directory');
});
