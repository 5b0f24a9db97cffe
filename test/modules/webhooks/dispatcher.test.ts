/**
 * The dispatcher when its own writes fail (another process holds the database, a disk hiccup): a claim that fails is
 * tried at the next poll, an outcome that fails to be recorded is retried, and one never recorded is logged (the
 * message is then sent again when its claim lapses). Faults are injected in the write function, on a real database.
 */
import t, { type Test } from 'tap';
import pino from 'pino';
import { WEBHOOK_DEFAULTS } from '../../../src/config.js';
import { openDatabase } from '../../../src/db/client.js';
import { createDeliveryRepository } from '../../../src/modules/webhooks/deliveries.js';
import { startDispatcher } from '../../../src/modules/webhooks/dispatcher.js';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { eventually, QUICK_WEBHOOKS, startReceiver } from '../../helpers/webhook-receiver.js';

// The app's own dispatcher never polls here: the test runs one of its own on a second connection.
const { app, databasePath } = await buildTestAppWithDatabase(t, { webhooks: { ...QUICK_WEBHOOKS, pollIntervalMs: 600_000 } });
const admin = issueKey(databasePath, 'admin');
const minzheng = issueKey(databasePath, 'reporter', '市民政局');
const measure = ((await app.inject('/api/v1/measures?unit=市民政局&limit=500')).json().items as { id: number; taskNo: number }[]).find((m) => m.taskNo === 4)!;
let quarter = 0;

/** One subscription to a receiver and one message owed to it; returns the receiver. */
async function oneMessage(t: Test, answer: () => number) {
  const receiver = await startReceiver(t, answer);
  const created = await app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: admin.headers, payload: { url: receiver.url, types: ['report.submitted'] } });
  const id = created.json().webhook.id as number;
  t.teardown(() => app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: admin.headers }).then(() => undefined));
  const period = `2023-Q${++quarter}`;
  const report = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: minzheng.headers,
    payload: { measureId: measure.id, period, status: 'in_progress', submit: true },
  });
  t.equal(report.statusCode, 201);
  return { receiver, id };
}

/** A dispatcher on its own connection whose writes fail as `faulty` says (by the write's number, from 1). */
function dispatcherWithFaults(t: Test, faulty: (n: number) => boolean) {
  const db = openDatabase(databasePath);
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  let writes = 0;
  const dispatcher = startDispatcher({
    deliveries: createDeliveryRepository(db),
    write: async (work) => {
      if (faulty(++writes)) throw new Error('SQLITE_BUSY: database is locked');
      return db.$client.transaction(work)();
    },
    now: () => new Date(),
    settings: { ...WEBHOOK_DEFAULTS, ...QUICK_WEBHOOKS },
    log,
  });
  t.teardown(async () => {
    await dispatcher.stop();
    db.$client.close();
  });
  return { dispatcher, lines, writes: () => writes };
}

const stateOf = (id: number) => rows<{ state: string }>(databasePath, 'SELECT state FROM webhook_deliveries WHERE subscription_id = ?', id)[0]?.state;

t.test('a failed claim is tried again; an outcome is recorded after failed tries', async (t) => {
  const { receiver, id } = await oneMessage(t, () => 204);
  // Write 1 (the first claim) fails, write 2 claims; writes 3 and 4 (recording the outcome) fail, the fifth records it.
  const { lines, writes } = dispatcherWithFaults(t, (n) => n === 1 || n === 3 || n === 4);
  await eventually(() => stateOf(id) === 'delivered');
  t.equal(receiver.accepted().length, 1, 'sent once: the outcome was recorded in the end');
  t.equal(writes(), 5);
  t.ok(
    lines.some((line) => line.msg === 'webhook dispatcher could not claim messages'),
    'the failed claim is logged (debug)',
  );
  t.notOk(lines.some((line) => line.msg.startsWith('webhook attempt not recorded')));
});

t.test('an outcome never recorded is logged; the claim is left to lapse', async (t) => {
  const { receiver, id } = await oneMessage(t, () => 204);
  // Every write after the claim fails; stopping ends the retries.
  const { dispatcher, lines } = dispatcherWithFaults(t, (n) => n > 1);
  await eventually(() => receiver.accepted().length === 1);
  await dispatcher.stop();
  t.ok(lines.some((line) => line.msg.startsWith('webhook attempt not recorded')));
  t.equal(stateOf(id), 'pending', 'still owed: sent again once the claim lapses');
  t.ok(rows<{ claimed_by: string | null }>(databasePath, 'SELECT claimed_by FROM webhook_deliveries WHERE subscription_id = ?', id)[0]!.claimed_by, 'and still claimed until then');
});

t.test('closing the server aborts an attempt in flight: unrecorded, still owed', async (t) => {
  const { app: closing, databasePath: closingPath } = await buildTestAppWithDatabase(t, { webhooks: { ...QUICK_WEBHOOKS, timeoutMs: 600_000 } });
  const hanging = await startReceiver(t, () => 'hang');
  const key = issueKey(closingPath, 'admin');
  const reporter = issueKey(closingPath, 'reporter', '市民政局');
  const created = await closing.inject({ method: 'POST', url: '/api/v1/webhooks', headers: key.headers, payload: { url: hanging.url, types: ['report.submitted'] } });
  t.equal(created.statusCode, 201);
  const report = await closing.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: reporter.headers,
    payload: { measureId: measure.id, period: '2024-Q4', status: 'in_progress', submit: true },
  });
  t.equal(report.statusCode, 201);
  await eventually(() => hanging.received.length === 1);
  // With a ten-minute timeout, only aborting the attempt lets close() finish within the test's time.
  await closing.close();
  t.same(rows(closingPath, 'SELECT id FROM webhook_attempts'), [], 'no attempt recorded');
  t.equal(rows<{ state: string }>(closingPath, 'SELECT state FROM webhook_deliveries')[0]!.state, 'pending', 'sent again after a restart, once its claim lapses');
});
