/**
 * The plan-catalogue cache (src/plugins/catalogue-cache.ts), through the real app. The catalogue is loaded at
 * start-up and has no write API, so it cannot change while the server runs; that is why serving a kept answer is
 * right. These tests change a row behind the server's back (a second SQLite connection) only to see, through
 * behaviour, whether an answer came from memory (the old text) or from the handler (the new text).
 */
import Database from 'better-sqlite3';
import t from 'tap';
import { buildTestApp, buildTestAppWithDatabase } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';

/** Runs one statement on the app's database file over a connection of its own. */
function changeBehindTheServer(databasePath: string, sql: string, ...params: unknown[]): void {
  const db = new Database(databasePath);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

const renameTask = (databasePath: string, id: number, title: string) => changeBehindTheServer(databasePath, 'UPDATE tasks SET title = ? WHERE id = ?', title, id);

t.test('a repeated GET is answered from memory, byte for byte, without running the handler', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const first = await app.inject('/api/v1/tasks/4');
  t.equal(first.statusCode, 200);
  t.match(first.headers.etag, /^"[\w.-]+"$/, 'a strong ETag');
  t.equal(first.headers['cache-control'], 'no-cache', 'clients may store it but must revalidate');

  renameTask(databasePath, 4, '改过的任务标题');
  const second = await app.inject('/api/v1/tasks/4');
  t.equal(second.statusCode, 200);
  t.equal(second.body, first.body, 'the same bytes: the handler did not read the changed row');
  t.equal(second.headers['content-type'], first.headers['content-type']);
  t.equal(second.headers.etag, first.headers.etag);
  t.equal(second.headers['cache-control'], 'no-cache');
});

t.test('a different query string is a different entry, even when it means the same', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const first = await app.inject('/api/v1/tasks?limit=5');
  const task = first.json().items[0] as { id: number; title: string };
  renameTask(databasePath, task.id, '改过的任务标题');

  t.equal((await app.inject('/api/v1/tasks?limit=5')).body, first.body, 'the same URL: from memory');
  const spelledOut = await app.inject('/api/v1/tasks?limit=5&offset=0');
  t.equal(spelledOut.json().items[0].title, '改过的任务标题', 'another URL: answered by the handler');
});

t.test('If-None-Match naming the ETag gets a bodiless 304', async (t) => {
  const app = await buildTestApp(t);
  const url = '/api/v1/units?kind=county_government';
  const { headers } = await app.inject(url);
  const etag = String(headers.etag);

  for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const revalidated = await app.inject({ url, headers: { 'if-none-match': ifNoneMatch } });
    t.equal(revalidated.statusCode, 304, ifNoneMatch);
    t.equal(revalidated.body, '', 'no body');
    t.equal(revalidated.headers.etag, etag);
    t.equal(revalidated.headers['cache-control'], 'no-cache');
    t.equal(revalidated.headers['content-type'], undefined, 'no representation metadata on a 304');
  }

  const stale = await app.inject({ url, headers: { 'if-none-match': '"something-else"' } });
  t.equal(stale.statusCode, 200, 'another ETag gets the whole answer');
  t.equal(stale.headers.etag, etag);
  t.ok(stale.json().items.length > 0);

  const firstAsk = await app.inject({ url: '/api/v1/plans/1', headers: { 'if-none-match': '*' } });
  t.equal(firstAsk.statusCode, 304, 'a conditional GET of a URL not yet in memory is answered 304 too');
  t.ok(firstAsk.headers.etag);
});

