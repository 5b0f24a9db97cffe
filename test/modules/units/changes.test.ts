/**
 * Renaming and merging units through HTTP on a real database: the old name stays an alias, a merge moves every
 * reference in one transaction (or, refused, changes nothing), both are plan revisions in the audit trail, guarded by
 * If-Match, and the catalogue cache answers the change at once.
 */
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import Database from 'better-sqlite3';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const clock = new Date('2024-03-01T10:00:00+08:00');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock });
const keys = {
  admin: issueKey(databasePath, 'admin'),
  coordinator: issueKey(databasePath, 'coordinator'),
  science: issueKey(databasePath, 'reporter', '市科技局'),
  property: issueKey(databasePath, 'reporter', '市知识产权局'),
};
const SCIENCE = 24; // 市科技局: leads four tasks, owns measures, owes measures through 中省市直各有关单位
const PROPERTY = 27; // 市知识产权局: leads task 72 with 市科技局, owes the same collective measures
const BANKING = 45; // 市银保监局

interface UnitDetail {
  id: number;
  name: string;
  kind: string;
  aliases: string[];
  retiredAt: string | null;
  mergedInto: { id: number; name: string } | null;
  memberOf: { id: number }[];
  counts: { leadTasks: number; responsibleTasks: number; ownedMeasures: number };
}

const json = <T>(res: LightMyRequestResponse, status = 200): T => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
};
const getUnit = async (id: number) => {
  const res = await app.inject(`/api/v1/units/${id}`);
  return { unit: json<UnitDetail>(res), etag: String(res.headers.etag) };
};
const post = (url: string, key: { headers: Record<string, string> }, payload: object, ifMatch?: string) =>
  app.inject({ method: 'POST', url, headers: { ...key.headers, ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) }, payload });

/** Every row of the tables a merge touches: equal before and after proves a refused merge changed nothing. */
function unitFingerprint(): string {
  const tables = [
    'units',
    'unit_aliases',
    'unit_members',
    'task_units',
    'measure_owners',
    'assignments',
    'obligations',
    'progress_reports',
    'report_returns',
    'api_keys',
    'plan_revisions',
    'audit_events',
  ];
  const db = new Database(databasePath, { readonly: true });
  try {
    return JSON.stringify(tables.map((table) => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()));
  } finally {
    db.close();
  }
}

