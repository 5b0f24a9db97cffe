/**
 * GET /reports against an oracle: every filter, alone and combined, for each role, must answer exactly the reports
 * it names and that role may see (another unit's drafts excluded from the items and from `total`), in change
 * order, through offset pages and through the `after` cursor alike.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { issueKey } from '../../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t);
const counties = ((await app.inject('/api/v1/units?limit=500')).json().items as { name: string; kind: string }[])
  .filter((u) => u.kind === 'county_government')
  .map((u) => u.name);
const [unitA, unitB] = counties as [string, string];
const keys = {
  admin: issueKey(databasePath, 'admin'),
  coordinator: issueKey(databasePath, 'coordinator'),
  reporterA: issueKey(databasePath, 'reporter', unitA),
  reporterB: issueKey(databasePath, 'reporter', unitB),
  reader: issueKey(databasePath, 'reader'),
};

/** Setup must succeed; an assertion here would end the root test before the subtests run. */
function ok<R extends { statusCode: number; body: string }>(reply: R, status = 200): R {
  if (reply.statusCode !== status) throw new Error(`setup: ${reply.statusCode} ${reply.body}`);
  return reply;
}

interface Report {
  id: number;
  measureId: number;
  taskId: number;
  unit: { id: number };
  period: string;
  state: string;
  updatedAt: string;
}
interface Page {
  items: Report[];
  total: number;
  nextCursor: string | null;
}

