import Database from 'better-sqlite3';
import t from 'tap';
import { buildApp } from '../../../src/app.js';
import { SCAN_WINDOW } from '../../../src/modules/changes/repository.js';
import { tempDatabasePath } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

/**
 * A consumer follows the change feed through writes (single, concurrent in one group commit, and a bulk import on
 * its own connection), a server restart and a resumed cursor: it sees every change once, in commit order, and no
 * other unit's drafts.
 */
interface Change {
  id: number;
  type: string;
  at: string;
  resource: { type: string; id: number; href: string };
  unitId: number | null;
  state: { state?: string; unit?: { id: number } } & Record<string, unknown>;
}
type Key = { headers: Record<string, string> } | undefined;

const databasePath = tempDatabasePath(t);
let clock = new Date('2024-04-02T01:00:00Z');
const start = () => buildApp({ databasePath, logLevel: 'silent', now: () => clock });
let app = await start();
t.teardown(() => app.close());

const civil = issueKey(databasePath, 'reporter', '市民政局');
const beilin = issueKey(databasePath, 'reporter', '北林区');
const reader = issueKey(databasePath, 'reader');
const coordinator = issueKey(databasePath, 'coordinator');
const admin = issueKey(databasePath, 'admin');

const get = async <T>(url: string, key?: Key) => {
  const res = await app.inject({ url, headers: key?.headers ?? {} });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
};
const post = async (url: string, key: Key, payload: object = {}, headers: Record<string, string> = {}) => {
  const res = await app.inject({ method: 'POST', url, headers: { ...key?.headers, ...headers }, payload });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: number } & Record<string, unknown>;
};

/** Reads the feed from `cursor` to its end, a page of `limit` at a time, as a consumer does. */
async function follow(cursor: number, key?: Key, query = '', limit = 7) {
  const seen: Change[] = [];
  for (;;) {
    const page = await get<{ items: Change[]; nextCursor: number; hasMore: boolean }>(`/api/v1/changes?after=${cursor}&limit=${limit}${query}`, key);
    seen.push(...page.items);
    t.ok(page.nextCursor >= cursor, 'the cursor never goes back');
    cursor = page.nextCursor;
    if (!page.hasMore) return { seen, cursor };
  }
}

const civilMeasures = (await get<{ items: { id: number }[] }>(`/api/v1/measures?unit=${encodeURIComponent('市民政局')}&limit=20`)).items.map((m) => m.id);
const beilinMeasures = (await get<{ items: { id: number }[] }>(`/api/v1/measures?unit=${encodeURIComponent('北林区')}&limit=20`)).items.map((m) => m.id);
const indicator = (await get<{ items: { id: number; key: string; measureId: number }[] }>('/api/v1/indicators?limit=500')).items.find(
  (i) => i.key === 'gov-integrity-commitment-rate',
)!;

const seenBy = { coordinator: [] as Change[], civil: [] as Change[], reader: [] as Change[] };
const cursors = { coordinator: 0, civil: 0, reader: 0 };
async function catchUp() {
  for (const [who, key] of [
    ['coordinator', coordinator],
    ['civil', civil],
    ['reader', reader],
  ] as const) {
    const { seen, cursor } = await follow(cursors[who], key);
    seenBy[who].push(...seen);
    cursors[who] = cursor;
  }
}

