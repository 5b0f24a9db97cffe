/**
 * A retried POST /webhooks (its answer lost) must not make a twin subscription, which would deliver every message
 * twice under different webhook-ids: under the same Idempotency-Key it answers the first answer again; without one,
 * an active subscription like it is a 409 naming it.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t, { webhooks: { allowedHosts: ['hooks.example.gov.cn'], pollIntervalMs: 60_000 } });
const admin = issueKey(databasePath, 'admin');

const subscribe = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: { ...admin.headers, ...headers }, payload });
const stored = (url: string) => rows<{ id: number }>(databasePath, `SELECT id FROM webhook_subscriptions WHERE url = '${url}'`).length;

t.test('the same Idempotency-Key and body answer the first answer again, secret included; nothing new is made', async (t) => {
  const body = { url: 'https://hooks.example.gov.cn/keyed', types: ['report', 'assignment'], unit: '市民政局' };
  const key = { 'idempotency-key': 'subscribe-keyed-1' };
  const first = await subscribe(body, key);
  t.equal(first.statusCode, 201);
  t.notOk(first.headers['idempotent-replayed']);
  const again = await subscribe({ unit: '市民政局', types: ['report', 'assignment'], url: 'https://hooks.example.gov.cn/keyed' }, key);
  t.equal(again.statusCode, 201);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.same(again.json(), first.json(), 'the same subscription and the same secret');
  t.equal(again.headers.location, first.headers.location);
  t.equal(stored('https://hooks.example.gov.cn/keyed'), 1, 'one subscription');
  t.equal(rows(databasePath, "SELECT 1 FROM audit_events WHERE action = 'webhook.create' AND entity_id = ?", first.json().webhook.id).length, 1);
  const secret = (first.json() as { secret: string }).secret.slice(6);
  t.notOk(
    rows<{ body: string }>(databasePath, 'SELECT body FROM idempotency_records').some((r) => r.body.includes(secret)),
    'the secret is kept in one place only',
  );

  const other = await subscribe({ ...body, types: ['report'] }, key);
  t.equal(other.statusCode, 422, 'another body under the same key');
  t.equal(other.json().type.endsWith('idempotency-key-reused'), true, other.json().type);
  t.match(other.json().detail, /已用于另一个不同的请求/);
  t.equal(stored('https://hooks.example.gov.cn/keyed'), 1);

  const malformed = await subscribe(body, { 'idempotency-key': 'has space' });
  t.equal(malformed.statusCode, 400);
});

t.test('two retries racing under one key make one subscription', async (t) => {
  const body = { url: 'https://hooks.example.gov.cn/raced', types: ['report'] };
  const key = { 'idempotency-key': 'subscribe-raced' };
  const [a, b] = await Promise.all([subscribe(body, key), subscribe(body, key)]);
  t.same([a.statusCode, b.statusCode], [201, 201]);
  t.same(a.json(), b.json());
  t.same([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].sort(), ['true', undefined].sort());
  t.equal(stored('https://hooks.example.gov.cn/raced'), 1);
});

t.test('without a key, a twin of an active subscription is a 409 naming it; until it is disabled', async (t) => {
  const first = await subscribe({ url: 'https://hooks.example.gov.cn/twin', types: ['report.submitted', 'unit'], unit: '市民政局' });
  t.equal(first.statusCode, 201);
  const { id } = first.json().webhook as { id: number };

  const twin = await subscribe({ url: 'HTTPS://hooks.example.gov.cn:443/twin', types: ['unit', 'report.submitted', 'unit'], unit: '市民政局', description: '重试' });
  t.equal(twin.statusCode, 409, 'the same URL (spelt otherwise), types (in another order) and unit');
  t.match(twin.json().detail, new RegExp(`已有推送订阅 ${id} .*如需新的密钥，请先停用订阅 ${id}`));
  const english = await subscribe({ url: 'https://hooks.example.gov.cn/twin', types: ['report.submitted', 'unit'], unit: '市民政局' }, { 'accept-language': 'en' });
  t.match(english.json().detail, new RegExp(`webhook ${id} already sends .* To get a new secret, disable webhook ${id}`));
  const otherKey = issueKey(databasePath, 'admin');
  const keyed = await subscribe(
    { url: 'https://hooks.example.gov.cn/twin', types: ['report.submitted', 'unit'], unit: '市民政局' },
    { ...otherKey.headers, 'idempotency-key': 'fresh' },
  );
  t.equal(keyed.statusCode, 409, 'a fresh key makes no twin either');
  t.equal(stored('https://hooks.example.gov.cn/twin'), 1, 'nothing stored');

  const [racedA, racedB] = await Promise.all([
    subscribe({ url: 'https://hooks.example.gov.cn/twin-raced', types: ['report'] }),
    subscribe({ url: 'https://hooks.example.gov.cn/twin-raced', types: ['report'] }),
  ]);
  t.same([racedA.statusCode, racedB.statusCode].sort(), [201, 409], 'two at once: one is made');

  t.equal((await subscribe({ url: 'https://hooks.example.gov.cn/twin', types: ['report.submitted', 'unit'] })).statusCode, 201, 'every unit is another subscription');
  t.equal((await subscribe({ url: 'https://hooks.example.gov.cn/twin', types: ['report.submitted'], unit: '市民政局' })).statusCode, 201, 'other types too');
  t.equal((await subscribe({ url: 'https://hooks.example.gov.cn/twin', types: ['report.submitted', 'unit'], unit: '市财政局' })).statusCode, 201, 'another unit too');

  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: admin.headers })).statusCode, 200);
  const renewed = await subscribe({ url: 'https://hooks.example.gov.cn/twin', types: ['report.submitted', 'unit'], unit: '市民政局' });
  t.equal(renewed.statusCode, 201, 'once disabled, subscribing again gives a new secret');
  t.not(renewed.json().secret, first.json().secret);
});
