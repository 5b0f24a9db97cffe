/**
 * A webhook secret is shown once, to the admin who subscribed: never in the log, at any level, whatever happens to
 * its messages. The server runs as a child process at trace level and its whole output is searched.
 */
import t from 'tap';
import { tempDatabasePath } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { startServer, waitForListening } from '../../helpers/server-process.js';
import { eventually, startReceiver } from '../../helpers/webhook-receiver.js';

t.test('no webhook secret reaches the log', async (t) => {
  const databasePath = tempDatabasePath(t);
  const admin = issueKey(databasePath, 'admin');
  // The first attempt fails (logged), the second is delivered.
  const receiver = await startReceiver(t, (n) => (n === 0 ? 500 : 204));
  const server = startServer({
    PORT: '0',
    DATABASE_PATH: databasePath,
    LOG_LEVEL: 'trace',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_POLL_INTERVAL_MS: '20',
    WEBHOOK_BACKOFF_BASE_MS: '50',
  });
  t.teardown(() => server.child.kill('SIGKILL'));
  const base = await waitForListening(server);
  // Once the server has loaded the seed: the unit exists.
  const minzheng = issueKey(databasePath, 'reporter', '市民政局');
  const json = { ...admin.headers, 'content-type': 'application/json' };

  const created = await fetch(`${base}/api/v1/webhooks`, { method: 'POST', headers: json, body: JSON.stringify({ url: receiver.url, types: ['report.submitted'] }) });
  t.equal(created.status, 201);
  const { webhook, secret } = (await created.json()) as { webhook: { id: number }; secret: string };
  const key = secret.slice('whsec_'.length);
  const measure = (
    (await (await fetch(`${base}/api/v1/measures?unit=${encodeURIComponent('市民政局')}&limit=500`)).json()) as { items: { id: number; taskNo: number }[] }
  ).items.find((m) => m.taskNo === 4)!;
  const report = await fetch(`${base}/api/v1/reports`, {
    method: 'POST',
    headers: { ...minzheng.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ measureId: measure.id, period: '2024-Q1', status: 'in_progress', submit: true }),
  });
  t.equal(report.status, 201);
  t.equal((await fetch(`${base}/api/v1/webhooks/${webhook.id}`, { headers: admin.headers })).status, 200);
  // The failed attempt is logged, the retry delivered.
  await eventually(() => receiver.accepted().length === 1);
  await eventually(() => rows(databasePath, "SELECT 1 FROM webhook_deliveries WHERE state = 'delivered'").length === 1);

  server.child.kill('SIGTERM');
  const [code] = await server.exited;
  t.equal(code, 0);
  const log = server.output();
  t.match(log, /webhook attempt failed/, 'the failed attempt was logged');
  t.ok(log.split('\n').filter((line) => line.includes('/api/v1/webhooks')).length >= 2, 'the webhook requests were logged');
  t.notOk(log.includes(key), 'the secret is not in the log');
  t.notOk(log.includes(Buffer.from(key, 'base64').toString('hex')), 'nor its bytes in hex');
  t.notOk(rows<{ after: string }>(databasePath, "SELECT after FROM audit_events WHERE entity_type = 'webhook'")[0]!.after.includes(key), 'nor the audit trail');
});
