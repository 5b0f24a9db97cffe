import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { rows, writeFingerprint } from '../helpers/db.js';
import { issueKey } from '../helpers/keys.js';

/** Amending the plan through HTTP: If-Match and a reason, one revision each, who owes what follows, reads as of then. */
const NOW = new Date('2024-06-01T02:00:00Z');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => NOW });
const admin = issueKey(databasePath, 'admin');
const coordinator = issueKey(databasePath, 'coordinator');
const reporter = issueKey(databasePath, 'reporter', '市民政局');

interface Unit {
  id: number;
  name: string;
}
interface Measure {
  id: number;
  taskId: number;
  text: string;
  ownerUnits: Unit[];
  retiredAt: string | null;
}

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers });
const send = (method: 'PATCH' | 'DELETE' | 'POST', url: string, payload: unknown, headers: Record<string, string>) =>
  app.inject({ method, url, payload: payload as object, headers });

/** The owners of a measure, and who owes it now (standing assignments). */
const owing = (measureId: number) =>
  rows<{ unit: string }>(
    databasePath,
    'SELECT u.name AS unit FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.measure_id = ? AND a.withdrawn_at IS NULL ORDER BY u.name',
    measureId,
  ).map((r) => r.unit);

// Measure 3 (task 3, 双公示) is owed by every city department through 中省市直各有关单位.
const measureId = 3;

t.test('a change names the version it was made against and a reason, and only an editor makes it', async (t) => {
  const read = await get(`/api/v1/measures/${measureId}`);
  const etag = read.headers.etag as string;
  t.match(etag, /^"measure-3\.\d+"$/, 'a measure carries its version');
  const before = writeFingerprint(databasePath);
  const change = { text: '改写后的措施', reason: '中期评估' };
  const bare = await send('PATCH', `/api/v1/measures/${measureId}`, change, admin.headers);
  t.equal(bare.statusCode, 400, 'without If-Match');
  t.match(bare.json(), { errors: [{ field: '/headers/if-match' }] });
  t.equal((await send('PATCH', `/api/v1/measures/${measureId}`, change, { ...admin.headers, 'if-match': '"measure-3.99"' })).statusCode, 412, 'a stale version');
  t.equal((await send('PATCH', `/api/v1/measures/${measureId}`, change, { ...reporter.headers, 'if-match': etag })).statusCode, 403, 'a reporter amends nothing');
  t.equal((await send('PATCH', `/api/v1/measures/${measureId}`, { text: 'x' }, { ...admin.headers, 'if-match': etag })).statusCode, 400, 'no reason');
  t.equal((await send('PATCH', `/api/v1/measures/${measureId}`, { reason: '空' }, { ...admin.headers, 'if-match': etag })).statusCode, 400, 'nothing to change');
  const unknownOwner = await send('PATCH', `/api/v1/measures/${measureId}`, { owners: ['无此单位'], reason: 'x' }, { ...admin.headers, 'if-match': etag });
  t.equal(unknownOwner.statusCode, 422);
  t.match(unknownOwner.json(), { errors: [{ field: '/body/owners/0' }] });
  t.equal(writeFingerprint(databasePath), before, 'refused changes change nothing');
});

