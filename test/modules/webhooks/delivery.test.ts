/**
 * End to end: writes through the API, messages through the outbox to a real HTTP receiver on loopback that refuses
 * the first attempts. Every matching change arrives exactly once (by webhook-id), in order per resource, and verifies
 * with the Standard Webhooks reference library.
 */
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { eventually, QUICK_WEBHOOKS, startReceiver, type Received } from '../../helpers/webhook-receiver.js';

interface Message {
  type: string;
  timestamp: string;
  data: { id: number; type: string; at: string; resource: { type: string; id: number; href: string }; unitId: number | null; state: { state?: string } };
}

const { app, databasePath } = await buildTestAppWithDatabase(t, { webhooks: QUICK_WEBHOOKS });
const admin = issueKey(databasePath, 'admin');
const coordinator = issueKey(databasePath, 'coordinator');
const minzheng = issueKey(databasePath, 'reporter', '市民政局');
const beilin = issueKey(databasePath, 'reporter', '北林区');

const inject = (method: 'GET' | 'POST', url: string, key: { headers: Record<string, string> }, payload?: Record<string, unknown>) =>
  app.inject({ method, url, headers: key.headers, ...(payload ? { payload } : {}) });

async function subscribe(url: string, types: string[], unit?: string): Promise<{ id: number; secret: string }> {
  const created = await inject('POST', '/api/v1/webhooks', admin, { url, types, ...(unit ? { unit } : {}) });
  if (created.statusCode !== 201) throw new Error(created.body);
  const { webhook, secret } = created.json() as { webhook: { id: number }; secret: string };
  return { id: webhook.id, secret };
}

const messageOf = (received: Received) => JSON.parse(received.body) as Message;

/** The changes the feed has of these types (or families) after `after`, as an admin sees them, drafts left out. */
async function feedChanges(after: number, types: string) {
  const page = (await inject('GET', `/api/v1/changes?after=${after}&types=${types}&limit=500`, admin)).json() as { items: { id: number; state: { state?: string } }[] };
  return page.items.filter((change) => change.state.state !== 'draft').map((change) => change.id);
}

const measures = (await inject('GET', '/api/v1/measures?unit=市民政局&limit=500', admin)).json().items as { id: number; taskNo: number }[];
const measure = measures.find((m) => m.taskNo === 4)!;

