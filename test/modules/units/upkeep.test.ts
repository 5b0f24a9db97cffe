/**
 * Creating, changing, retiring and restoring units through HTTP on a real database: each a plan revision in the
 * audit trail, guarded by If-Match; a collective's new members owe its measures; a unit that still carries work is
 * not retired; and nothing new is pinned to a retired or merged unit (keys, reports, assignments, amendments).
 */
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const clock = new Date('2024-03-01T10:00:00+08:00');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock });
const keys = {
  admin: issueKey(databasePath, 'admin'),
  coordinator: issueKey(databasePath, 'coordinator'),
  civil: issueKey(databasePath, 'reporter', '市民政局'),
};
type Key = { headers: Record<string, string> };

interface UnitDetail {
  id: number;
  name: string;
  kind: string;
  aliases: string[];
  retiredAt: string | null;
  mergedInto: { id: number; name: string } | null;
  members: { id: number; name: string }[];
  memberOf: { id: number }[];
}
interface Write {
  outcome: string;
  unit: UnitDetail;
  revisionId: number | null;
}

const json = <T>(res: LightMyRequestResponse, status = 200): T => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
};
const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, key: Key, payload: object, ifMatch?: string) =>
  app.inject({ method, url: `/api/v1${url}`, headers: { ...key.headers, ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) }, payload });
const create = async (body: object) => json<Write>(await send('POST', '/units', keys.coordinator, { reason: '机构改革', ...body }), 201).unit;
const etagOf = async (id: number) => String((await app.inject(`/api/v1/units/${id}`)).headers.etag);
const problem = (res: LightMyRequestResponse, status: number) => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json() as { detail: string; errors?: { field: string; message: string }[] };
};
const fieldOf = (res: LightMyRequestResponse, status = 422) => problem(res, status).errors?.[0]?.field;
const revisionsOf = (id: number) =>
  rows<{ action: string; before: string | null; after: string; reason: string; planId: null }>(
    databasePath,
    `SELECT action, before, after, reason, plan_id AS planId FROM plan_revisions WHERE entity = 'unit' AND entity_id = ? ORDER BY id`,
    id,
  );
const auditOf = (id: number) =>
  rows<{ action: string }>(databasePath, `SELECT action FROM audit_events WHERE entity_type = 'unit' AND entity_id = ? ORDER BY id`, id).map((r) => r.action);
const listed = async (q: string) => json<{ items: { id: number }[] }>(await app.inject(`/api/v1/units?limit=500&q=${encodeURIComponent(q)}`)).items.map((u) => u.id);
const found = async (q: string) =>
  json<{ items: { type: string; id: number }[] }>(await app.inject(`/api/v1/search?types=unit&q=${encodeURIComponent(q)}`)).items.map((hit) => hit.id);