t.test('renaming keeps the old name as an alias, as a revision, and the cache answers the new name at once', async (t) => {
  const { unit: before, etag } = await getUnit(BANKING);
  t.match(etag, /^"unit-45\./, 'GET /units/{id} sends the unit’s ETag');
  t.equal((await app.inject({ url: `/api/v1/units/${BANKING}`, headers: { 'if-none-match': etag } })).statusCode, 304, 'a current copy revalidates');
  const list = await app.inject('/api/v1/units?kind=stationed_unit');
  const measuresByOldName = json<{ total: number }>(await app.inject('/api/v1/measures?unit=%E5%B8%82%E9%93%B6%E4%BF%9D%E7%9B%91%E5%B1%80'));
  const owedBefore = json<{ items: { unit: { name: string } }[] }>(await app.inject(`/api/v1/assignments?unit=${BANKING}&limit=1`));
  t.equal(owedBefore.items[0]!.unit.name, '市银保监局');

  const newName = '国家金融监督管理总局绥化监管分局';
  const body = { name: newName, reason: '机构改革：市银保监局更名' };
  t.equal((await post(`/api/v1/units/${BANKING}/rename`, keys.coordinator, body)).statusCode, 428, 'without If-Match');
  t.equal((await post(`/api/v1/units/${BANKING}/rename`, keys.science, body, etag)).statusCode, 403, 'a reporter may not');
  t.equal((await post(`/api/v1/units/${BANKING}/rename`, keys.coordinator, body, `"unit-${BANKING}.stale"`)).statusCode, 412, 'a stale ETag');
  const taken = await post(`/api/v1/units/${BANKING}/rename`, keys.coordinator, { ...body, name: '市民政局' }, etag);
  t.equal(taken.statusCode, 409, 'another unit’s name');
  const aliasTaken = await post(`/api/v1/units/${BANKING}/rename`, keys.coordinator, { ...body, name: '市营商局' }, etag);
  t.equal(aliasTaken.statusCode, 409, 'another unit’s alias');
  t.match(aliasTaken.json().detail, /市营商环境局/, 'the problem names the unit holding it');

  const renamed = await post(`/api/v1/units/${BANKING}/rename`, keys.coordinator, body, etag);
  const result = json<{ outcome: string; unit: UnitDetail; revisionId: number }>(renamed);
  t.equal(result.outcome, 'updated');
  t.equal(result.unit.name, newName);
  t.ok(result.unit.aliases.includes('市银保监局'), 'the old name is an alias');
  t.not(renamed.headers.etag, etag, 'a new ETag');

  const after = await app.inject({ url: `/api/v1/units/${BANKING}`, headers: { 'if-none-match': etag } });
  t.equal(after.statusCode, 200, 'an If-None-Match from before the rename never gets a 304');
  t.equal(after.json().name, newName);
  t.equal(after.headers.etag, renamed.headers.etag, 'the rename answers the ETag GET sends');
  const listAfter = await app.inject({ url: '/api/v1/units?kind=stationed_unit', headers: { 'if-none-match': String(list.headers.etag) } });
  t.equal(listAfter.statusCode, 200, 'the list is answered afresh');
  t.ok(listAfter.json().items.some((u: UnitDetail) => u.name === newName));
  t.equal(
    json<{ total: number }>(await app.inject('/api/v1/measures?unit=%E5%B8%82%E9%93%B6%E4%BF%9D%E7%9B%91%E5%B1%80')).total,
    measuresByOldName.total,
    '?unit= by the old name still resolves',
  );
  const owedAfter = json<{ items: { unit: { name: string } }[] }>(await app.inject(`/api/v1/assignments?unit=${BANKING}&limit=1`));
  t.equal(owedAfter.items[0]!.unit.name, newName, 'assignments name the unit by its new name');

  const again = json<{ outcome: string; revisionId: null }>(await post(`/api/v1/units/${BANKING}/rename`, keys.coordinator, body, etag));
  t.same([again.outcome, again.revisionId], ['unchanged', null], 'renaming to the current name (a retry) changes nothing');

  const [revision] = rows<{ id: number; planId: null; action: string; before: string; after: string; reason: string; keyId: number }>(
    databasePath,
    `SELECT id, plan_id AS planId, action, before, after, reason, key_id AS keyId FROM plan_revisions WHERE entity = 'unit' AND entity_id = ?`,
    BANKING,
  );
  t.match(revision, { id: result.revisionId, planId: null, action: 'renamed', reason: body.reason, keyId: keys.coordinator.id });
  t.match(JSON.parse(revision!.before), { name: before.name, aliases: before.aliases });
  t.match(JSON.parse(revision!.after), { name: newName, aliases: ['市银保监局'] });
  const listed = json<{ items: { id: number; action: string; after: { name: string } }[] }>(
    await app.inject({ url: `/api/v1/plans/1/revisions?entity=unit&unit=${BANKING}`, headers: keys.coordinator.headers }),
  );
  t.match(listed.items, [{ id: result.revisionId, action: 'renamed', after: { name: newName } }], 'every plan lists it among its revisions');
  const audit = rows<{ action: string }>(databasePath, `SELECT action FROM audit_events WHERE entity_type = 'unit' AND entity_id = ?`, BANKING);
  t.same(audit, [{ action: 'unit.rename' }], 'audited');
});

t.test('a unit may take one of its own aliases as its name', async (t) => {
  const { etag } = await getUnit(1);
  const swapped = json<{ unit: UnitDetail }>(await post('/api/v1/units/1/rename', keys.admin, { name: ' 市营商局 ', reason: '简称为正式名称' }, etag));
  t.match(swapped.unit, { name: '市营商局', aliases: ['市营商环境局'] }, 'the alias becomes the name, the name an alias');
  t.equal((await post('/api/v1/units/999/rename', keys.admin, { name: '市新局', reason: '更名' }, '*')).statusCode, 404, 'an unknown unit');
  t.equal((await post('/api/v1/units/1/rename', keys.admin, { name: '  ', reason: '更名' }, '*')).statusCode, 422, 'a blank name');
});

/** A report of a unit's reporter on a measure it owes, left open (a draft) or sent for review. */
async function report(key: { headers: Record<string, string> }, measureId: number, period: string, submit: boolean) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: key.headers,
    payload: { measureId, period, status: 'in_progress', narrative: '推进中', submit },
  });
  return json<{ id: number; etag: string }>(res, 201);
}