t.test('every matching change arrives once, in order per resource, signed', async (t) => {
  // 503 for the first six requests, whatever they carry: the first messages are retried.
  const receiver = await startReceiver(t, (n) => (n < 6 ? 503 : 204));
  const { id, secret } = await subscribe(receiver.url, ['report', 'assignment.acknowledged', 'indicator.value_approved']);
  const startId = rows<{ id: number | null }>(databasePath, 'SELECT max(id) AS id FROM changes')[0]!.id ?? 0;

  // Two reports written, submitted, one returned and resubmitted, both approved; an assignment signed for.
  const reports: number[] = [];
  for (const period of ['2024-Q1', '2024-Q2']) {
    const created = await inject('POST', '/api/v1/reports', minzheng, { measureId: measure.id, period, status: 'in_progress', narrative: `${period} 进展` });
    t.equal(created.statusCode, 201);
    reports.push(created.json().id as number);
  }
  for (const report of reports) t.equal((await inject('POST', `/api/v1/reports/${report}/submit`, minzheng)).statusCode, 200);
  t.equal((await inject('POST', `/api/v1/reports/${reports[0]}/return`, coordinator, { note: '请补充台账' })).statusCode, 200);
  t.equal((await inject('POST', `/api/v1/reports/${reports[0]}/submit`, minzheng)).statusCode, 200);
  for (const report of reports) t.equal((await inject('POST', `/api/v1/reports/${report}/approve`, coordinator)).statusCode, 200);
  const unsigned = (await inject('GET', '/api/v1/assignments?unit=北林区&acknowledged=false&limit=1', admin)).json().items[0] as { id: number };
  t.equal((await inject('POST', `/api/v1/assignments/${unsigned.id}/acknowledge`, beilin, { contactName: '王明' })).statusCode, 200);

  const expected = await feedChanges(startId, 'report,assignment.acknowledged,indicator.value_approved');
  t.ok(expected.length >= 7, `${expected.length} changes owed`);
  await eventually(() => new Set(receiver.accepted().map((r) => r.headers['webhook-id'])).size >= expected.length);
  // …and recorded as delivered by the dispatcher, which it does once the receiver has answered.
  await eventually(() => rows(databasePath, "SELECT id FROM webhook_deliveries WHERE state = 'delivered'").length >= expected.length);

  const accepted = receiver.accepted();
  const ids = accepted.map((r) => r.headers['webhook-id']!);
  t.equal(new Set(ids).size, ids.length, 'each webhook-id accepted exactly once');
  t.same(
    accepted.map((r) => messageOf(r).data.id).sort((a, b) => a - b),
    expected,
    'every matching change, and nothing else (no drafts)',
  );
  t.ok(
    receiver.received.some((r) => r.status === 503),
    'some attempts were refused and retried',
  );

  const webhook = new Webhook(secret);
  for (const received of receiver.received) {
    t.doesNotThrow(() => webhook.verify(received.body, received.headers), `${received.headers['webhook-id']} verifies`);
    t.match(received.headers, { 'content-type': 'application/json', 'user-agent': /plan-tracker/, 'webhook-id': /^msg_\d+$/, 'webhook-timestamp': /^\d+$/ });
    const message = messageOf(received);
    t.equal(message.type, message.data.type);
    t.equal(message.timestamp, message.data.at);
  }
  t.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(accepted[0]!.body, accepted[0]!.headers), 'another secret does not verify');

  // In order per resource, over every request (refused ones too): a later change never went out before an earlier one was delivered.
  const byResource = new Map<string, number[]>();
  for (const received of receiver.received) {
    const { data } = messageOf(received);
    const key = `${data.resource.type}/${data.resource.id}`;
    byResource.set(key, [...(byResource.get(key) ?? []), data.id]);
  }
  for (const [resource, sent] of byResource)
    t.same(
      sent,
      [...sent].sort((a, b) => a - b),
      `${resource} in order`,
    );
  t.ok((byResource.get(`report/${reports[0]}`)?.length ?? 0) >= 4, 'the returned report’s changes all went to the receiver');

  const page = (await inject('GET', `/api/v1/webhooks/${id}/deliveries?limit=500`, admin)).json() as {
    items: { webhookId: string; state: string; attempts: { status: number | null; error: string | null; durationMs: number }[]; change: { id: number } }[];
  };
  t.equal(page.items.length, expected.length);
  t.ok(
    page.items.every((d) => d.state === 'delivered' && d.attempts.at(-1)!.status === 204),
    'all delivered, last attempt 204',
  );
  const retried = page.items.filter((d) => d.attempts.length > 1);
  t.ok(retried.length > 0);
  t.match(retried[0]!.attempts[0], { status: 503, error: 'HTTP 503', durationMs: Number });
  const firstTwo = (await inject('GET', `/api/v1/webhooks/${id}/deliveries?limit=2`, admin)).json() as { items: { id: number }[]; nextCursor: number; hasMore: boolean };
  t.equal(firstTwo.hasMore, true);
  const next = (await inject('GET', `/api/v1/webhooks/${id}/deliveries?after=${firstTwo.nextCursor}&limit=500&state=delivered`, admin)).json() as { items: { id: number }[] };
  t.equal(next.items.length, expected.length - 2, 'the cursor resumes after the page');
  t.equal((await inject('GET', `/api/v1/webhooks/${id}/deliveries?state=failed`, admin)).json().items.length, 0);

  const metrics = (await app.inject('/metrics')).body;
  t.match(metrics, /plan_tracker_webhook_attempts_total\{outcome="delivered"\} [1-9]/);
  t.match(metrics, /plan_tracker_webhook_attempts_total\{outcome="failed_attempt"\} [1-9]/);
  t.match(metrics, /plan_tracker_webhook_outbox_depth 0/);
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: admin.headers })).statusCode, 200);
});