t.test('a draft is its unit’s until submitted; writes appear in commit order', async (t) => {
  const draft = await post('/api/v1/reports', civil, { measureId: civilMeasures[0], period: '2024-Q1', status: 'in_progress', narrative: '草稿' });
  // Writes handled in one turn share one group commit: their changes keep the order the writes were made in.
  const together = await Promise.all([
    ...civilMeasures.slice(1, 4).map((measureId) => post('/api/v1/reports', civil, { measureId, period: '2024-Q1', status: 'completed', submit: true })),
    ...beilinMeasures.slice(0, 3).map((measureId) => post('/api/v1/reports', beilin, { measureId, period: '2024-Q1', status: 'in_progress' })),
  ]);
  await catchUp();
  const civilSees = seenBy.civil.filter((c) => c.resource.type === 'report' && c.resource.id === draft.id);
  t.same(
    civilSees.map((c) => [c.type, c.state.state]),
    [['report.created', 'draft']],
    'the drafting unit sees its draft',
  );
  t.notOk(
    seenBy.reader.some((c) => c.state.state === 'draft'),
    'a reader sees no draft',
  );
  t.notOk(
    seenBy.civil.some((c) => c.state.state === 'draft' && c.unitId !== civil.unitId),
    'a unit sees no other unit’s draft',
  );
  // The draft, the three created before their submission in the same request, and 北林区's three.
  t.equal(seenBy.coordinator.filter((c) => c.state.state === 'draft').length, 1 + 3 + 3, 'a coordinator sees every draft');
  for (const report of together.slice(0, 3)) {
    t.same(
      seenBy.reader.filter((c) => c.resource.id === report.id && c.resource.type === 'report').map((c) => c.type),
      ['report.submitted'],
      'a draft submitted at once shows from its submission',
    );
    t.same(
      seenBy.coordinator.filter((c) => c.resource.id === report.id && c.resource.type === 'report').map((c) => c.type),
      ['report.created', 'report.submitted'],
    );
  }

  await post(`/api/v1/reports/${draft.id}/submit`, civil);
  await catchUp();
  t.same(
    seenBy.reader.filter((c) => c.resource.id === draft.id && c.resource.type === 'report').map((c) => [c.type, c.state.state]),
    [['report.submitted', 'submitted']],
    'once submitted, everyone sees it',
  );
  t.equal(seenBy.reader.at(-1)!.resource.href, `/api/v1/reports/${draft.id}`);
});

t.test('reviews, indicator values, sign-for, amendments and units are changes too', async (t) => {
  // 市民政局 owes task 1's measure through 中省市直各有关单位, and gives its own commitment rate.
  const lead = await post('/api/v1/reports', civil, {
    measureId: indicator.measureId,
    period: '2024',
    status: 'completed',
    indicatorValues: [{ indicatorId: indicator.id, value: 81.5 }],
    submit: true,
  });
  await post(`/api/v1/reports/${lead.id}/approve`, coordinator);
  const toReturn = seenBy.coordinator.find((c) => c.type === 'report.submitted')!;
  await post(`/api/v1/reports/${toReturn.resource.id}/return`, coordinator, { note: '请补充佐证材料' });
  const assignment = (await get<{ items: { id: number }[] }>(`/api/v1/assignments?unit=${encodeURIComponent('北林区')}&acknowledged=false&limit=1`, beilin)).items[0]!;
  await post(`/api/v1/assignments/${assignment.id}/acknowledge`, beilin, { contactName: '王明' });
  const amended = await app.inject({
    method: 'PATCH',
    url: '/api/v1/measures/3',
    headers: { ...admin.headers, 'if-match': '*' },
    payload: { text: '改写后的措施', reason: '中期评估' },
  });
  t.equal(amended.statusCode, 200, amended.body);
  await post('/api/v1/units/1/rename', admin, { name: '市营商环境建设监督局', reason: '机构改革' }, { 'if-match': '*' });
  // An amendment that gives a measure to 北林区 too: the assignment it adds is a change like one added by hand.
  const owners = await app.inject({
    method: 'PATCH',
    url: '/api/v1/measures/4',
    headers: { ...admin.headers, 'if-match': '*' },
    payload: { owners: ['市民政局', '北林区'], reason: '北林区协同' },
  });
  t.equal(owners.statusCode, 200, owners.body);
  await catchUp();

  const last = (type: string) => seenBy.reader.filter((c) => c.type === type).at(-1);
  t.match(last('report.approved'), { resource: { type: 'report', id: lead.id }, state: { state: 'approved' } });
  t.match(last('indicator.value_approved'), {
    resource: { type: 'indicator', id: indicator.id, href: `/api/v1/indicators/${indicator.id}` },
    state: { value: 81.5, period: '2024', reportId: lead.id },
  });
  t.match(last('report.returned'), { resource: { id: toReturn.resource.id }, state: { state: 'returned', reviewNote: '请补充佐证材料' } });
  t.match(last('assignment.acknowledged'), {
    resource: { type: 'assignment', id: assignment.id, href: `/api/v1/assignments/${assignment.id}` },
    unitId: beilin.unitId,
    state: { acknowledged: { contactName: '王明' } },
  });
  t.match(seenBy.reader.filter((c) => c.type === 'plan.revised').at(-2), { resource: { type: 'measure', id: 3, href: '/api/v1/measures/3' }, state: { text: '改写后的措施' } });
  t.match(last('unit.changed'), { resource: { type: 'unit', id: 1 }, unitId: 1, state: { name: '市营商环境建设监督局' } });
  t.match(last('assignment.added'), { unitId: beilin.unitId, state: { measure: { id: 4 }, unit: { name: '北林区' }, reason: /北林区协同/ } });

  const families = await follow(0, reader, '&types=assignment,indicator.value_approved', 500);
  t.same([...new Set(families.seen.map((c) => c.type))].sort(), ['assignment.acknowledged', 'assignment.added', 'indicator.value_approved'], '`types` takes types and families');
  const beilinOnly = await follow(0, coordinator, `&unit=${encodeURIComponent('北林区')}`, 500);
  t.ok(beilinOnly.seen.length >= 4 && beilinOnly.seen.every((c) => c.unitId === beilin.unitId), '`unit` narrows to one unit');
});

