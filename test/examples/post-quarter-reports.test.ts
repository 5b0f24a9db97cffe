import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { createPlanTrackerClient } from '../../client/index.js';
import { projectRoot } from '../../src/db/client.js';
import { tempDatabasePath } from '../helpers/app.js';
import { childEnv } from '../helpers/child-env.js';
import { issueKey } from '../helpers/keys.js';
import { startServer, waitForListening } from '../helpers/server-process.js';

const script = path.join(projectRoot, 'examples', 'post-quarter-reports.ts');
const exampleCsv = path.join(projectRoot, 'examples', 'quarter-reports.csv');

/** Runs the example as a person would, against the server at `base`: its exit code and what it printed. */
async function runExample(base: string, token: string, args: string[]) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: projectRoot,
      env: childEnv({ PLAN_TRACKER_URL: base, PLAN_TRACKER_TOKEN: token }),
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

t.test('the example posts a quarter’s reports from CSV through the typed client, and a rerun changes nothing', async (t) => {
  const databasePath = tempDatabasePath(t);
  const server = startServer({ PORT: '0', DATABASE_PATH: databasePath });
  t.teardown(() => server.child.kill('SIGKILL'));
  const base = await waitForListening(server);
  const reporter = issueKey(databasePath, 'reporter', '市民政局');

  const first = await runExample(base, reporter.token, ['--json', exampleCsv]);
  t.equal(first.code, 0, first.stdout);
  const summary = JSON.parse(first.stdout) as {
    created: number;
    updated: number;
    unchanged: number;
    refused: number;
    rows: { line: number; outcome: string; reportId?: number }[];
  };
  t.match(summary, { created: 5, updated: 0, unchanged: 0, refused: 0 }, 'every row created');
  t.same(
    summary.rows.map((r) => r.line),
    [2, 3, 4, 5, 6],
    'rows named by their line in the file',
  );

  const api = createPlanTrackerClient({ baseUrl: base, token: reporter.token });
  const { data } = await api.GET('/api/v1/reports', { params: { query: { unit: '市民政局', period: '2024-Q3' } } });
  const reports = [...(data?.items ?? [])].sort((a, b) => a.id - b.id);
  t.same(
    reports.map((r) => [r.measureId, r.status, r.percentComplete, r.state]),
    [
      [1, 'in_progress', 75, 'draft'],
      [4, 'in_progress', 60, 'draft'],
      [29, 'in_progress', 50, 'draft'],
      [45, 'in_progress', 70, 'draft'],
      [127, 'completed', 100, 'draft'],
    ],
    'the reports are there: measures named by id, by task and measure number (numbered, unnumbered, a task’s only one), status words read',
  );
  t.same(
    reports.map((r) => r.id),
    summary.rows.map((r) => r.reportId),
  );
  t.match(reports[1]?.narrative, /重错码 12 条/, 'Chinese text as written');

  const again = await runExample(base, reporter.token, [exampleCsv]);
  t.equal(again.code, 0);
  t.match(again.stdout, /^5 rows: 0 created, 0 updated, 5 unchanged, 0 refused$/m, 'a second run: every row unchanged');
  t.equal(again.stdout.match(/未变 unchanged/g)?.length, 5);

  const edited = path.join(path.dirname(databasePath), 'edited.csv');
  fs.writeFileSync(
    edited,
    [
      '措施ID,序号,措施序号,报告期,状态,进展情况,完成百分比',
      '1,,,2024-Q3,推进中,已在门户网站公开政务诚信承诺 4 项,80',
      ',4,,2024-Q3,推进中,未写措施序号,10',
      ',4,1,2024-Q3,推进中,百分比越界,150',
      '2,,,2024-Q3,推进中,不归本单位的措施,10',
    ].join('\r\n'),
  );
  const third = await runExample(base, reporter.token, ['--json', '--en', edited]);
  t.equal(third.code, 1, 'refused rows make the exit code 1');
  const mixed = JSON.parse(third.stdout) as { created: number; updated: number; refused: number; rows: { line: number; outcome: string; reason?: string }[] };
  t.match(mixed, { created: 0, updated: 1, refused: 3 }, 'Chinese headers read; an edited row updates its draft');
  t.match(mixed.rows, [
    { line: 2, outcome: 'updated' },
    { line: 3, outcome: 'refused', reason: /task 4 has 3 measures: give measureNo/ },
    { line: 4, outcome: 'refused', reason: /^400 .*\/body\/percentComplete/ },
    { line: 5, outcome: 'refused', reason: /^(403|422) / },
  ]);
});

t.test('without a file the example says how to run it', async (t) => {
  const run = await runExample('http://127.0.0.1:9', 'none', []);
  t.equal(run.code, 2);
  t.match(run.stdout, /usage: post-quarter-reports\.ts/);
});