t.test('a merge that cannot be made changes nothing', async (t) => {
  const { etag } = await getUnit(SCIENCE);
  const body = { into: '市知识产权局', reason: '机构改革' };
  const science = await report(keys.science, 1, '2024', false);
  const property = await report(keys.property, 1, '2024', true);
  const fingerprint = unitFingerprint();

  const clash = await post(`/api/v1/units/${SCIENCE}/merge`, keys.admin, body, etag);
  t.equal(clash.statusCode, 409, 'both have an open report for measure 1, 2024');
  t.match(clash.json().detail, new RegExp(`${science.id}.*${property.id}`), 'naming both reports');
  t.equal((await post(`/api/v1/units/${SCIENCE}/merge`, keys.admin, { ...body, into: '市科技局' }, etag)).statusCode, 422, 'into itself');
  t.equal((await post(`/api/v1/units/${SCIENCE}/merge`, keys.admin, { ...body, into: '中省市直各有关单位' }, etag)).statusCode, 422, 'into a collective');
  t.equal((await post(`/api/v1/units/${SCIENCE}/merge`, keys.admin, { ...body, into: '市没有局' }, etag)).statusCode, 422, 'into an unknown unit');
  t.equal((await post(`/api/v1/units/60/merge`, keys.admin, body, '*')).statusCode, 409, 'a collective');
  t.equal((await post(`/api/v1/units/${SCIENCE}/merge`, keys.admin, body)).statusCode, 428, 'without If-Match');
  t.equal((await post(`/api/v1/units/${SCIENCE}/merge`, keys.admin, body, `"unit-${SCIENCE}.stale"`)).statusCode, 412, 'a stale ETag');
  t.equal((await post(`/api/v1/units/${SCIENCE}/merge`, keys.property, body, etag)).statusCode, 403, 'a reporter may not');
  t.equal(unitFingerprint(), fingerprint, 'nothing changed');

  // Settled: 市知识产权局's report approved, no longer open.
  const approved = await app.inject({ method: 'POST', url: `/api/v1/reports/${property.id}/approve`, headers: keys.admin.headers, payload: {} });
  t.equal(approved.statusCode, 200);
});

