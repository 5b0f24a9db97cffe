/** npm run backup / npm run restore as an operator runs them: against the real server, in child processes. */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import t from 'tap';
import { PERIODS, reportBody, type ReportBody } from '../../bench/lib/report-bodies.js';
import { openDatabase } from '../../src/db/client.js';
import { tempDatabasePath } from '../helpers/app.js';
import { rows } from '../helpers/db.js';
import { issueKey } from '../helpers/keys.js';
import { startServer, waitForListening } from '../helpers/server-process.js';
import { runCommand } from './commands.js';
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
  const measureIds = ((await (await fetch(`${base}/api/v1/measures?unit=${encodeURIComponent(REPORTING_UNIT)}&limit=500`)).json()) as { items: { id: number }[] }).items.map((m) => m.id);

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
  t.same(beforeBackup.filter(({ id, body }) => !storedAsPosted(restored.get(id), body)), [], 'every report acknowledged before the backup started is restored as posted');
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
  t.same(acknowledged.filter(({ id, body }) => !storedAsPosted(live.get(id), body)), [], 'the live database still has every report, including those after the backup');
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
