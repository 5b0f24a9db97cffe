/**
 * Two servers on one database file (two apps here, each with its own connection, group commit and dispatcher) send
 * the same outbox at once: claims keep every message to one sender at a time, so none is sent twice.
 */
import t from 'tap';
import { buildApp } from '../../../src/app.js';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { eventually, QUICK_WEBHOOKS, startReceiver } from '../../helpers/webhook-receiver.js';

// One thread holds both apps: a write lock the other app holds is never released while this one waits, so neither
// waits (busy timeout 0) — a claim that meets the other's lock is tried at the next poll.
const settings = { webhooks: { ...QUICK_WEBHOOKS, concurrency: 3 }, databaseBusyTimeoutMs: 0 };
const { app: first, databasePath } = await buildTestAppWithDatabase(t, settings);
const admin = issueKey(databasePath, 'admin');
const minzheng = issueKey(databasePath, 'reporter', '市民政局');

t.test('two dispatchers on one database never send one message twice', async (t) => {
  // Refuses the first ten requests, and answers each after a while: both senders have messages in flight at once.
  const receiver = await startReceiver(t, (n) => (n < 10 ? 503 : 200), { delayMs: 40 });
  const created = await first.inject({ method: 'POST', url: '/api/v1/webhooks', headers: admin.headers, payload: { url: receiver.url, types: ['report'] } });
  t.equal(created.statusCode, 201);
  const measure = ((await first.inject('/api/v1/measures?unit=市民政局&limit=500')).json().items as { id: number; taskNo: number }[]).find((m) => m.taskNo === 4)!;
  for (let quarter = 0; quarter < 12; quarter++) {
    const period = `${2022 + Math.floor(quarter / 4)}-Q${(quarter % 4) + 1}`;
    const report = await first.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: minzheng.headers,
      payload: { measureId: measure.id, period, status: 'in_progress', submit: true },
    });
    t.equal(report.statusCode, 201);
  }
  const second = await buildApp({ databasePath, logLevel: 'silent', ...settings });
  t.teardown(() => second.close());

  const owed = rows<{ id: number }>(databasePath, 'SELECT id FROM webhook_deliveries');
  t.ok(owed.length >= 12, `${owed.length} messages owed`);
  // Delivered as the database says: the receiver has answered and the sender has recorded it.
  await eventually(() => rows(databasePath, "SELECT id FROM webhook_deliveries WHERE state = 'delivered'").length === owed.length, 30_000);

  const accepted = receiver.accepted().map((r) => r.headers['webhook-id']);
  t.equal(accepted.length, owed.length, 'each message accepted once');
  t.equal(new Set(accepted).size, owed.length);
  // Every request the receiver saw is an attempt one dispatcher recorded: no unrecorded second send.
  const attempts = rows<{ n: number }>(databasePath, 'SELECT count(*) AS n FROM webhook_attempts')[0]!.n;
  t.equal(receiver.received.length, attempts, 'as many requests as recorded attempts');
  const sentBy = async (app: typeof first) => Number(/plan_tracker_webhook_attempts_total\{outcome="delivered"\} (\d+)/.exec((await app.inject('/metrics')).body)![1]);
  const [byFirst, bySecond] = [await sentBy(first), await sentBy(second)];
  t.equal(byFirst + bySecond, owed.length);
  t.ok(byFirst > 0 && bySecond > 0, `both sent (${byFirst} and ${bySecond})`);
});
