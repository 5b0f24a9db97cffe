import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { writeFingerprint } from '../helpers/db.js';
import { issueKey } from '../helpers/keys.js';

const ALLOWED = 'https://xy.suihua.gov.cn';

t.test('security headers are on every response, JSON and HTML alike', async (t) => {
  const { app } = await buildTestAppWithDatabase(t);
  for (const url of ['/api/v1/plans', '/api/v1/tasks/999999', '/docs/', '/health']) {
    const response = await app.inject({ url });
    t.equal(response.headers['x-content-type-options'], 'nosniff', url);
    t.equal(response.headers['x-frame-options'], 'SAMEORIGIN', url);
    t.match(response.headers['content-security-policy'], /default-src 'self'/, url);
    t.notMatch(response.headers['content-security-policy'], /upgrade-insecure-requests/, `${url}: /docs works over plain HTTP`);
    t.equal(response.headers['x-powered-by'], undefined, url);
  }
});

t.test('CORS answers only the configured origins', async (t) => {
  const { app } = await buildTestAppWithDatabase(t, { corsOrigins: [ALLOWED] });
  const allowed = await app.inject({ url: '/api/v1/plans', headers: { origin: ALLOWED } });
  t.equal(allowed.headers['access-control-allow-origin'], ALLOWED);
  t.match(allowed.headers['access-control-expose-headers'], /ETag/);

  const other = await app.inject({ url: '/api/v1/plans', headers: { origin: 'https://evil.example' } });
  t.equal(other.statusCode, 200, 'the server answers; the browser refuses to hand the body over');
  t.equal(other.headers['access-control-allow-origin'], undefined);

  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/api/v1/reports',
    headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
  });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], ALLOWED);
  t.match(preflight.headers['access-control-allow-headers'], /Idempotency-Key/);
});

t.test('without configured origins no CORS header is sent', async (t) => {
  const { app } = await buildTestAppWithDatabase(t);
  const response = await app.inject({ url: '/api/v1/plans', headers: { origin: ALLOWED } });
  t.equal(response.headers['access-control-allow-origin'], undefined);
});

t.test('the per-address limit answers 429 problem+json with Retry-After, and spares /health', async (t) => {
  const { app } = await buildTestAppWithDatabase(t, { rateLimit: { perAddress: 3, perKey: 0 } });
  const statuses = [];
  for (let i = 0; i < 4; i++) {
    const response = await app.inject({ url: '/api/v1/plans' });
    statuses.push(response.statusCode);
    t.equal(response.headers['ratelimit-limit'], '3');
    t.equal(response.headers['ratelimit-remaining'], String(Math.max(0, 2 - i)));
    if (response.statusCode === 429) {
      t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      t.equal(response.headers['retry-after'], '60');
      t.match(response.json(), { type: '/problems/rate-limited', status: 429, detail: /每分钟最多 3 次请求，请在 \d+ 秒后重试/ });
    }
  }
  t.same(statuses, [200, 200, 200, 429]);
  for (const url of ['/health', '/health?probe=1', '/health/', '/health/?probe=1']) {
    t.equal((await app.inject({ url })).statusCode, 200, `health checks are never throttled (${url})`);
  }
  const elsewhere = await app.inject({ url: '/api/v1/plans', remoteAddress: '10.0.0.7' });
  t.equal(elsewhere.statusCode, 200, 'another address has its own budget');
});

t.test('guessing keys is throttled by address before the key is looked up', async (t) => {
  const { app } = await buildTestAppWithDatabase(t, { rateLimit: { perAddress: 2, perKey: 0 } });
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await app.inject({ url: '/api/v1/reports', headers: { authorization: `Bearer guess${i}` } })).statusCode);
  }
  t.same(statuses, [401, 401, 429]);
});

t.test('the per-key limit counts each key apart, and a throttled write changes nothing', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t, { rateLimit: { perAddress: 0, perKey: 2 } });
  const first = issueKey(databasePath, 'coordinator');
  const second = issueKey(databasePath, 'reader');
  for (let i = 0; i < 2; i++) t.equal((await app.inject({ url: '/api/v1/reports', headers: first.headers })).statusCode, 200);
  const before = writeFingerprint(databasePath);
  const refused = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: first.headers, payload: {} });
  t.equal(refused.statusCode, 429);
  t.same(writeFingerprint(databasePath), before);
  t.equal((await app.inject({ url: '/api/v1/reports', headers: second.headers })).statusCode, 200, 'another key is unaffected');
  t.equal((await app.inject({ url: '/api/v1/plans' })).statusCode, 200, 'anonymous reads are limited by address only');
});
