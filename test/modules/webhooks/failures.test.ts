/**
 * What happens when receivers fail: giving up after the configured time (then redelivering by hand), a receiver that
 * hangs (the attempt times out, the API keeps answering), and which subscriptions a change goes to at all.
 */
import net from 'node:net';
import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { eventually, QUICK_WEBHOOKS, startReceiver } from '../../helpers/webhook-receiver.js';

// The app's clock runs with the wall clock, and the test moves it forward past the give-up time.
let ahead = 0;
const { app, databasePath } = await buildTestAppWithDatabase(t, { webhooks: { ...QUICK_WEBHOOKS, timeoutMs: 300 }, now: () => new Date(Date.now() + ahead) });
const admin = issueKey(databasePath, 'admin');
const coordinator = issueKey(databasePath, 'coordinator');
const minzheng = issueKey(databasePath, 'reporter', '市民政局');
const beilin = issueKey(databasePath, 'reporter', '北林区');

const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, key: { headers: Record<string, string> }, payload?: Record<string, unknown>) =>
  app.inject({ method, url, headers: key.headers, ...(payload ? { payload } : {}) });

async function subscribe(url: string, types: string[], unit?: string): Promise<number> {
  const created = await inject('POST', '/api/v1/webhooks', admin, { url, types, ...(unit ? { unit } : {}) });
  if (created.statusCode !== 201) throw new Error(created.body);
  return (created.json() as { webhook: { id: number } }).webhook.id;
}

interface Delivery {
  id: number;
  webhookId: string;
  state: string;
  attempts: { status: number | null; error: string | null; durationMs: number }[];
  change: { id: number; type: string };
}
const deliveriesOf = async (id: number) => ((await inject('GET', `/api/v1/webhooks/${id}/deliveries?limit=500`, admin)).json() as { items: Delivery[] }).items;

const measure = ((await inject('GET', '/api/v1/measures?unit=市民政局&limit=500', admin)).json().items as { id: number; taskNo: number }[]).find((m) => m.taskNo === 4)!;
let quarter = 0;
/** A report of 市民政局 for a fresh quarter, sent for review at once: one report.created and one report.submitted. */
async function submitReport(): Promise<number> {
  const period = `${2022 + Math.floor(quarter / 4)}-Q${(quarter++ % 4) + 1}`;
  const created = await inject('POST', '/api/v1/reports', minzheng, { measureId: measure.id, period, status: 'in_progress', narrative: '进展', submit: true });
  if (created.statusCode !== 201) throw new Error(created.body);
  return created.json().id as number;
}

t.test('given up after the give-up time, then redelivered by hand with the same webhook-id', async (t) => {
  let refusing = true;
  const receiver = await startReceiver(t, () => (refusing ? 500 : 200));
  const id = await subscribe(receiver.url, ['report.submitted']);
  await submitReport();
  await eventually(() => receiver.received.length >= 2);
  ahead += QUICK_WEBHOOKS.giveUpAfterMs + 1_000;
  await eventually(async () => (await deliveriesOf(id))[0]?.state === 'failed');
  const [failed] = await deliveriesOf(id);
  t.ok(failed!.attempts.length >= 3, `${failed!.attempts.length} attempts listed`);
  t.ok(
    failed!.attempts.every((a) => a.status === 500 && a.error === 'HTTP 500'),
    'each with the receiver’s status',
  );
  const sent = receiver.received.length;
  t.equal((await inject('GET', `/api/v1/webhooks/${id}/deliveries?state=pending`, admin)).json().items.length, 0, 'nothing pending');
  t.equal(receiver.received.length, sent, 'no more attempts once failed');
  t.match((await app.inject('/metrics')).body, /plan_tracker_webhook_attempts_total\{outcome="gave_up"\} 1/);

  refusing = false;
  const again = await inject('POST', `/api/v1/webhooks/${id}/deliveries/${failed!.id}/redeliver`, admin);
  t.equal(again.statusCode, 202);
  t.match(again.json(), { id: failed!.id, state: 'pending', webhookId: failed!.webhookId });
  await eventually(async () => (await deliveriesOf(id))[0]?.state === 'delivered');
  t.equal(receiver.accepted().length, 1);
  t.equal(receiver.accepted()[0]!.headers['webhook-id'], failed!.webhookId, 'the same webhook-id as before');
  t.equal(rows(databasePath, "SELECT 1 FROM audit_events WHERE action = 'webhook.redeliver'").length, 1);
  await inject('DELETE', `/api/v1/webhooks/${id}`, admin);
});