t.test('new owners from the effective day: the old owers are withdrawn, the new one assigned; recorded; read as of before', async (t) => {
  const read = await get(`/api/v1/measures/${measureId}`);
  const old = read.json<Measure>();
  const taskBefore = await get(`/api/v1/tasks/${old.taskId}`);
  t.ok(owing(measureId).includes('市民政局'), '市民政局 owes it before');
  const owingBefore = owing(measureId);
  const res = await send(
    'PATCH',
    `/api/v1/measures/${measureId}`,
    { owners: ['市发改委'], reason: '机构改革后由市发改委牵头', effectiveOn: '2024-06-01' },
    { ...coordinator.headers, 'if-match': read.headers.etag as string },
  );
  t.equal(res.statusCode, 200);
  const result = res.json<{ outcome: string; revisionId: number; etag: string }>();
  t.equal(result.outcome, 'updated');
  t.not(result.etag, read.headers.etag, 'a new version');
  t.equal(res.headers.etag, result.etag);

  t.same(owing(measureId), ['市发改委'], 'only the new owner owes it now');
  const withdrawn = rows<{ reason: string }>(
    databasePath,
    "SELECT a.withdrawn_reason AS reason FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.measure_id = ? AND u.name = '市民政局'",
    measureId,
  );
  t.match(withdrawn[0]?.reason, new RegExp(`修订 #${result.revisionId}：机构改革后由市发改委牵头`), 'withdrawn with the revision as the reason');
  // Each assignment moved is recorded as the same act by hand would be: in the audit trail and the change feed.
  const moved = rows<{ action: string; unit: string }>(
    databasePath,
    "SELECT action, json_extract(after, '$.unit.name') AS unit FROM audit_events WHERE entity_type = 'assignment' AND json_extract(after, '$.measure.id') = ? ORDER BY id",
    measureId,
  );
  // 市发改委 owed it already, as a city department of 中省市直各有关单位: its assignment stands; every other one is withdrawn.
  const withdrawnUnits = owingBefore.filter((unit) => unit !== '市发改委');
  t.same(
    moved
      .filter((m) => m.action === 'assignment.withdraw')
      .map((m) => m.unit)
      .sort(),
    [...withdrawnUnits].sort(),
    'every withdrawal is recorded',
  );
  t.ok(moved.some((m) => m.action === 'assignment.withdraw' && m.unit === '市民政局'));
  const feed = rows<{ type: string; n: number }>(
    databasePath,
    "SELECT type, count(*) AS n FROM changes WHERE resource_type = 'assignment' AND json_extract(state, '$.measure.id') = ? GROUP BY type ORDER BY type",
    measureId,
  );
  t.same(feed, [{ type: 'assignment.withdrawn', n: withdrawnUnits.length }]);

  // The catalogue serves the change at once; a copy from before the change is never confirmed.
  const after = await get(`/api/v1/measures/${measureId}`, { 'if-none-match': read.headers.etag as string });
  t.equal(after.statusCode, 200);
  t.same(
    after.json<Measure>().ownerUnits.map((u) => u.name),
    ['市发改委'],
  );
  const task = await get(`/api/v1/tasks/${old.taskId}`, { 'if-none-match': taskBefore.headers.etag as string });
  t.equal(task.statusCode, 200, 'the task that shows the measure is a new version too: no 304 for the copy from before');
  t.same(
    task
      .json<{ measures: Measure[] }>()
      .measures.find((m) => m.id === measureId)
      ?.ownerUnits.map((u) => u.name),
    ['市发改委'],
    'the task shows it too',
  );

  // As the plan stood the day before: the old owners.
  const then = await get(`/api/v1/measures/${measureId}?asOf=2024-05-31`);
  t.same(
    then.json<Measure>().ownerUnits.map((u) => u.name),
    old.ownerUnits.map((u) => u.name),
  );
  const taskThen = await get(`/api/v1/tasks/${old.taskId}?asOf=2024-05-31`);
  t.same(
    taskThen
      .json<{ measures: Measure[] }>()
      .measures.find((m) => m.id === measureId)
      ?.ownerUnits.map((u) => u.name),
    old.ownerUnits.map((u) => u.name),
  );

  const revisions = await get(`/api/v1/plans/1/revisions?entity=measure`);
  t.equal(revisions.statusCode, 200);
  const listed = revisions.json<{
    items: { id: number; action: string; reason: string; before: Measure & { ownerUnitIds: number[] }; after: { ownerUnitIds: number[] }; effectiveOn: string }[];
  }>();
  t.match(listed.items.at(-1), { id: result.revisionId, action: 'updated', reason: '机构改革后由市发改委牵头', effectiveOn: '2024-06-01' });
  t.same(
    listed.items.at(-1)?.before.ownerUnitIds,
    old.ownerUnits.map((u) => u.id),
  );
  const byUnit = await get(`/api/v1/plans/1/revisions?unit=${encodeURIComponent('市发改委')}`);
  t.ok(
    byUnit.json<{ items: { id: number }[] }>().items.some((r) => r.id === result.revisionId),
    'listed for the new owner',
  );
  const audited = rows<{ action: string }>(databasePath, "SELECT action FROM audit_events WHERE entity_type = 'measure' AND entity_id = ?", measureId);
  t.same(
    audited.map((a) => a.action),
    ['measure.amend'],
    'audited',
  );

  // The same change again changes nothing.
  const again = await send('PATCH', `/api/v1/measures/${measureId}`, { owners: ['市发改委'], reason: '重复' }, { ...admin.headers, 'if-match': result.etag });
  t.match(again.json(), { outcome: 'unchanged', revisionId: null, etag: result.etag });
});