t.test('creating a unit: 201 with its place, a revision and an audit event, seen by the cached list at once', async (t) => {
  const list = await app.inject('/api/v1/units?limit=500');
  const body = { name: ' 市数据局 ', kind: 'city_department', aliases: ['绥化市数据局', '绥化市数据局'], reason: '机构改革：新组建市数据局' };
  t.equal((await send('POST', '/units', keys.civil, body)).statusCode, 403, 'a reporter may not');
  const res = await send('POST', '/units', keys.coordinator, body);
  const created = json<Write>(res, 201);
  t.match(created, { outcome: 'created', unit: { name: '市数据局', kind: 'city_department', aliases: ['绥化市数据局'], retiredAt: null }, revisionId: Number });
  t.equal(res.headers.location, `/api/v1/units/${created.unit.id}`);
  t.equal(res.headers.etag, await etagOf(created.unit.id), 'the ETag GET sends');

  const again = await app.inject({ url: '/api/v1/units?limit=500', headers: { 'if-none-match': String(list.headers.etag) } });
  t.equal(again.statusCode, 200, 'the list kept from before is not current');
  t.ok(
    again.json().items.some((u: UnitDetail) => u.id === created.unit.id),
    'the list shows it',
  );
  t.same(await found('绥化市数据'), [created.unit.id], 'search finds it by an alias');
  t.equal(json<{ total: number }>(await app.inject('/api/v1/measures?unit=%E7%BB%A5%E5%8C%96%E5%B8%82%E6%95%B0%E6%8D%AE%E5%B1%80')).total, 0, '?unit= takes its alias');

  t.match(revisionsOf(created.unit.id), [{ action: 'created', before: null, reason: body.reason, planId: null }]);
  t.match(JSON.parse(revisionsOf(created.unit.id)[0]!.after), { name: '市数据局', aliases: ['绥化市数据局'], members: [] });
  t.same(auditOf(created.unit.id), ['unit.create']);

  const taken = await send('POST', '/units', keys.coordinator, { ...body, name: '市民政局', aliases: [] });
  t.match(problem(taken, 409).detail, /市民政局/, 'another unit’s name is a 409 naming it');
  t.match(problem(await send('POST', '/units', keys.coordinator, { ...body, name: '市新局', aliases: ['市营商局'] }), 409).detail, /市营商环境局/, 'so is another unit’s alias');
  t.equal(fieldOf(await send('POST', '/units', keys.coordinator, { ...body, name: '市新局', aliases: ['市新局'] })), '/body/aliases/0', 'its own name as an alias');
  t.equal(fieldOf(await send('POST', '/units', keys.coordinator, { name: '新统称', kind: 'collective', reason: '新设' })), '/body/members', 'a collective without members');
  t.equal(
    fieldOf(await send('POST', '/units', keys.coordinator, { name: '市新局', kind: 'city_department', members: ['市民政局'], reason: '新设' })),
    '/body/members',
    'members of a unit that is not a collective',
  );
  const nested = await send('POST', '/units', keys.coordinator, { name: '新统称', kind: 'collective', members: ['市民政局', '各县(市、区)人民政府'], reason: '新设' });
  t.equal(fieldOf(nested), '/body/members/1', 'a collective as a member');
  t.equal(
    fieldOf(await send('POST', '/units', keys.coordinator, { name: '新统称', kind: 'collective', members: ['市没有局'], reason: '新设' })),
    '/body/members/0',
    'an unknown member',
  );
  t.equal((await send('POST', '/units', keys.coordinator, { name: '市新局', kind: 'nothing', reason: '新设' })).statusCode, 400, 'an unknown kind');
});