t.test('a receiver that hangs: the attempt times out and is recorded, the API answers meanwhile', async (t) => {
  const receiver = await startReceiver(t, () => 'hang');
  const id = await subscribe(receiver.url, ['report.submitted']);
  await submitReport();
  await eventually(() => receiver.received.length >= 1);
  const read = await app.inject('/api/v1/tasks/3');
  t.equal(read.statusCode, 200, 'reads answer while the receiver hangs');
  t.equal((await inject('POST', `/api/v1/reports/${await submitReport()}/approve`, coordinator)).statusCode, 200, 'writes too');
  await eventually(async () => (await deliveriesOf(id))[0]!.attempts.length >= 1);
  const [delivery] = await deliveriesOf(id);
  t.match(delivery!.attempts[0], { status: null, error: 'timed out after 300 ms' });
  t.ok(delivery!.attempts[0]!.durationMs >= 300, 'the attempt lasted until the timeout');
  t.equal(delivery!.state, 'pending', 'and is tried again');
  await inject('DELETE', `/api/v1/webhooks/${id}`, admin);
  t.match(
    rows(databasePath, 'SELECT state, last_error AS error FROM webhook_deliveries WHERE subscription_id = ?', id),
    [
      { state: 'failed', error: 'subscription disabled' },
      { state: 'failed', error: 'subscription disabled' },
    ],
    'disabling fails what was pending: the outbox keeps only what is owed',
  );
  t.match((await app.inject('/metrics')).body, /plan_tracker_webhook_outbox_depth 0/);
});

t.test('who gets what: types and families, a unit, drafts, a disabled subscription', async (t) => {
  const receiver = await startReceiver(t, () => 204);
  const unitOnly = await subscribe(`${receiver.url}/unit`, ['report.created', 'report.approved'], '市民政局');
  const family = await subscribe(`${receiver.url}/family`, ['assignment']);
  const everyone = await subscribe(`${receiver.url}/everyone`, ['report.created', 'report.submitted']);
  const disabled = await subscribe(`${receiver.url}/disabled`, ['report', 'assignment']);
  t.equal((await inject('DELETE', `/api/v1/webhooks/${disabled}`, admin)).statusCode, 200);
  const otherUnit = await subscribe(`${receiver.url}/other`, ['report'], '北林区');

  const draft = await inject('POST', '/api/v1/reports', minzheng, { measureId: measure.id, period: '2025-Q4', status: 'in_progress', narrative: '草稿' });
  t.equal(draft.statusCode, 201);
  const report = await submitReport();
  t.equal((await inject('POST', `/api/v1/reports/${report}/approve`, coordinator)).statusCode, 200);
  const unsigned = (await inject('GET', '/api/v1/assignments?unit=北林区&acknowledged=false&limit=1', admin)).json().items[0] as { id: number };
  t.equal((await inject('POST', `/api/v1/assignments/${unsigned.id}/acknowledge`, beilin, { contactName: '王明' })).statusCode, 200);

  const types = (subscription: number) =>
    rows<{ type: string }>(
      databasePath,
      'SELECT c.type FROM webhook_deliveries d JOIN changes c ON c.id = d.change_id WHERE d.subscription_id = ? ORDER BY d.id',
      subscription,
    ).map((r) => r.type);
  t.same(types(unitOnly), ['report.created', 'report.created', 'report.approved'], 'the unit’s draft, its submitted report and the approval');
  t.same(types(family), ['assignment.acknowledged'], 'a family stands for its types');
  t.same(types(everyone), ['report.submitted'], 'a report is created as a draft: that goes only to its unit’s subscriptions');
  t.same(types(disabled), [], 'a disabled subscription gets nothing new');
  t.same(types(otherUnit), [], 'nor does another unit’s');
  await eventually(() => receiver.accepted().length >= 5);
  t.same(
    receiver
      .accepted()
      .map((r) => r.url)
      .sort(),
    ['/hooks/everyone', '/hooks/family', '/hooks/unit', '/hooks/unit', '/hooks/unit'],
  );
});

t.test('a bulk import’s changes owe messages too (written on its own connection)', async (t) => {
  const receiver = await startReceiver(t, () => 204);
  const id = await subscribe(receiver.url, ['report.submitted']);
  const periods = ['2021-Q1', '2021-Q2', '2021-Q3'];
  const imported = await inject('POST', '/api/v1/reports/bulk', minzheng, {
    reports: periods.map((period) => ({ measureId: measure.id, period, status: 'in_progress', narrative: '批量', submit: true })),
  });
  t.equal(imported.statusCode, 200, imported.body);
  t.equal(rows(databasePath, 'SELECT id FROM webhook_deliveries WHERE subscription_id = ?', id).length, periods.length, 'queued in the import’s transaction');
  await eventually(() => receiver.accepted().length === periods.length);
  await inject('DELETE', `/api/v1/webhooks/${id}`, admin);
});

t.test('a refused connection and a redirect are failed attempts; a redirect is not followed', async (t) => {
  // A port nothing listens on any more: connecting is refused.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const redirecting = await startReceiver(t, () => 302);
  const refusing = await subscribe(`http://127.0.0.1:${port}/gone`, ['report.submitted']);
  const redirected = await subscribe(redirecting.url, ['report.submitted']);
  await submitReport();
  const firstAttempt = async (id: number) => (await deliveriesOf(id))[0]?.attempts[0];
  await eventually(async () => (await firstAttempt(refusing)) !== undefined && (await firstAttempt(redirected)) !== undefined);
  t.match(await firstAttempt(refusing), { status: null, error: 'ECONNREFUSED' });
  t.match(await firstAttempt(redirected), { status: 302, error: 'HTTP 302' });
  t.ok(
    redirecting.received.every((r) => r.url === '/hooks'),
    'nothing requested elsewhere',
  );
  await inject('DELETE', `/api/v1/webhooks/${refusing}`, admin);
  await inject('DELETE', `/api/v1/webhooks/${redirected}`, admin);
});
