import t from 'tap';
import { tempDatabasePath } from './helpers/app.js';
import { startServer, waitForListening } from './helpers/server-process.js';

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
