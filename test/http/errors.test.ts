import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { buildTestApp, tempDatabasePath } from '../helpers/app.js';
import { sendRaw } from '../helpers/http.js';

const app = await buildTestApp(t);

/** Every answer to bad input is a 4xx problem+json that names what was wrong; never a 500. */
async function expectProblem(t: Test, url: string, status: number, field?: string) {
  const res = await app.inject(url);
  t.equal(res.statusCode, status, `${url} → ${status}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/, `${url} is problem+json`);
  const body = res.json();
  t.match(body, { type: String, title: String, status, detail: String, instance: String }, `${url} body`);
  t.notMatch(res.body, /at .*\.(ts|js):\d+/, 'no stack trace');
  if (field)
    t.ok(
      body.errors?.some((e: { field: string }) => e.field === field),
      `${url} names ${field}`,
    );
}

t.test('bad pagination', async (t) => {
  await expectProblem(t, '/api/v1/tasks?limit=0', 400, '/querystring/limit');
  await expectProblem(t, '/api/v1/tasks?limit=501', 400, '/querystring/limit');
  await expectProblem(t, '/api/v1/tasks?limit=abc', 400, '/querystring/limit');
  await expectProblem(t, '/api/v1/tasks?limit=1&limit=2', 400, '/querystring/limit');
  await expectProblem(t, '/api/v1/units?offset=-1', 400, '/querystring/offset');
  await expectProblem(t, '/api/v1/measures?offset=1e99', 400, '/querystring/offset');
});

t.test('bad filters', async (t) => {
  await expectProblem(t, '/api/v1/tasks?chapter=x', 400, '/querystring/chapter');
  await expectProblem(t, '/api/v1/tasks?role=boss&unit=1', 400, '/querystring/role');
  await expectProblem(t, '/api/v1/tasks?role=lead', 400, '/querystring/role');
  await expectProblem(t, `/api/v1/tasks?unit=${encodeURIComponent('不存在的单位')}`, 400, '/querystring/unit');
  await expectProblem(t, '/api/v1/measures?unit=999999', 400, '/querystring/unit');
  await expectProblem(t, '/api/v1/milestones?year=20x4', 400, '/querystring/year');
  await expectProblem(t, '/api/v1/indicators?year=99999', 400, '/querystring/year');
  await expectProblem(t, '/api/v1/units?kind=ministry', 400, '/querystring/kind');
  await expectProblem(t, `/api/v1/tasks?q=${'长'.repeat(201)}`, 400, '/querystring/q');
  await expectProblem(t, '/api/v1/tasks?q=', 400, '/querystring/q');
  await expectProblem(t, '/api/v1/tasks?q=%00', 400, '/querystring/q');
  await expectProblem(t, '/api/v1/units?q=a%0Ab', 400, '/querystring/q');
  await expectProblem(t, '/api/v1/tasks?chapterr=1', 400, '/querystring/chapterr');
});

t.test('injection strings are data, not SQL', async (t) => {
  for (const q of ["' OR 1=1 --", '"; DROP TABLE tasks; --', '%_%', '\\', '../../etc/passwd', '😀']) {
    const res = await app.inject(`/api/v1/tasks?q=${encodeURIComponent(q)}`);
    t.equal(res.statusCode, 200, `q=${JSON.stringify(q)}`);
    t.equal(res.json().total, 0, `q=${JSON.stringify(q)} matches nothing`);
  }
  const unit = await app.inject(`/api/v1/tasks?unit=${encodeURIComponent('1 OR 1=1')}`);
  t.equal(unit.statusCode, 400);
  const after = await app.inject('/api/v1/tasks?limit=1');
  t.equal(after.json().total, 75, 'the tasks are all still there');
});

t.test('unknown resources and routes', async (t) => {
  await expectProblem(t, '/api/v1/units/424242', 404);
  await expectProblem(t, '/api/v1/measures/0', 400, '/params/id');
  await expectProblem(t, '/api/v1/plans/-1', 400, '/params/id');
  await expectProblem(t, '/api/v1/tasks/%2e%2e%2f', 400, '/params/id');
  await expectProblem(t, '/api/v1/nowhere', 404);
  await expectProblem(t, '/api/v2/tasks', 404);
});

t.test('methods the API does not take, and amendments without a key', async (t) => {
  const put = await app.inject({ method: 'PUT', url: '/api/v1/tasks/1', payload: { title: 'x' } });
  t.equal(put.statusCode, 404);
  t.match(put.headers['content-type'], /^application\/problem\+json/);
  // Adding and retiring tasks are amendments: they need an admin's or coordinator's key.
  const post = await app.inject({ method: 'POST', url: '/api/v1/tasks', payload: { title: 'x' } });
  t.equal(post.statusCode, 401);
  const del = await app.inject({ method: 'DELETE', url: '/api/v1/tasks/1' });
  t.equal(del.statusCode, 401);
  t.equal((await app.inject('/api/v1/tasks?limit=1')).json().total, 75, 'nothing changed');
});

t.test('request ids are echoed, or generated when absent or unsafe', async (t) => {
  const given = await app.inject({ url: '/health', headers: { 'x-request-id': 'script-42.a' } });
  t.equal(given.headers['x-request-id'], 'script-42.a');
  const unsafe = await app.inject({ url: '/health', headers: { 'x-request-id': 'a b<script>' } });
  t.match(unsafe.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  const none = await app.inject('/health');
  t.match(none.headers['x-request-id'], /^[0-9a-f-]{36}$/);
});

t.test('requests the HTTP parser refuses are answered with problem+json too', async (t) => {
  const server = await buildApp({ databasePath: tempDatabasePath(t), logLevel: 'silent' });
  t.teardown(() => server.close());
  await server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.server.address() as { port: number };
  const unencoded = await sendRaw(port, Buffer.from('GET /api/v1/reports?unit=市民政局 HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8'));
  t.match(unencoded, /^HTTP\/1\.1 400 /);
  t.match(unencoded, /Content-Type: application\/problem\+json/);
  t.match(JSON.parse(unencoded.split('\r\n\r\n')[1]!), { status: 400, detail: /百分号编码/ });
  const hugeHeader = await sendRaw(port, Buffer.from(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
  t.match(hugeHeader, /^HTTP\/1\.1 431 /);
});