t.test('retire and restore: out of the default lists, readable by id, back again', async (t) => {
  const etag = (await get(`/api/v1/measures/${measureId}`)).headers.etag as string;
  const retired = await send('DELETE', `/api/v1/measures/${measureId}`, { reason: '并入其他措施' }, { ...admin.headers, 'if-match': etag });
  t.equal(retired.statusCode, 200);
  const listed = await get(`/api/v1/measures?task=3&limit=500`);
  t.notOk(
    listed.json<{ items: Measure[] }>().items.some((m) => m.id === measureId),
    'not in the list',
  );
  const byId = await get(`/api/v1/measures/${measureId}`);
  t.equal(byId.statusCode, 200);
  t.equal(byId.json<Measure>().retiredAt, NOW.toISOString());
  t.same(owing(measureId), [], 'a retired measure is owed by no one');

  const restored = await send('POST', `/api/v1/measures/${measureId}/restore`, { reason: '恢复' }, { ...admin.headers, 'if-match': retired.json<{ etag: string }>().etag });
  t.equal(restored.statusCode, 200);
  t.same(owing(measureId), ['市发改委'], 'its owner owes it again');
  t.ok(
    (await get(`/api/v1/measures?task=3&limit=500`)).json<{ items: Measure[] }>().items.some((m) => m.id === measureId),
    'back in the list',
  );
});

t.test('a measure added to a task is owed from its effective day', async (t) => {
  const res = await send(
    'POST',
    '/api/v1/measures',
    {
      taskId: 3,
      text: '新增：按季度通报“双公示”合规率（市发改委）',
      owners: ['市发改委'],
      schedule: [{ kind: 'quarterly', dueDate: null, fromYear: 2024, untilYear: 2025, text: '每季度' }],
      reason: '市信用办会议决定',
      effectiveOn: '2024-06-01',
    },
    admin.headers,
  );
  t.equal(res.statusCode, 201);
  const { id } = res.json<{ id: number }>();
  t.equal(res.headers.location, `/api/v1/measures/${id}`);
  t.same(owing(id), ['市发改委']);
  const periods = rows<{ period: string }>(
    databasePath,
    'SELECT o.period FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE a.measure_id = ? ORDER BY o.due_date',
    id,
  );
  t.same(
    periods.map((p) => p.period),
    ['2024-Q2', '2024-Q3', '2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4'],
    'quarters from the effective day on',
  );
  t.equal((await get(`/api/v1/measures/${id}?asOf=2024-05-31`)).statusCode, 404, 'not in the plan as it stood before');
});

t.test('a task and a chapter are amended the same way', async (t) => {
  const task = await get('/api/v1/tasks/3');
  const renamed = await send('PATCH', '/api/v1/tasks/3', { title: '持续提升“双公示”质量', reason: '表述调整' }, { ...admin.headers, 'if-match': task.headers.etag as string });
  t.equal(renamed.statusCode, 200);
  t.equal((await get('/api/v1/tasks/3')).json<{ title: string }>().title, '持续提升“双公示”质量');
  t.equal((await get('/api/v1/tasks/3?asOf=2024-05-31')).json<{ title: string }>().title, task.json<{ title: string }>().title);
  const chapter = await send('PATCH', '/api/v1/chapters/1', { title: '主要任务指标（修订）', reason: '表述调整' }, { ...admin.headers, 'if-match': '*' });
  t.equal(chapter.statusCode, 200, 'If-Match: * amends whatever version is current');
  t.ok(
    (await get('/api/v1/chapters')).json<{ items: { title: string }[] }>().items.some((c) => c.title === '主要任务指标（修订）'),
    'the chapter list shows it',
  );
});