t.test('changing a unit: aliases replaced (the name stays), If-Match, unchanged, and names that must stay', async (t) => {
  const unit = await create({ name: '市统计调查队', kind: 'stationed_unit', aliases: ['国家统计局绥化调查队'] });
  const etag = await etagOf(unit.id);
  const body = { aliases: ['绥化调查队', '国家统计局绥化调查队'], kind: 'city_department', reason: '补充简称' };
  t.equal((await send('PATCH', `/units/${unit.id}`, keys.coordinator, body)).statusCode, 428, 'without If-Match');
  t.equal((await send('PATCH', `/units/${unit.id}`, keys.coordinator, body, `"unit-${unit.id}.stale"`)).statusCode, 412, 'a stale ETag');
  t.equal((await send('PATCH', `/units/${unit.id}`, keys.civil, body, etag)).statusCode, 403, 'a reporter may not');
  t.equal((await send('PATCH', `/units/${unit.id}`, keys.coordinator, { reason: '无' }, etag)).statusCode, 400, 'nothing to change');
  t.equal((await send('PATCH', `/units/${unit.id}`, keys.coordinator, { name: '改名', reason: '无' }, etag)).statusCode, 400, 'a name (rename changes it)');
  t.match(problem(await send('PATCH', `/units/${unit.id}`, keys.coordinator, { aliases: ['市营商局'], reason: '误' }, etag), 409).detail, /市营商环境局/);
  t.equal(fieldOf(await send('PATCH', `/units/${unit.id}`, keys.coordinator, { kind: 'collective', reason: '误' }, etag)), '/body/kind', 'not into a collective');
  t.equal(fieldOf(await send('PATCH', `/units/${unit.id}`, keys.coordinator, { members: ['市民政局'], reason: '误' }, etag)), '/body/members');

  const res = await send('PATCH', `/units/${unit.id}`, keys.coordinator, body, etag);
  const changed = json<Write>(res);
  t.match(changed, { outcome: 'updated', unit: { name: '市统计调查队', kind: 'city_department' }, revisionId: Number });
  t.same(changed.unit.aliases.sort(), ['国家统计局绥化调查队', '绥化调查队'].sort());
  t.not(res.headers.etag, etag, 'a new ETag');
  t.equal(res.headers.etag, await etagOf(unit.id));
  const retry = json<Write>(await send('PATCH', `/units/${unit.id}`, keys.coordinator, body, etag));
  t.same([retry.outcome, retry.revisionId], ['unchanged', null], 'the same again (a retry) changes nothing, whatever If-Match says');
  t.same(await found('绥化调查'), [unit.id], 'search finds the new alias');
  const dropped = json<Write>(await send('PATCH', `/units/${unit.id}`, keys.admin, { aliases: [], reason: '简称停用' }, '*'));
  t.same(dropped.unit.aliases, [], 'an empty list drops them all');
  t.same(await found('绥化调查'), [], 'and search no longer finds them');
  t.same(
    revisionsOf(unit.id).map((r) => r.action),
    ['created', 'updated', 'updated'],
  );
  t.same(auditOf(unit.id), ['unit.create', 'unit.update', 'unit.update']);

  // A unit merged into this one: its name is an alias that stays.
  const spelling = await create({ name: '市统计队', kind: 'stationed_unit' });
  json(await send('POST', `/units/${spelling.id}/merge`, keys.admin, { into: `${unit.id}`, reason: '同一单位' }, '*'));
  const kept = await send('PATCH', `/units/${unit.id}`, keys.admin, { aliases: ['统计调查队'], reason: '整理别名' }, '*');
  t.match(problem(kept, 409).detail, /市统计队/, 'the merged unit’s name stays an alias');
  t.equal((await send('PATCH', `/units/${spelling.id}`, keys.admin, { aliases: ['统计队'], reason: '整理' }, '*')).statusCode, 409, 'a merged unit changes no further');
  t.equal((await send('POST', `/units/${spelling.id}/restore`, keys.admin, { reason: '恢复' }, '*')).statusCode, 409, 'nor is it restored');
  t.match(json<Write>(await send('DELETE', `/units/${spelling.id}`, keys.admin, { reason: '撤销' }, '*')), { outcome: 'unchanged' }, 'retiring it is unchanged');
});

t.test('a collective’s members owe its measures: a change of members moves the assignments', async (t) => {
  const data = await create({ name: '市大数据中心', kind: 'city_department' });
  const gov = await create({ name: '市政务服务中心', kind: 'city_department' });
  const collective = await create({ name: '数据工作各有关单位', kind: 'collective', members: ['市大数据中心'] });
  t.same(
    collective.members.map((m) => m.id),
    [data.id],
  );
  json(await send('PATCH', '/measures/3', keys.admin, { owners: ['数据工作各有关单位'], reason: '改由数据工作各有关单位负责' }, '*'));
  const owing = () =>
    rows<{ unitId: number; withdrawn: string | null; reason: string | null }>(
      databasePath,
      'SELECT unit_id AS unitId, withdrawn_at AS withdrawn, withdrawn_reason AS reason FROM assignments WHERE measure_id = 3 AND unit_id IN (?, ?) ORDER BY unit_id',
      data.id,
      gov.id,
    );
  t.match(owing(), [{ unitId: data.id, withdrawn: null }], 'the member owes the collective’s measure');

  const busy = await send('DELETE', `/units/${data.id}`, keys.admin, { reason: '撤销' }, '*');
  t.match(problem(busy, 409).detail, /数据工作各有关单位/, 'a member with work is not retired: the problem names its collective');
  const collectiveBusy = problem(await send('DELETE', `/units/${collective.id}`, keys.admin, { reason: '撤销' }, '*'), 409);
  t.match(collectiveBusy.detail, /措施 3/, 'nor a collective owning a measure');

  const res = json<Write>(await send('PATCH', `/units/${collective.id}`, keys.admin, { members: ['市政务服务中心'], reason: '职责调整' }, await etagOf(collective.id)));
  t.same(
    res.unit.members.map((m) => m.id),
    [gov.id],
  );
  t.match(
    owing(),
    [
      { unitId: data.id, withdrawn: String, reason: `修订 #${res.revisionId}：职责调整` },
      { unitId: gov.id, withdrawn: null },
    ],
    'the former member is withdrawn with the revision as the reason, the new one owes the measure',
  );
  const concerned = rows<{ unitId: number }>(databasePath, 'SELECT unit_id AS unitId FROM plan_revision_units WHERE revision_id = ? ORDER BY unit_id', res.revisionId);
  t.same(
    concerned.map((c) => c.unitId),
    [data.id, gov.id, collective.id].sort((a, b) => a - b),
    'the revision concerns the collective and both members',
  );
  const owed = json<{ total: number }>(await app.inject(`/api/v1/assignments?unit=${gov.id}`));
  t.equal(owed.total, 1, 'the assignment list answers the change at once');
});