t.test('a bulk import on its own connection and a restart: resumed from the cursor, nothing missed or repeated', async (t) => {
  const rowsOf = (from: number, n: number) => beilinMeasures.slice(from, from + n).map((measureId) => ({ measureId, period: '2024-Q2', status: 'in_progress' }));
  const [imported] = await Promise.all([
    app.inject({ method: 'POST', url: '/api/v1/reports/bulk', headers: beilin.headers, payload: { reports: rowsOf(0, 8) } }),
    post('/api/v1/reports', civil, { measureId: civilMeasures[5], period: '2024-Q2', status: 'completed', submit: true }),
  ]);
  t.equal(imported.statusCode, 200, imported.body);

  await app.close();
  clock = new Date('2024-05-06T01:00:00Z');
  app = await start();
  await post('/api/v1/reports', beilin, { measureId: beilinMeasures[9], period: '2024-Q2', status: 'completed', submit: true });
  await catchUp();

  const everything = (await follow(0, coordinator, '', 500)).seen;
  const ids = seenBy.coordinator.map((c) => c.id);
  t.same(
    ids,
    everything.map((c) => c.id),
    'followed page by page across the restart: the same changes as one read from the start',
  );
  t.equal(new Set(ids).size, ids.length, 'none twice');
  t.ok(
    ids.every((id, i) => i === 0 || id > ids[i - 1]!),
    'in commit order',
  );
  t.equal(
    everything.filter((c) => c.type === 'report.created' && c.unitId === beilin.unitId && c.state.period === '2024-Q2').length,
    8 + 1,
    'the imported rows and the write after the restart',
  );

  // Every audited write others may follow is one change (API keys are not): the feed misses none.
  const audited = rows<{ n: number }>(databasePath, "SELECT count(*) AS n FROM audit_events WHERE action NOT LIKE 'apikey.%'")[0]!.n;
  t.equal(everything.filter((c) => c.type !== 'indicator.value_approved').length, audited);
  // Each report's changes follow its history.
  const reportIds = new Set(everything.filter((c) => c.resource.type === 'report').map((c) => c.resource.id));
  for (const reportId of reportIds) {
    const history = everything.filter((c) => c.resource.type === 'report' && c.resource.id === reportId);
    const events = rows<{ action: string }>(databasePath, 'SELECT action FROM report_events WHERE report_id = ? ORDER BY id', reportId).map((e) => `report.${e.action}`);
    t.same(
      history.map((c) => c.type),
      events,
      `report ${reportId}`,
    );
  }
  t.same(
    seenBy.reader.filter((c) => c.state.state === 'draft'),
    [],
    'the reader never saw a draft',
  );
});