t.test('a target re-baselined from 2024 on leaves how 2023 is judged alone; the years it covers are judged against it', async (t) => {
  type Series = { years: { year: number; target: { comparator: string; value: number } | null }[] };
  const targetIn = (series: Series, year: number) => series.years.find((y) => y.year === year)?.target;
  const before = (await get('/api/v1/indicators/3/series')).json<Series>();
  t.same(targetIn(before, 2023), { comparator: '>', value: 98 });
  const res = await send(
    'PATCH',
    '/api/v1/indicators/3',
    {
      targets: [
        { year: 2023, comparator: '>=', value: 90 },
        { year: 2025, comparator: '>=', value: 99 },
      ],
      reason: '中期评估后调整目标',
      effectiveOn: '2024-01-01',
    },
    { ...admin.headers, 'if-match': '*' },
  );
  t.equal(res.statusCode, 200);
  const after = (await get('/api/v1/indicators/3/series')).json<Series>();
  t.same(targetIn(after, 2023), { comparator: '>', value: 98 }, '2023 is judged against the target in force in 2023');
  t.same(targetIn(after, 2025), { comparator: '>=', value: 99 }, '2025 against the new one');
  t.same(targetIn(after, 2022), { comparator: '>=', value: 95 }, 'a year the change does not touch keeps its target');
  const listed = (await get('/api/v1/indicators?task=3')).json<{ items: { id: number; targets: { year: number; value: number }[] }[] }>();
  t.same(
    listed.items.find((i) => i.id === 3)?.targets.map((x) => [x.year, x.value]),
    [
      [2022, 95],
      [2023, 90],
      [2025, 99],
    ],
    'the plan now holds the new targets',
  );
});

t.test('a retired milestone leaves the list of annual targets', async (t) => {
  const list = async () => (await get('/api/v1/milestones?task=3&limit=500')).json<{ items: { id: number }[] }>().items.map((m) => m.id);
  const [first] = await list();
  const res = await send('DELETE', `/api/v1/milestones/${first}`, { reason: '目标已并入年度总目标' }, { ...admin.headers, 'if-match': '*' });
  t.equal(res.statusCode, 200);
  t.notOk((await list()).includes(first!), 'gone from the list');
  const byId = await get(`/api/v1/milestones/${first}`);
  t.equal(byId.statusCode, 200, 'readable by id');
  t.equal(byId.json<{ retiredAt: string }>().retiredAt, NOW.toISOString());
  t.match(byId.headers.etag, /^"milestone-\d+\.\d+"$/);
  t.equal((await get('/api/v1/milestones/999999')).statusCode, 404);
  t.match((await get('/api/v1/chapters/1')).json(), { id: 1, retiredAt: null });
  t.match((await get('/api/v1/indicators/3')).json(), { id: 3, name: '“双公示”合规率' });
  const revision = await get(`/api/v1/plans/1/revisions?entity=milestone&entityId=${first}`);
  t.match(revision.json(), { total: 1, items: [{ action: 'retired', reason: '目标已并入年度总目标' }] });
});

