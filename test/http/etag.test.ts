import t from 'tap';
import { strongMatch, weakMatch } from '../../src/http/etag.js';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';

t.test('If-Match compares strongly, If-None-Match weakly (RFC 9110 §8.8.3.2)', async (t) => {
  t.ok(strongMatch('"4.2"', '"4.2"'));
  t.ok(strongMatch('"1.1", "4.2"', '"4.2"'), 'a list');
  t.ok(strongMatch('*', '"4.2"'));
  t.notOk(strongMatch('W/"4.2"', '"4.2"'), 'a weak tag never matches strongly');
  t.notOk(strongMatch('W/"4.2"', 'W/"4.2"'), 'not even a weak tag equal to a weak one');
  t.notOk(strongMatch('"4.3"', '"4.2"'));
  t.ok(weakMatch('W/"4.2"', '"4.2"'));
  t.ok(weakMatch('"4.2"', 'W/"4.2"'));
  t.ok(weakMatch('"x", W/"4.2"', '"4.2"'));
  t.notOk(weakMatch('"4.3"', '"4.2"'));
});

t.test('a write with a weak If-Match is refused with 412 and changes nothing', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const reporter = issueKey(databasePath, 'reporter', '市民政局');
  const coordinator = issueKey(databasePath, 'coordinator');
  const measure = (await app.inject(`/api/v1/measures?unit=${encodeURIComponent('市民政局')}&limit=1`)).json().items[0].id as number;
  const draft = (
    await app.inject({ method: 'POST', url: '/api/v1/reports', headers: reporter.headers, payload: { measureId: measure, period: '2024', status: 'in_progress' } })
  ).json();
  const patch = await app.inject({
    method: 'PATCH',
    url: `/api/v1/reports/${draft.id}`,
    headers: { ...reporter.headers, 'if-match': `W/${draft.etag as string}` },
    payload: { status: 'completed' },
  });
  t.equal(patch.statusCode, 412, 'PATCH of a draft');
  const created = (await app.inject({ method: 'POST', url: `/api/v1/reports/${draft.id}/submit`, headers: { ...reporter.headers, 'if-match': draft.etag } })).json();
  t.equal(created.state, 'submitted', 'the strong tag itself holds for submit');
  for (const action of ['approve', 'return']) {
    const refused = await app.inject({
      method: 'POST',
      url: `/api/v1/reports/${created.id}/${action}`,
      headers: { ...coordinator.headers, 'if-match': `W/${created.etag as string}` },
      payload: { note: '请补充' },
    });
    t.equal(refused.statusCode, 412, action);
  }
  const after = (await app.inject({ url: `/api/v1/reports/${created.id}`, headers: reporter.headers })).json();
  t.match(after, { state: 'submitted', status: 'in_progress', version: created.version }, 'nothing changed');
  const strong = await app.inject({ method: 'POST', url: `/api/v1/reports/${created.id}/approve`, headers: { ...coordinator.headers, 'if-match': created.etag } });
  t.equal(strong.statusCode, 200, 'the strong tag itself holds');
});