t.test('a bad cursor, type or unit is a 400 that says what is expected', async (t) => {
  for (const [query, field] of [
    ['after=-1', '/querystring/after'],
    ['after=1.5', '/querystring/after'],
    ['after=99999999999999999999', '/querystring/after'],
    ['types=report.nonsense', '/querystring/types'],
    ['types=REPORT', '/querystring/types'],
    ['types=report,,unit', '/querystring/types'],
    ['unit=不存在的单位', '/querystring/unit'],
    ['limit=0', '/querystring/limit'],
  ] as const) {
    const res = await app.inject({ url: `/api/v1/changes?${encodeURI(query)}`, headers: reader.headers });
    t.equal(res.statusCode, 400, query);
    t.match(res.json(), { status: 400, errors: [{ field }] }, query);
    t.match(res.json().detail, /[\u4e00-\u9fff]/, `${query}: said in Chinese`);
  }
  const english = await app.inject({ url: '/api/v1/changes?types=report.nonsense', headers: { ...reader.headers, 'accept-language': 'en' } });
  t.match(english.json().errors[0].message, /has no change type "report.nonsense"/);
});

t.test('reading the feed needs a key, as reading reports does', async (t) => {
  const anonymous = await app.inject({ url: '/api/v1/changes' });
  t.equal(anonymous.statusCode, 401);
  t.equal((await app.inject({ url: '/api/v1/reports' })).statusCode, 401, 'the reports it carries are not public either');
});

t.test('a collective names its members’ changes', async (t) => {
  const counties = await follow(0, coordinator, `&unit=${encodeURIComponent('各县(市、区)人民政府')}`, 500);
  t.ok(
    counties.seen.some((c) => c.unitId === beilin.unitId),
    '北林区 is one of the counties',
  );
  t.notOk(
    counties.seen.some((c) => c.unitId === civil.unitId),
    'a city department is not',
  );
});

t.test('a filter that matches rarely looks through a bounded window per page, and its cursor still moves on', async (t) => {
  const start = (await follow(0, coordinator, '', 500)).cursor;
  // Twelve thousand changes of other units' reports, as a busy quarter makes; then one unit renamed.
  const db = new Database(databasePath);
  const insert = db.prepare(
    "INSERT INTO changes (at, type, resource_type, resource_id, unit_id, state) VALUES ('2024-05-07T01:00:00.000Z', 'report.updated', 'report', 1, ?, '{}')",
  );
  db.transaction(() => {
    for (let i = 0; i < 12_000; i++) insert.run(civil.unitId);
  })();
  db.close();
  await post('/api/v1/units/2/rename', admin, { name: '市营商环境局（新）', reason: '更名' }, { 'if-match': '*' });

  const first = await get<{ items: Change[]; nextCursor: number; hasMore: boolean }>(`/api/v1/changes?after=${start}&types=unit.changed`, reader);
  t.same(first.items, [], 'no match in the first window');
  t.equal(first.nextCursor, start + SCAN_WINDOW, 'the cursor moves past what was looked through');
  t.equal(first.hasMore, true);
  const rest = await follow(first.nextCursor, reader, '&types=unit.changed', 50);
  t.same(
    rest.seen.map((c) => [c.type, c.resource.id]),
    [['unit.changed', 2]],
    'followed to the end, the one match is found',
  );
  const end = await get<{ items: Change[]; nextCursor: number; hasMore: boolean }>(`/api/v1/changes?after=${rest.cursor}&types=unit.changed`, reader);
  t.same([end.items, end.nextCursor, end.hasMore], [[], rest.cursor, false], 'at the end the cursor stays');
});
