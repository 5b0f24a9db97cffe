import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import t from 'tap';
import { projectRoot } from '../src/db/client.js';
import { tempDatabasePath } from './helpers/app.js';
import { childEnv } from './helpers/child-env.js';

/** The real entry point in a child process, as `npm start` runs it (through tsx instead of the build). */
function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'server.ts')], {
    cwd: projectRoot,
    env: childEnv({ LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => output };
}

async function waitForListening(server: ReturnType<typeof startServer>): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output());
    if (match) return match[1]!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not start:\n${server.output()}`);
}

t.test('starts on the configured database, serves, and exits 0 on SIGTERM', async (t) => {
  const server = startServer({ PORT: '0', DATABASE_PATH: tempDatabasePath(t) });
  t.teardown(() => server.child.kill('SIGKILL'));
  const base = await waitForListening(server);
  const health = await fetch(`${base}/health`);
  t.equal(health.status, 200);
  const tasks = (await (await fetch(`${base}/api/v1/tasks?limit=1`)).json()) as { total: number };
  t.equal(tasks.total, 75, 'the plan is loaded');
  t.match(server.output(), /"msg":"request completed"/, 'requests are logged');
  t.match(server.output(), /"reqId":"/, 'with request ids');

  server.child.kill('SIGTERM');
  const [code] = await server.exited;
  t.equal(code, 0);
  t.match(server.output(), /"signal":"SIGTERM","msg":"shutting down"/);
});

t.test('a bad configuration stops start-up with a clear message', async (t) => {
  const server = startServer({ PORT: 'not-a-port', DATABASE_PATH: tempDatabasePath(t) });
  const [code] = await server.exited;
  t.equal(code, 78);
  t.match(server.output(), /invalid configuration: PORT must be an integer/);
});
