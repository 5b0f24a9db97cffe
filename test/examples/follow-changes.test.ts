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

const script = path.join(projectRoot, 'examples', 'follow-changes.ts');

/** Runs the example as an integrator would: what it printed, one change per line. */
async function follow(base: string, token: string, args: string[]) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: projectRoot,
    env: childEnv({ PLAN_TRACKER_URL: base, PLAN_TRACKER_TOKEN: token }),
  });
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { id: number; type: string; resource: { id: number } });
}

t.test('the follower resumes from its cursor file across runs and a server restart: every change once', async (t) => {
  const databasePath = tempDatabasePath(t);
  const cursorFile = path.join(path.dirname(databasePath), 'mirror.cursor');
  let server = startServer({ PORT: '0', DATABASE_PATH: databasePath });
  t.teardown(() => server.child.kill('SIGKILL'));
  let base = await waitForListening(server);
  const reporter = issueKey(databasePath, 'reporter', '市民政局');
  const reader = issueKey(databasePath, 'reader');
  const post = async (measureId: number, period: string) => {
    const api = createPlanTrackerClient({ baseUrl: base, token: reporter.token });
    const { data, error } = await api.POST('/api/v1/reports', { body: { measureId, period, status: 'in_progress', submit: true } });
    if (!data) throw new Error(JSON.stringify(error));
    return data.id;
  };

  const first = [await post(1, '2024-Q1'), await post(4, '2024-Q1')];
  const run1 = await follow(base, reader.token, ['--cursor-file', cursorFile, '--types', 'report']);
  t.same(
    run1.map((c) => [c.type, c.resource.id]),
    first.map((id) => ['report.submitted', id]),
    'a reader sees the submissions, not the drafts before them',
  );
  t.equal(fs.readFileSync(cursorFile, 'utf8'), `${run1.at(-1)!.id}\n`, 'the cursor is written down');
  t.same(await follow(base, reader.token, ['--cursor-file', cursorFile, '--types', 'report']), [], 'nothing new, nothing printed');

  server.child.kill('SIGKILL');
  await server.exited;
  server = startServer({ PORT: '0', DATABASE_PATH: databasePath });
  base = await waitForListening(server);
  const second = await post(1, '2024-Q2');
  const run2 = await follow(base, reader.token, ['--cursor-file', cursorFile, '--types', 'report']);
  t.same(
    run2.map((c) => c.resource.id),
    [second],
    'after a restart, only what came since',
  );
  t.ok(run2[0]!.id > run1.at(-1)!.id);

  fs.writeFileSync(cursorFile, 'garbage');
  await t.rejects(follow(base, reader.token, ['--cursor-file', cursorFile]), 'a cursor file that holds no cursor stops it, rather than starting over');
});