t.test('errors are not kept: the next request asks the handler again', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const missing = await app.inject('/api/v1/plans/2');
  t.equal(missing.statusCode, 404);
  t.equal(missing.headers.etag, undefined);
  changeBehindTheServer(
    databasePath,
    `INSERT INTO plans (id, code, title, issuer, published_on, start_year, end_year, source_file)
     VALUES (2, 'next-plan', '下一个规划', '绥化市', '2026-01-01', 2026, 2030, 'next.docx')`,
  );
  t.equal((await app.inject('/api/v1/plans/2')).statusCode, 200, 'the 404 was not served again');

  const url = `/api/v1/tasks?unit=${encodeURIComponent('新设的单位')}`;
  const unknownUnit = await app.inject(url);
  t.equal(unknownUnit.statusCode, 400);
  t.equal(unknownUnit.headers.etag, undefined);
  changeBehindTheServer(databasePath, 'UPDATE units SET name = ? WHERE name = ?', '新设的单位', '市民政局');
  t.equal((await app.inject(url)).statusCode, 200, 'the 400 was not served again');
});

t.test('at most maxEntries answers are kept: the least recently used goes first', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t, { catalogueCache: { maxEntries: 2, maxBytes: 32 * 1024 * 1024 } });
  const [one, two] = [await app.inject('/api/v1/tasks/1'), await app.inject('/api/v1/tasks/2')];
  await app.inject('/api/v1/tasks/3'); // evicts /tasks/1
  renameTask(databasePath, 1, '改过的任务一');
  renameTask(databasePath, 3, '改过的任务三');

  t.not((await app.inject('/api/v1/tasks/3')).json().title, '改过的任务三', '/tasks/3 is still in memory');
  const again = await app.inject('/api/v1/tasks/1');
  t.equal(again.json().title, '改过的任务一', '/tasks/1 was evicted: the handler answered');
  // A record's ETag is the plan's version (its amendments): a row changed behind the server's back is no amendment.
  t.equal(again.headers.etag, one.headers.etag, 'and its ETag is still the plan version');

  // Keeping /tasks/1 again evicted /tasks/2; its row never changed, so its ETag still holds.
  const revalidated = await app.inject({ url: '/api/v1/tasks/2', headers: { 'if-none-match': String(two.headers.etag) } });
  t.equal(revalidated.statusCode, 304, 'an ETag outlives its entry while the body it names is still the answer');
});

t.test('at most maxBytes are kept: an answer that does not fit evicts older ones', async (t) => {
  const [small, large] = ['/api/v1/plans/1', '/api/v1/tasks?limit=500'];
  const probe = await buildTestApp(t);
  const size = async (url: string) => Buffer.byteLength((await probe.inject(url)).body) + url.length;
  const [smallSize, largeSize] = [await size(small), await size(large)];
  t.ok(smallSize < largeSize);

  // Room for either answer, not for both.
  const { app, databasePath } = await buildTestAppWithDatabase(t, { catalogueCache: { maxEntries: 100, maxBytes: smallSize + largeSize - 1 } });
  await app.inject(small);
  const list = await app.inject(large);
  const firstTask = list.json().items[0] as { id: number };
  // A longer title: the plan's answer only grows, so it still cannot share the room with the list.
  changeBehindTheServer(databasePath, "UPDATE plans SET title = '改过的规划标题' || title WHERE id = 1");
  renameTask(databasePath, firstTask.id, '改过的任务标题');

  t.ok((await app.inject(large)).body === list.body, 'the newer answer is in memory');
  t.match((await app.inject(small)).json().title, /^改过的规划标题/, 'the older one was evicted to make room');
  t.equal((await app.inject(large)).json().items[0].title, '改过的任务标题', 'and keeping it again evicted the list');
});

