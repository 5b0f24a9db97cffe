import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t, { webhooks: { allowedHosts: ['hooks.example.gov.cn'], pollIntervalMs: 60_000 } });
const admin = issueKey(databasePath, 'admin');
const coordinator = issueKey(databasePath, 'coordinator');

const subscribe = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: { ...admin.headers, ...headers }, payload: payload as Record<string, unknown> });

t.test('an admin subscribes; the secret is shown once, never again', async (t) => {
  const created = await subscribe({
    url: 'https://hooks.example.gov.cn/plan',
    types: ['report.submitted', 'assignment', 'report.submitted'],
    unit: '市民政局',
    description: '民政局系统',
  });
  t.equal(created.statusCode, 201);
  const { webhook, secret } = created.json() as { webhook: { id: number; types: string[]; unitName: string; active: boolean }; secret: string };
  t.match(secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
  t.equal(Buffer.from(secret.slice(6), 'base64').length, 32, '32 random bytes');
  t.equal(created.headers.location, `/api/v1/webhooks/${webhook.id}`);
  t.same(webhook.types, ['report.submitted', 'assignment'], 'repeats dropped, the family kept as a family');
  t.match(webhook, { unitName: '市民政局', active: true, description: '民政局系统' });

  const read = await app.inject({ url: `/api/v1/webhooks/${webhook.id}`, headers: admin.headers });
  t.equal(read.statusCode, 200);
  t.notOk(read.body.includes(secret.slice(6)), 'GET never shows the secret');
  const list = await app.inject({ url: '/api/v1/webhooks', headers: admin.headers });
  t.notOk(list.body.includes(secret.slice(6)));
  t.ok((list.json().items as { id: number }[]).some((w) => w.id === webhook.id));
  const audit = rows<{ action: string; after: string }>(databasePath, "SELECT action, after FROM audit_events WHERE entity_type = 'webhook'");
  t.same(
    audit.map((a) => a.action),
    ['webhook.create'],
  );
  t.notOk(audit[0]!.after.includes(secret.slice(6)), 'the audit trail holds no secret');

  const disabled = await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${webhook.id}`, headers: admin.headers });
  t.equal(disabled.statusCode, 200);
  t.match(disabled.json(), { active: false, disabledAt: String });
  const again = await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${webhook.id}`, headers: admin.headers });
  t.same(again.json(), disabled.json(), 'disabling twice changes nothing');
  t.equal(rows(databasePath, "SELECT 1 FROM audit_events WHERE action = 'webhook.disable'").length, 1);
  t.equal((await app.inject({ method: 'DELETE', url: '/api/v1/webhooks/99999', headers: admin.headers })).statusCode, 404);
});

t.test('only admins manage webhooks', async (t) => {
  const reporter = issueKey(databasePath, 'reporter', '市民政局');
  for (const key of [coordinator, reporter]) {
    t.equal((await subscribe({ url: 'https://hooks.example.gov.cn/x', types: ['report'] }, key.headers)).statusCode, 403);
    t.equal((await app.inject({ url: '/api/v1/webhooks', headers: key.headers })).statusCode, 403);
    t.equal((await app.inject({ url: '/api/v1/webhooks/1/deliveries', headers: key.headers })).statusCode, 403);
  }
  t.equal((await app.inject({ url: '/api/v1/webhooks' })).statusCode, 401);
});

t.test('unknown types are refused item by item, in Chinese', async (t) => {
  const before = rows(databasePath, 'SELECT id FROM webhook_subscriptions').length;
  const refused = await subscribe({ url: 'https://hooks.example.gov.cn/x', types: ['report.approved', 'report.deleted', 'nonsense'] });
  t.equal(refused.statusCode, 400);
  const fields = (refused.json().errors as { field: string; message: string }[]).map((e) => e.field);
  t.ok(fields.includes('/body/types/1'), 'names the offending item');
  t.match(refused.json().detail, /[\u4e00-\u9fff]/, 'in Chinese');
  t.equal(rows(databasePath, 'SELECT id FROM webhook_subscriptions').length, before, 'nothing stored');
});