// Each unit reports on the first measures of a few tasks in three periods; some stay drafts, some are submitted,
// approved or returned, and one approval is superseded by a newer one.
// (Counties owe the same measures: the first twelve 北林区 owes.)
const measures = ((await app.inject(`/api/v1/measures?unit=${encodeURIComponent(unitA)}&limit=12`)).json().items as { id: number }[]).map((m) => m.id);
const periods = ['2024', '2024-Q3', '2025-01'];
for (const [unit, key] of [
  [unitA, keys.reporterA],
  [unitB, keys.reporterB],
] as const) {
  const reports = measures.flatMap((measureId, m) =>
    periods.map((period, p) => ({ measureId, period, status: 'in_progress', narrative: `${unit} ${measureId} ${period}`, submit: (m + p) % 3 !== 0 })),
  );
  ok(await app.inject({ method: 'POST', url: '/api/v1/reports/bulk', headers: key.headers, payload: { reports } }));
}
const all = async () => ((await app.inject({ url: '/api/v1/reports?limit=500', headers: keys.admin.headers })).json() as Page).items;
const submitted = (await all()).filter((r) => r.state === 'submitted');
for (const [i, report] of submitted.entries()) {
  if (i % 4 === 3) continue; // stays submitted
  const action = i % 4 === 2 ? { url: 'return', payload: { note: '请补充' } } : { url: 'approve', payload: {} };
  ok(await app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/${action.url}`, headers: keys.coordinator.headers, payload: action.payload }));
}
const approved = (await all()).find((r) => r.state === 'approved')!;
const newer = ok(await app.inject({
  method: 'POST',
  url: '/api/v1/reports',
  headers: keys.admin.headers,
  payload: { measureId: approved.measureId, period: approved.period, unit: String(approved.unit.id), status: 'completed', narrative: '更新', submit: true },
}), 201);
ok(await app.inject({ method: 'POST', url: `/api/v1/reports/${newer.json().id}/approve`, headers: keys.coordinator.headers, payload: {} }));

const everything = await all();
const states = new Set(everything.map((r) => r.state));
if (states.size !== 5) throw new Error(`setup: the data should hold every state, not only ${[...states]}`);
const unitIdOf = { [unitA]: keys.reporterA.unitId!, [unitB]: keys.reporterB.unitId! };
const sample = everything.find((r) => r.unit.id === unitIdOf[unitB] && r.state === 'draft')!;
const since = [...everything].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))[Math.floor(everything.length / 2)]!.updatedAt;

const FILTERS: Record<string, { query: string; matches: (r: Report) => boolean }> = {
  measure: { query: `measure=${sample.measureId}`, matches: (r) => r.measureId === sample.measureId },
  task: { query: `task=${sample.taskId}`, matches: (r) => r.taskId === sample.taskId },
  unit: { query: `unit=${encodeURIComponent(unitB)}`, matches: (r) => r.unit.id === unitIdOf[unitB] },
  period: { query: `period=${sample.period}`, matches: (r) => r.period === sample.period },
  updatedSince: { query: `updatedSince=${since}`, matches: (r) => r.updatedAt >= since },
  ...Object.fromEntries([...states].map((state) => [`state=${state}`, { query: `state=${state}`, matches: (r: Report) => r.state === state }])),
};
const ROLES = {
  admin: () => true,
  coordinator: () => true,
  reporterA: (r: Report) => r.state !== 'draft' || r.unit.id === unitIdOf[unitA],
  reporterB: (r: Report) => r.state !== 'draft' || r.unit.id === unitIdOf[unitB],
  reader: (r: Report) => r.state !== 'draft',
} satisfies Record<keyof typeof keys, (r: Report) => boolean>;

const names = Object.keys(FILTERS);
const combinations: string[][] = [
  [],
  ...names.map((name) => [name]),
  ...names.flatMap((a, i) => names.slice(i + 1).filter((b) => !(a.startsWith('state=') && b.startsWith('state='))).map((b) => [a, b])),
  ['measure', 'unit', 'period', 'state=draft'],
  ['task', 'period', 'updatedSince', 'state=submitted'],
];
const changeOrder = (a: Report, b: Report) => a.updatedAt.localeCompare(b.updatedAt) || a.id - b.id;

for (const [role, sees] of Object.entries(ROLES)) {
  t.test(`as ${role}`, async (t) => {
    const headers = keys[role as keyof typeof keys].headers;
    for (const combination of combinations) {
      const query = combination.map((name) => FILTERS[name]!.query).join('&');
      const expected = everything
        .filter((r) => sees(r) && combination.every((name) => FILTERS[name]!.matches(r)))
        .sort(changeOrder)
        .map((r) => r.id);
      const list = async (extra: string) => {
        const reply = await app.inject({ url: `/api/v1/reports?${query}&${extra}`, headers });
        t.equal(reply.statusCode, 200, reply.body);
        return reply.json() as Page;
      };
      const label = combination.join(' & ') || 'no filter';
      const whole = await list('limit=500');
      t.same(whole.items.map((r) => r.id), expected, `${label}: the items`);
      t.equal(whole.total, expected.length, `${label}: total`);

      const byOffset = await list('limit=4&offset=2');
      t.same(byOffset.items.map((r) => r.id), expected.slice(2, 6), `${label}: an offset page`);
      t.equal(byOffset.total, expected.length, `${label}: total of an offset page`);

      const followed: number[] = [];
      let page = await list('limit=4');
      for (;;) {
        followed.push(...page.items.map((r) => r.id));
        t.equal(page.total, expected.length, `${label}: total along the cursor`);
        if (!page.nextCursor) break;
        page = await list(`limit=4&after=${page.nextCursor}`);
      }
      t.same(followed, expected, `${label}: following the cursor`);
    }
  });
}

t.test('another unit’s drafts are in neither the items nor the total', async (t) => {
  const draftsOfB = everything.filter((r) => r.state === 'draft' && r.unit.id === unitIdOf[unitB]).length;
  t.ok(draftsOfB > 0);
  for (const role of ['reporterA', 'reader'] as const) {
    const reply = (await app.inject({ url: `/api/v1/reports?state=draft&unit=${encodeURIComponent(unitB)}`, headers: keys[role].headers })).json() as Page;
    t.same({ items: reply.items, total: reply.total }, { items: [], total: 0 }, role);
  }
  const own = (await app.inject({ url: `/api/v1/reports?state=draft&unit=${encodeURIComponent(unitB)}`, headers: keys.reporterB.headers })).json() as Page;
  t.equal(own.total, draftsOfB, 'its own reporter sees them');
});