t.test('a merge moves everything the unit carries and keeps its names as aliases', async (t) => {
  const { unit: science, etag } = await getUnit(SCIENCE);
  const { unit: property, etag: propertyEtag } = await getUnit(PROPERTY);
  const owned = await report(keys.science, 80, '2024', true);
  // 市知识产权局 had been let off measure 1 (owed through the collective), which 市科技局 still owed.
  const letOff = await app.inject({ method: 'POST', url: '/api/v1/assignments/28/withdraw', headers: keys.coordinator.headers, payload: { reason: '不涉及' } });
  t.equal(letOff.statusCode, 200);
  const [open] = rows<{ id: number }>(databasePath, `SELECT id FROM progress_reports WHERE unit_id = ? AND state = 'draft'`, SCIENCE);
  const assignmentsBefore = rows<{ id: number; measureId: number }>(databasePath, 'SELECT id, measure_id AS measureId FROM assignments WHERE unit_id = ? ORDER BY id', SCIENCE);
  const reportsBefore = rows<{ id: number }>(databasePath, 'SELECT id FROM progress_reports WHERE unit_id = ? ORDER BY id', SCIENCE);

  const res = await post(`/api/v1/units/${SCIENCE}/merge`, keys.admin, { into: '市知识产权局', reason: '机构改革：市科技局与市知识产权局合并' }, etag);
  const merge = json<{
    outcome: string;
    unit: UnitDetail;
    into: UnitDetail;
    moved: { assignments: number[]; withdrawnAssignments: number[]; reinstatedAssignments: number[] };
    revisionId: number;
  }>(res);
  t.equal(merge.outcome, 'updated');
  t.match(merge.unit, { id: SCIENCE, mergedInto: { id: PROPERTY, name: '市知识产权局' }, retiredAt: String });
  t.same(merge.into.aliases.sort(), [...property.aliases, '市科技局', ...science.aliases].sort(), 'its name and aliases are the target’s aliases');
  t.same(
    merge.moved.withdrawnAssignments,
    assignmentsBefore.filter((a) => a.measureId !== 80).map((a) => a.id),
    'where both owe a measure, the target’s assignment stands',
  );
  t.same(merge.moved.reinstatedAssignments, [28], 'the target owes again what only the merged unit still owed');
  t.equal(json<{ withdrawn: null }>(await app.inject('/api/v1/assignments/28')).withdrawn, null);
  t.same(
    merge.moved.assignments,
    assignmentsBefore.filter((a) => a.measureId === 80).map((a) => a.id),
    'the rest move',
  );
  t.match(merge.moved, { taskRoles: 4, measureOwners: 3, reports: reportsBefore.length, apiKeys: [keys.science.id], memberships: 1 });

  // Lead roles (task 72 kept once), owners, memberships.
  t.match(merge.into.counts, { leadTasks: 4, ownedMeasures: property.counts.ownedMeasures + 3 });
  t.same(rows(databasePath, 'SELECT count(*) AS n FROM task_units WHERE unit_id = ?', SCIENCE), [{ n: 0 }]);
  t.same(rows(databasePath, 'SELECT count(*) AS n FROM unit_members WHERE member_id = ?', SCIENCE), [{ n: 0 }]);
  // Reports, the key and obligations act for the target now.
  t.same(rows(databasePath, 'SELECT DISTINCT unit_id AS unitId FROM progress_reports WHERE id IN (?, ?)', owned.id, open!.id), [{ unitId: PROPERTY }]);
  const current = json<{ unitId: number }>(await app.inject({ url: '/api/v1/api-keys/current', headers: keys.science.headers }));
  t.equal(current.unitId, PROPERTY, 'the merged unit’s key acts for the target');
  const moved = json<{ unit: { id: number }; withdrawn: null; reports: { total: number } }>(await app.inject(`/api/v1/assignments/${merge.moved.assignments[0]}`));
  t.match(moved, { unit: { id: PROPERTY }, withdrawn: null, reports: { total: 1 } }, 'a moved assignment keeps its obligations and its reports answer them');
  const loser = json<{ withdrawn: { reason: string } }>(await app.inject(`/api/v1/assignments/${assignmentsBefore[0]!.id}`));
  t.match(loser.withdrawn?.reason, /市科技局并入市知识产权局/, 'the merged unit’s duplicate assignment is withdrawn, saying why');
  t.same(
    rows(databasePath, 'SELECT count(*) AS n FROM progress_reports WHERE measure_id = 1 AND unit_id = ?', PROPERTY),
    [{ n: 2 }],
    'the target’s assignment on measure 1 receives the merged unit’s report',
  );

  // Reads: the merged unit stays readable, leaves the list, and its name finds the target.
  t.equal((await getUnit(SCIENCE)).unit.mergedInto?.id, PROPERTY);
  const units = json<{ items: { id: number }[] }>(await app.inject('/api/v1/units?limit=100'));
  t.notOk(
    units.items.some((u) => u.id === SCIENCE),
    'a merged unit leaves the list',
  );
  const byOldName = json<{ total: number }>(await app.inject('/api/v1/tasks?unit=%E5%B8%82%E7%A7%91%E6%8A%80%E5%B1%80&role=lead'));
  const byTarget = json<{ total: number }>(await app.inject(`/api/v1/tasks?unit=${PROPERTY}&role=lead`));
  t.equal(byOldName.total, byTarget.total, 'its old name finds the target’s lead roles');
  for (const q of ['市科技局', '科技']) {
    const hits = json<{ items: { type: string; id: number }[] }>(await app.inject(`/api/v1/search?types=unit&q=${encodeURIComponent(q)}`));
    t.same(
      hits.items.map((hit) => hit.id),
      [PROPERTY],
      `searching "${q}" finds the target, not the merged unit`,
    );
  }
  const stale = await app.inject({ url: `/api/v1/units/${PROPERTY}`, headers: { 'if-none-match': propertyEtag } });
  t.equal(stale.statusCode, 200, 'the target’s copy from before the merge is not current');

  // Recorded: a revision for each unit, one audit event.
  const revisions = rows<{ entityId: number; action: string }>(databasePath, `SELECT entity_id AS entityId, action FROM plan_revisions WHERE action = 'merged' ORDER BY id`);
  t.same(revisions, [
    { entityId: SCIENCE, action: 'merged' },
    { entityId: PROPERTY, action: 'merged' },
  ]);
  const concerned = rows<{ unitId: number }>(databasePath, 'SELECT unit_id AS unitId FROM plan_revision_units WHERE revision_id = ? ORDER BY unit_id', merge.revisionId);
  t.same(concerned, [{ unitId: SCIENCE }, { unitId: PROPERTY }]);
  t.same(rows(databasePath, `SELECT action FROM audit_events WHERE entity_type = 'unit' AND entity_id = ?`, SCIENCE), [{ action: 'unit.merge' }]);

  // After: again is unchanged; a merged unit is neither merged again nor a target.
  const again = json<{ outcome: string }>(await post(`/api/v1/units/${SCIENCE}/merge`, keys.admin, { into: `${PROPERTY}`, reason: '重试' }, etag));
  t.equal(again.outcome, 'unchanged', 'a retry changes nothing');
  t.equal((await post(`/api/v1/units/${SCIENCE}/merge`, keys.admin, { into: '市民政局', reason: '再并' }, '*')).statusCode, 409, 'a merged unit is not merged again');
  t.equal((await post(`/api/v1/units/${SCIENCE}/rename`, keys.admin, { name: '市科学技术局', reason: '更名' }, '*')).statusCode, 409, 'nor renamed');
  const intoRetired = await post(`/api/v1/units/5/merge`, keys.admin, { into: `${SCIENCE}`, reason: '并入' }, '*');
  t.equal(intoRetired.statusCode, 422, 'nor a target');
  t.match(intoRetired.json().detail, /市知识产权局/, 'the problem names where its work went');
});