t.test('retiring and restoring: a unit that carries nothing leaves the lists, and takes on nothing new', async (t) => {
  const busy = await send('DELETE', '/units/5', keys.admin, { reason: '撤销' }, '*');
  const detail = problem(busy, 409).detail;
  t.match(detail, /任务/, 'a unit with work: the problem names its tasks');
  t.match(detail, /合并|merge/, 'and says how to hand it over');

  const unit = await create({ name: '市档案馆', kind: 'city_department', aliases: ['绥化市档案馆'] });
  const etag = await etagOf(unit.id);
  t.equal((await send('DELETE', `/units/${unit.id}`, keys.admin, { reason: '撤销' })).statusCode, 428, 'without If-Match');
  t.equal((await send('DELETE', `/units/${unit.id}`, keys.admin, { reason: '撤销' }, `"unit-${unit.id}.stale"`)).statusCode, 412, 'a stale ETag');
  t.equal((await send('DELETE', `/units/${unit.id}`, keys.civil, { reason: '撤销' }, etag)).statusCode, 403, 'a reporter may not');
  const list = await app.inject('/api/v1/units?limit=500');
  const res = await send('DELETE', `/units/${unit.id}`, keys.coordinator, { reason: '机构改革：并入档案局，职责划转' }, etag);
  const retired = json<Write>(res);
  t.match(retired, { outcome: 'updated', unit: { id: unit.id, retiredAt: String, mergedInto: null }, revisionId: Number });
  t.equal(res.headers.etag, await etagOf(unit.id));
  t.equal((await app.inject({ url: '/api/v1/units?limit=500', headers: { 'if-none-match': String(list.headers.etag) } })).statusCode, 200, 'the cached list is dropped');
  t.same(await listed('档案馆'), [], 'it leaves the list');
  t.same(await found('档案馆'), [], 'and search');
  t.match(json<UnitDetail>(await app.inject(`/api/v1/units/${unit.id}`)), { retiredAt: String }, 'it stays readable by id');
  t.match(json<Write>(await send('DELETE', `/units/${unit.id}`, keys.coordinator, { reason: '重试' }, etag)), { outcome: 'unchanged', revisionId: null });
  t.equal((await send('PATCH', `/units/${unit.id}`, keys.coordinator, { aliases: [], reason: '改' }, '*')).statusCode, 409, 'a retired unit is restored before it changes');
  t.match(problem(await send('POST', '/units', keys.coordinator, { name: '市档案馆', kind: 'city_department', reason: '新设' }), 409).detail, /市档案馆/, 'it keeps its name');

  // Nothing new is pinned to it.
  const refused = async (what: string, res: LightMyRequestResponse, field: string) => {
    const p = problem(res, 422);
    t.equal(p.errors?.[0]?.field, field, `${what}: 422 on ${field}`);
    t.match(p.errors?.[0]?.message, /市档案馆/, `${what}: naming the unit`);
  };
  await refused('a key', await send('POST', '/api-keys', keys.admin, { name: '档案馆上报', role: 'reporter', unit: '市档案馆' }), '/body/unit');
  await refused(
    'a report',
    await send('POST', '/reports', keys.admin, { measureId: 3, period: '2024', status: 'in_progress', narrative: '推进中', unit: `${unit.id}` }),
    '/body/unit',
  );
  await refused('an assignment', await send('POST', '/assignments', keys.coordinator, { measureId: 4, unit: '市档案馆', reason: '会议决定' }), '/body/unit');
  await refused('an owner', await send('PATCH', '/measures/4', keys.coordinator, { owners: ['市民政局', '市档案馆'], reason: '调整' }, '*'), '/body/owners/1');
  await refused('a lead unit', await send('PATCH', '/tasks/3', keys.coordinator, { leadUnits: [`${unit.id}`], reason: '调整' }, '*'), '/body/leadUnits/0');
  await refused('a new measure’s owner', await send('POST', '/measures', keys.coordinator, { taskId: 3, text: '新措施', owners: ['市档案馆'], reason: '新增' }), '/body/owners/0');
  const newCollective = await send('POST', '/units', keys.coordinator, { name: '档案工作各单位', kind: 'collective', members: ['市档案馆'], reason: '新设' });
  await refused('a member', newCollective, '/body/members/0');

  const restoredRes = await send('POST', `/units/${unit.id}/restore`, keys.coordinator, { reason: '撤销决定收回' }, await etagOf(unit.id));
  t.match(json<Write>(restoredRes), { outcome: 'updated', unit: { retiredAt: null }, revisionId: Number });
  t.same(await listed('档案馆'), [unit.id], 'restored, it is listed again');
  t.same(await found('档案馆'), [unit.id], 'and found');
  t.match(json<Write>(await send('POST', `/units/${unit.id}/restore`, keys.coordinator, { reason: '重试' }, '*')), { outcome: 'unchanged' });
  t.equal((await send('POST', '/api-keys', keys.admin, { name: '档案馆上报', role: 'reporter', unit: '市档案馆' })).statusCode, 201, 'and takes keys again');
  t.same(
    revisionsOf(unit.id).map((r) => r.action),
    ['created', 'retired', 'restored'],
  );
  t.same(auditOf(unit.id), ['unit.create', 'unit.retire', 'unit.restore']);
});