t.test('REQUIRE_AUTH_FOR_READS still refuses anonymous callers a URL that is in memory', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t, { requireAuthForReads: true });
  const reader = issueKey(databasePath, 'reader');
  const url = '/api/v1/plans';
  const kept = await app.inject({ url, headers: reader.headers });
  t.equal(kept.statusCode, 200);
  t.equal((await app.inject({ url, headers: reader.headers })).body, kept.body);

  const anonymous = await app.inject(url);
  t.equal(anonymous.statusCode, 401);
  t.match(anonymous.headers['content-type'], /application\/problem\+json/);
  t.equal(anonymous.headers.etag, undefined);
  const conditional = await app.inject({ url, headers: { 'if-none-match': String(kept.headers.etag) } });
  t.equal(conditional.statusCode, 401, 'knowing the ETag does not help');

  // One entry serves every caller: the roles only gate access, the catalogue reads the same for all.
  const coordinator = issueKey(databasePath, 'coordinator');
  t.equal((await app.inject({ url, headers: coordinator.headers })).body, kept.body);
});

t.test('an answer from memory still carries the request id, security and rate-limit headers', async (t) => {
  const app = await buildTestApp(t, { rateLimit: { perAddress: 100, perKey: 100 } });
  const url = '/api/v1/milestones?year=2024';
  const first = await app.inject({ url, headers: { 'x-request-id': 'first-ask' } });
  const second = await app.inject({ url, headers: { 'x-request-id': 'second-ask' } });
  t.equal(second.body, first.body);
  t.equal(second.headers['x-request-id'], 'second-ask');
  t.equal(second.headers['x-content-type-options'], 'nosniff');
  t.match(second.headers['content-security-policy'], /default-src 'self'/);
  t.equal(second.headers['ratelimit-limit'], '100');
  t.equal(Number(second.headers['ratelimit-remaining']), Number(first.headers['ratelimit-remaining']) - 1, 'the request was counted');
  const notModified = await app.inject({ url, headers: { 'x-request-id': 'third-ask', 'if-none-match': String(first.headers.etag) } });
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.headers['x-request-id'], 'third-ask');
  t.equal(notModified.headers['ratelimit-limit'], '100');
});

t.test('monitoring, exports and reports answer afresh every time', async (t) => {
  const now = new Date('2024-07-01T02:00:00Z');
  const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => now });
  const reporter = issueKey(databasePath, 'reporter', '市民政局');
  const coordinator = issueKey(databasePath, 'coordinator');
  const measure = (await app.inject(`/api/v1/measures?unit=${encodeURIComponent('市民政局')}&limit=1`)).json().items[0] as { id: number };

  // The unit's 2024 obligation on the measure: the approved report completes it.
  const dashboardUrl = '/api/v1/dashboard?year=2024';
  const before = await app.inject(dashboardUrl);
  t.equal(before.headers.etag, undefined, 'the dashboard is not kept');
  const reportsBefore = (await app.inject({ url: '/api/v1/reports', headers: coordinator.headers })).json().total as number;
  const posted = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: reporter.headers,
    payload: { measureId: measure.id, period: '2024', status: 'completed', submit: true },
  });
  t.equal(posted.statusCode, 201, 'a completed 2024 report');
  const approved = await app.inject({ method: 'POST', url: `/api/v1/reports/${posted.json().id}/approve`, headers: coordinator.headers, payload: {} });
  t.equal(approved.statusCode, 200, 'approved');

  const after = await app.inject(dashboardUrl);
  t.equal(after.json().obligations.completed, before.json().obligations.completed + 1, 'the approved report shows up at once');
  t.equal((await app.inject({ url: '/api/v1/reports', headers: coordinator.headers })).json().total, reportsBefore + 1);

  for (const url of ['/api/v1/units/3/scorecard', '/api/v1/chapters/1/progress', '/api/v1/follow-ups', '/api/v1/indicators/1/series']) {
    const answer = await app.inject(url);
    t.equal(answer.statusCode, 200, url);
    t.equal(answer.headers.etag, undefined, `${url} is not kept`);
  }

  const csv = '/api/v1/exports/breakdown.csv';
  t.equal((await app.inject(csv)).statusCode, 200);
  renameTask(databasePath, 4, '改过的任务标题');
  t.ok((await app.inject(csv)).body.includes('改过的任务标题'), 'the export reads the plan afresh');
});