t.test('a chapter, a task, a milestone and an indicator are added under parents in the plan', async (t) => {
  const chapter = await send('POST', '/api/v1/chapters', { planId: 1, title: '补充任务', reason: '中期评估新增' }, admin.headers);
  t.equal(chapter.statusCode, 201);
  const chapterId = chapter.json<{ id: number }>().id;
  t.equal(chapter.headers.location, `/api/v1/chapters/${chapterId}`);
  const task = await send(
    'POST',
    '/api/v1/tasks',
    { chapterId, no: 76, title: '推进信用修复“一网通办”', leadUnits: ['市发改委'], responsibleUnits: ['市民政局'], reason: '中期评估新增任务' },
    admin.headers,
  );
  t.equal(task.statusCode, 201);
  const taskId = task.json<{ id: number }>().id;
  const read = (await get(`/api/v1/tasks/${taskId}`)).json<{ no: number; chapter: { id: number }; leadUnits: Unit[]; responsibleUnits: Unit[] }>();
  t.match(read, { no: 76, chapter: { id: chapterId } });
  t.same(
    read.leadUnits.map((u) => u.name),
    ['市发改委'],
  );
  t.equal(
    (await send('POST', '/api/v1/tasks', { chapterId, no: 76, title: '重复', leadUnits: ['市发改委'], reason: 'x' }, admin.headers)).statusCode,
    409,
    'a task number is unique',
  );
  t.equal(
    (await send('POST', '/api/v1/tasks', { chapterId: 99999, no: 77, title: 'x', leadUnits: ['市发改委'], reason: 'x' }, admin.headers)).statusCode,
    422,
    'under a chapter that does not exist',
  );

  // A measure naming no owner is owed by its task's responsible units.
  const measure = await send(
    'POST',
    '/api/v1/measures',
    { taskId, text: '建立信用修复线上受理渠道', schedule: [{ kind: 'once', dueDate: '2024-12-31', fromYear: null, untilYear: null, text: '2024年底前' }], reason: '新增' },
    admin.headers,
  );
  t.equal(measure.statusCode, 201);
  const measureId = measure.json<{ id: number }>().id;
  t.same(owing(measureId), ['市民政局']);

  const milestone = await send('POST', '/api/v1/milestones', { measureId, kind: 'due', year: 2024, dueDate: '2024-12-31', text: '2024年底前上线', reason: '新增' }, admin.headers);
  t.equal(milestone.statusCode, 201);
  t.ok(
    (await get(`/api/v1/milestones?task=${taskId}`)).json<{ items: { id: number }[] }>().items.some((m) => m.id === milestone.json<{ id: number }>().id),
    'the milestone is listed',
  );
  const indicator = await send(
    'POST',
    '/api/v1/indicators',
    { taskId, name: '信用修复线上办理率', comparator: '>=', value: 90, unit: '%', direction: 'increase', targetYear: 2025, reason: '新增指标' },
    admin.headers,
  );
  t.equal(indicator.statusCode, 201);
  const series = await get(`/api/v1/indicators/${indicator.json<{ id: number }>().id}/series`);
  t.equal(series.statusCode, 200, 'a new indicator is judged like the others');

  // Under a retired parent nothing new goes.
  const etag = (await get(`/api/v1/tasks/${taskId}`)).headers.etag as string;
  t.equal((await send('DELETE', `/api/v1/tasks/${taskId}`, { reason: '撤销' }, { ...admin.headers, 'if-match': etag })).statusCode, 200);
  t.same(owing(measureId), [], 'a retired task’s measures are owed by no one');
  t.equal((await send('POST', '/api/v1/measures', { taskId, text: 'x', reason: 'x' }, admin.headers)).statusCode, 409);
  const created = await get(`/api/v1/plans/1/revisions?entity=task&entityId=${taskId}`);
  t.same(
    created.json<{ items: { action: string }[] }>().items.map((r) => r.action),
    ['created', 'retired'],
  );
});

t.test('a schedule shortened from the effective day: later periods are waived by the revision, earlier ones kept', async (t) => {
  // Measure 6 (市营商环境局) is continuous work 2022–2025: one obligation a year from the plan's publication (2023) on.
  const obligations = () =>
    rows<{ period: string; waivedBy: number | null }>(
      databasePath,
      'SELECT o.period, o.waived_by_revision_id AS waivedBy FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE a.measure_id = 6 ORDER BY o.due_date',
    );
  t.same(
    obligations().map((o) => o.period),
    ['2023', '2024', '2025'],
  );
  const res = await send(
    'PATCH',
    '/api/v1/measures/6',
    { schedule: [{ kind: 'continuous', dueDate: null, fromYear: 2022, untilYear: 2024, text: '2022—2024年持续推进' }], reason: '提前完成', effectiveOn: '2024-06-01' },
    { ...admin.headers, 'if-match': '*' },
  );
  t.equal(res.statusCode, 200);
  const { revisionId } = res.json<{ revisionId: number }>();
  t.same(obligations(), [
    { period: '2023', waivedBy: null },
    { period: '2024', waivedBy: null },
    { period: '2025', waivedBy: revisionId },
  ]);
  const owed = await get('/api/v1/obligations?unit=' + encodeURIComponent('市营商环境局') + '&year=2025&limit=500', admin.headers);
  const mine = owed.json<{ items: { measure: { id: number }; state: string }[] }>().items.filter((o) => o.measure.id === 6);
  t.same(
    mine.map((o) => o.state),
    ['waived'],
    'the 2025 obligation is waived',
  );
});
