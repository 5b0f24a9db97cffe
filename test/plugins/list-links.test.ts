/**
 * Every list sends RFC 8288 `Link` headers for its next and previous pages, keeping the request's filters; lists
 * with a cursor page by it; a cached catalogue answer carries the same header.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t);
const admin = issueKey(databasePath, 'admin');
const county = issueKey(databasePath, 'reporter', '北林区');

/** `{ next: url, prev: url }` from a Link header. */
function links(header: string | string[] | number | undefined): Record<string, string> {
  return Object.fromEntries([...String(header ?? '').matchAll(/<([^>]+)>;\s*rel="(\w+)"/g)].map((m) => [m[2]!, m[1]!]));
}

t.test('offset lists: next while there is more, prev after the first page, filters kept', async (t) => {
  const first = await app.inject('/api/v1/tasks?limit=10');
  t.same(links(first.headers.link), { next: '/api/v1/tasks?limit=10&offset=10' });
  const middle = await app.inject('/api/v1/tasks?limit=10&offset=10');
  t.same(links(middle.headers.link), { next: '/api/v1/tasks?limit=10&offset=20', prev: '/api/v1/tasks?limit=10&offset=0' });
  const last = await app.inject('/api/v1/tasks?limit=10&offset=70');
  t.same(links(last.headers.link), { prev: '/api/v1/tasks?limit=10&offset=60' }, '75 tasks: no page after the eighth');
  const cached = await app.inject('/api/v1/tasks?limit=10&offset=10');
  t.equal(cached.headers.link, middle.headers.link, 'the kept answer carries its links');
  const whole = await app.inject('/api/v1/tasks?limit=500');
  t.equal(whole.headers.link, undefined, 'one page: no links');

  const filtered = await app.inject(`/api/v1/measures?unit=${encodeURIComponent('北林区')}&limit=20&offset=20`);
  const { next, prev } = links(filtered.headers.link);
  t.equal(new URL(next!, 'http://x').searchParams.get('unit'), '北林区', 'the filter is kept');
  t.equal(new URL(prev!, 'http://x').searchParams.get('offset'), '0');
  // Following the links walks the whole list.
  const seen: number[] = [];
  for (let url: string | undefined = `/api/v1/measures?unit=${encodeURIComponent('北林区')}&limit=20`; url;) {
    const page: Awaited<ReturnType<typeof app.inject>> = await app.inject(url);
    seen.push(...(page.json().items as { id: number }[]).map((m) => m.id));
    url = links(page.headers.link).next;
  }
  t.equal(seen.length, (await app.inject(`/api/v1/measures?unit=${encodeURIComponent('北林区')}&limit=500`)).json().total);
  t.equal(new Set(seen).size, seen.length, 'each once');
});

t.test('cursor lists page by their cursor', async (t) => {
  const measure = (await app.inject(`/api/v1/measures?unit=${encodeURIComponent('北林区')}&limit=1`)).json().items[0].id as number;
  for (const period of ['2024-Q1', '2024-Q2', '2024-Q3']) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: county.headers, payload: { measureId: measure, period, status: 'in_progress' } });
    t.equal(res.statusCode, 201);
  }
  const first = await app.inject({ url: '/api/v1/reports?limit=2', headers: admin.headers });
  const next = links(first.headers.link).next!;
  t.equal(new URL(next, 'http://x').searchParams.get('after'), first.json().nextCursor);
  const second = await app.inject({ url: next, headers: admin.headers });
  t.equal(second.json().items.length, 1);
  t.same(links(second.headers.link), {}, 'the last page has no next');
  const audit = await app.inject({ url: '/api/v1/audit-events?limit=1', headers: admin.headers });
  t.equal(new URL(links(audit.headers.link).next!, 'http://x').searchParams.get('after'), String(audit.json().nextCursor), 'a numeric cursor too');
});
