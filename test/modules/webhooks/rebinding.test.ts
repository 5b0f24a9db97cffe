/**
 * DNS rebinding: a name that resolved to a public address when subscribed may resolve inside the network later. The
 * destination is checked again before every attempt, and nothing is sent there.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { issueKey } from '../../helpers/keys.js';
import { eventually, QUICK_WEBHOOKS } from '../../helpers/webhook-receiver.js';

let addresses = ['93.184.216.34'];
const { app, databasePath } = await buildTestAppWithDatabase(t, { webhooks: { ...QUICK_WEBHOOKS, allowedHosts: [] }, webhookLookup: async () => addresses });
const admin = issueKey(databasePath, 'admin');
const minzheng = issueKey(databasePath, 'reporter', '市民政局');

t.test('a name that now resolves inside the network gets nothing', async (t) => {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: admin.headers,
    payload: { url: 'http://hooks.example.gov.cn/in', types: ['report.submitted'] },
  });
  t.equal(created.statusCode, 201, 'public when subscribed');
  const id = created.json().webhook.id as number;

  addresses = ['127.0.0.1'];
  const measure = ((await app.inject('/api/v1/measures?unit=市民政局&limit=500')).json().items as { id: number; taskNo: number }[]).find((m) => m.taskNo === 4)!;
  const report = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: minzheng.headers,
    payload: { measureId: measure.id, period: '2024-Q1', status: 'in_progress', submit: true },
  });
  t.equal(report.statusCode, 201);
  const attempts = async () =>
    ((await app.inject({ url: `/api/v1/webhooks/${id}/deliveries`, headers: admin.headers })).json().items[0]?.attempts ?? []) as { status: number | null; error: string }[];
  await eventually(async () => (await attempts()).length >= 1);
  const [first] = await attempts();
  t.equal(first!.status, null, 'no request was made');
  t.match(first!.error, /^refused: "hooks\.example\.gov\.cn" points to the internal address 127\.0\.0\.1/);
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: admin.headers, payload: { url: 'http://hooks.example.gov.cn/again', types: ['report'] } })).statusCode,
    422,
    'nor can it be subscribed now',
  );
});