t.test('URLs: http(s) only, no credentials or fragment, no internal addresses', async (t) => {
  const before = rows(databasePath, 'SELECT id FROM webhook_subscriptions').length;
  const cases: [string, number, RegExp][] = [
    ['ftp://hooks.example.gov.cn/x', 400, /只接受 http 或 https/],
    ['javascript:alert(1)', 400, /只接受 http 或 https/],
    ['https://user:pw@hooks.example.gov.cn/x', 400, /用户名或密码/],
    ['https://hooks.example.gov.cn/x#frag', 400, /片段/],
    ['not a url', 400, /./],
    ['http://127.0.0.1:8080/x', 422, /内部地址 127\.0\.0\.1/],
    ['http://localhost/x', 422, /内部地址 127\.0\.0\.1/],
    ['http://10.0.0.8/x', 422, /内部地址/],
    ['http://192.168.1.1/x', 422, /内部地址/],
    ['http://169.254.169.254/latest/meta-data', 422, /内部地址/],
    ['http://100.64.0.1/x', 422, /内部地址/],
    ['http://0.0.0.0/x', 422, /内部地址/],
    ['http://[::1]/x', 422, /内部地址/],
    ['http://[fd00::1]/x', 422, /内部地址/],
    ['http://[fe80::1]/x', 422, /内部地址/],
    ['http://[::ffff:127.0.0.1]/x', 422, /内部地址 ::ffff:7f00:1/],
    ['http://[::127.0.0.1]/x', 422, /内部地址 ::7f00:1/],
    ['http://[::a9fe:a9fe]/latest/meta-data', 422, /内部地址 ::a9fe:a9fe/],
    ['http://2130706433/x', 422, /内部地址 127\.0\.0\.1/],
    ['https://no-such-host.invalid/x', 422, /无法解析/],
  ];
  for (const [url, status, said] of cases) {
    const refused = await subscribe({ url, types: ['report'] });
    t.equal(refused.statusCode, status, url);
    t.match(refused.json().detail, said, url);
    t.equal(refused.json().errors?.[0]?.field, '/body/url', url);
  }
  const english = await subscribe({ url: 'http://127.0.0.1/x', types: ['report'] }, { 'accept-language': 'en' });
  t.match(english.json().detail, /internal address 127\.0\.0\.1/);
  t.equal(rows(databasePath, 'SELECT id FROM webhook_subscriptions').length, before, 'nothing stored');
});

t.test('URLs written other than scheme://host[:port]/… are refused; accepted ones are stored in their normal form', async (t) => {
  const before = rows(databasePath, 'SELECT id FROM webhook_subscriptions').length;
  const cases: [string, RegExp][] = [
    ['https://hooks.example.gov.cn:0/x', /端口应为 1–65535/],
    ['https:hooks.example.gov.cn/x', /应以“https:\/\/”加主机名开头/],
    ['https://@hooks.example.gov.cn/x', /用户名或密码/],
    ['https://hooks.example.gov.cn\\x', /反斜杠/],
  ];
  for (const [url, said] of cases) {
    const refused = await subscribe({ url, types: ['report'] });
    t.equal(refused.statusCode, 400, url);
    t.match(refused.json().detail, said, url);
    t.equal(refused.json().errors?.[0]?.field, '/body/url', url);
  }
  t.equal(rows(databasePath, 'SELECT id FROM webhook_subscriptions').length, before, 'nothing stored');

  const created = await subscribe({ url: 'HTTPS://Hooks.Example.GOV.cn:443/a/../normal?x=1', types: ['unit'] });
  t.equal(created.statusCode, 201);
  t.equal(created.json().webhook.url, 'https://hooks.example.gov.cn/normal?x=1', 'shown as it is called');
  const stored = rows<{ url: string }>(databasePath, `SELECT url FROM webhook_subscriptions WHERE id = ${created.json().webhook.id}`);
  t.same(stored, [{ url: 'https://hooks.example.gov.cn/normal?x=1' }], 'and stored so');
});

t.test('an unknown unit is a 422 on the field', async (t) => {
  const refused = await subscribe({ url: 'https://hooks.example.gov.cn/x', types: ['report'], unit: '无此单位' });
  t.equal(refused.statusCode, 422);
  t.equal(refused.json().errors[0].field, '/body/unit');
});

t.test('a collective is refused: changes carry its member units, so it would receive nothing', async (t) => {
  const before = rows(databasePath, 'SELECT id FROM webhook_subscriptions').length;
  for (const unit of ['各县(市、区)人民政府', '中省市直各有关单位']) {
    const refused = await subscribe({ url: 'https://hooks.example.gov.cn/collective', types: ['report'], unit });
    t.equal(refused.statusCode, 422, unit);
    t.equal(refused.json().errors[0].field, '/body/unit');
    t.match(refused.json().detail, /是统称.*成员单位/, unit);
  }
  const english = await subscribe({ url: 'https://hooks.example.gov.cn/collective', types: ['report'], unit: '各县(市、区)人民政府' }, { 'accept-language': 'en' });
  t.match(english.json().detail, /names a collective/);
  t.equal(rows(databasePath, 'SELECT id FROM webhook_subscriptions').length, before, 'nothing stored');
});

t.test('deliveries of an unknown subscription, and of an unknown delivery', async (t) => {
  t.equal((await app.inject({ url: '/api/v1/webhooks/99999/deliveries', headers: admin.headers })).statusCode, 404);
  const created = (await subscribe({ url: 'https://hooks.example.gov.cn/y', types: ['report'] })).json() as { webhook: { id: number } };
  const none = await app.inject({ method: 'POST', url: `/api/v1/webhooks/${created.webhook.id}/deliveries/99999/redeliver`, headers: admin.headers });
  t.equal(none.statusCode, 404);
  await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${created.webhook.id}`, headers: admin.headers });
  const disabled = await app.inject({ method: 'POST', url: `/api/v1/webhooks/${created.webhook.id}/deliveries/1/redeliver`, headers: admin.headers });
  t.equal(disabled.statusCode, 409);
  t.match(disabled.json().detail, /已停用/);
});