t.test('a merged unit, named by id, is refused naming where its work went', async (t) => {
  const into = await create({ name: '市林业和草原局', kind: 'city_department' });
  const merged = await create({ name: '市林草局', kind: 'city_department' });
  json(await send('POST', `/units/${merged.id}/merge`, keys.admin, { into: '市林业和草原局', reason: '同一单位' }, '*'));
  const byId = `${merged.id}`;
  for (const [what, res, field] of [
    ['a key', await send('POST', '/api-keys', keys.admin, { name: '林草局', role: 'reporter', unit: byId }), '/body/unit'],
    ['a report', await send('POST', '/reports', keys.admin, { measureId: 3, period: '2024', status: 'in_progress', narrative: '推进中', unit: byId }), '/body/unit'],
    ['an assignment', await send('POST', '/assignments', keys.coordinator, { measureId: 4, unit: byId, reason: '会议决定' }), '/body/unit'],
    ['an owner', await send('PATCH', '/measures/4', keys.coordinator, { owners: [byId], reason: '调整' }, '*'), '/body/owners/0'],
  ] as const) {
    const p = problem(res, 422);
    t.equal(p.errors?.[0]?.field, field, `${what}: 422 on ${field}`);
    t.match(p.errors?.[0]?.message, /市林业和草原局/, `${what}: naming the unit its work went to`);
  }
  const english = await app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: { ...keys.admin.headers, 'accept-language': 'en' },
    payload: { name: '林草局', role: 'reporter', unit: byId },
  });
  t.match(problem(english, 422).errors?.[0]?.message, /merged into 市林业和草原局/, 'in English too');
  t.equal((await send('POST', '/api-keys', keys.admin, { name: '林草局', role: 'reporter', unit: '市林草局' })).statusCode, 201, 'its name finds the unit that took it in');
  t.ok(into.id > 0);
});
