/**
 * An obligation that comes to exist already inside its warning window — a unit added to a measure ten days before the
 * due date (warning 30 days, catch-up 7) — is told 临近提醒 at the next sweep: its due-soon stage begins when it was
 * assigned (or reinstated, or its due date moved by an amendment), not thirty days before, when it was not owed.
 */
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { startRobot } from '../../helpers/robot.js';

const robot = await startRobot(t);
let clock = new Date('2024-05-01T10:00:00+08:00');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock, reminders: { robotOrigins: { wecom: [robot.origin], dingtalk: [robot.origin] } } });
const admin = issueKey(databasePath, 'admin');
const json = <T>(res: LightMyRequestResponse, status = 200): T => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
};
// The half-yearly measure 市财政局 owes (2024-H1 due 2024-06-30), and a unit that does not owe it yet.
const { measureId } = rows<{ measureId: number }>(
  databasePath,
  `SELECT a.measure_id AS measureId FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN units u ON u.id = a.unit_id
   WHERE u.name = '市财政局' AND o.due_date = '2024-06-30'`,
)[0]!;
const civil = rows<{ id: number }>(databasePath, "SELECT id FROM units WHERE name = '市民政局'")[0]!.id;
t.same(rows(databasePath, 'SELECT id FROM assignments WHERE measure_id = ? AND unit_id = ?', measureId, civil), [], '市民政局 does not owe the measure yet');

t.test('reinstated ten days before the due date, withdrawn since before its window: told due soon at the next sweep', async (t) => {
  const market = rows<{ id: number }>(databasePath, "SELECT id FROM units WHERE name = '市市场监管局'")[0]!.id;
  json(
    await app.inject({
      method: 'POST',
      url: `/api/v1/units/${market}/contacts`,
      headers: admin.headers,
      payload: { name: '市场监管局群', robot: { kind: 'wecom', url: robot.wecom('wecom-market-0001') } },
    }),
    201,
  );
  const assign = () =>
    app.inject({ method: 'POST', url: '/api/v1/assignments', headers: admin.headers, payload: { measureId, unit: market, reason: '会议决定由市市场监管局共同负责' } });
  const { assignment } = json<{ assignment: { id: number } }>(await assign(), 201);
  clock = new Date('2024-05-02T10:00:00+08:00');
  json(await app.inject({ method: 'POST', url: `/api/v1/assignments/${assignment.id}/withdraw`, headers: admin.headers, payload: { reason: '经协调不再承担' } }));
  clock = new Date('2024-06-20T10:00:00+08:00');
  t.equal(json<{ outcome: string }>(await assign()).outcome, 'updated', 'reinstated');
  clock = new Date('2024-06-21T09:00:00+08:00');
  await app.reminders.sweep();
  await app.reminders.deliver();
  const reminders = json<{ items: { stage: string; obligation: { dueDate: string } }[] }>(
    await app.inject({ url: `/api/v1/reminders?unit=${market}&limit=500`, headers: admin.headers }),
  ).items;
  t.same(
    reminders.map((r) => [r.stage, r.obligation.dueDate]),
    [['due_soon', '2024-06-30']],
  );
  t.same(
    robot.posts.map((p) => p.token),
    ['wecom-market-0001'],
  );
});

t.test('assigned ten days before the due date: told due soon at the next sweep, once', async (t) => {
  clock = new Date('2024-06-20T10:00:00+08:00');
  robot.posts.length = 0;
  json(
    await app.inject({
      method: 'POST',
      url: `/api/v1/units/${civil}/contacts`,
      headers: admin.headers,
      payload: { name: '民政局工作群', robot: { kind: 'wecom', url: robot.wecom('wecom-civil-0001') } },
    }),
    201,
  );
  const added = json<{ assignment: { id: number } }>(
    await app.inject({ method: 'POST', url: '/api/v1/assignments', headers: admin.headers, payload: { measureId, unit: civil, reason: '会议决定由市民政局共同负责' } }),
    201,
  );
  clock = new Date('2024-06-21T09:00:00+08:00');
  await app.reminders.sweep();
  t.same(await app.reminders.deliver(), { sent: 1, retried: 0, failed: 0 });
  const reminders = json<{ items: { stage: string; obligation: { assignmentId: number; dueDate: string } }[] }>(
    await app.inject({ url: `/api/v1/reminders?unit=${civil}&limit=500`, headers: admin.headers }),
  ).items;
  t.same(
    reminders.map((r) => [r.stage, r.obligation.assignmentId, r.obligation.dueDate]),
    [['due_soon', added.assignment.id, '2024-06-30']],
  );
  t.match(robot.posts[0]!.body.markdown.content, /^### 【临近提醒】/);
  t.match(robot.posts[0]!.body.markdown.content, /距截止日期还有 9 天（2024-06-30）/);
  clock = new Date('2024-06-25T09:00:00+08:00');
  await app.reminders.sweep();
  await app.reminders.deliver();
  t.equal(robot.posts.length, 1, 'not told twice');
});

t.test('re-dated by an amendment to ten days ahead: told due soon at the next sweep', async (t) => {
  // Measure 13 is owed once by 市住建局, by 2024-12-31; an amendment brings it forward to 2024-07-05.
  const housing = rows<{ id: number }>(databasePath, "SELECT id FROM units WHERE name = '市住建局'")[0]!.id;
  json(
    await app.inject({
      method: 'POST',
      url: `/api/v1/units/${housing}/contacts`,
      headers: admin.headers,
      payload: { name: '住建局群', robot: { kind: 'wecom', url: robot.wecom('wecom-housing-001') } },
    }),
    201,
  );
  clock = new Date('2024-06-25T10:00:00+08:00');
  json(
    await app.inject({
      method: 'PATCH',
      url: '/api/v1/measures/13',
      headers: { ...admin.headers, 'if-match': '*' },
      payload: { schedule: [{ kind: 'once', dueDate: '2024-07-05', fromYear: null, untilYear: null, text: '2024年7月5日前' }], reason: '市政府会议要求提前完成' },
    }),
  );
  t.same(
    rows(
      databasePath,
      'SELECT o.due_date AS dueDate, o.waived_at IS NOT NULL AS waived FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE a.measure_id = 13 ORDER BY o.due_date',
    ),
    [
      { dueDate: '2024-07-05', waived: 0 },
      { dueDate: '2024-12-31', waived: 1 },
    ],
    'the period re-dated',
  );
  robot.posts.length = 0;
  clock = new Date('2024-06-26T09:00:00+08:00');
  await app.reminders.sweep();
  await app.reminders.deliver();
  const reminders = json<{ items: { stage: string; obligation: { dueDate: string } }[] }>(
    await app.inject({ url: `/api/v1/reminders?unit=${housing}&limit=500`, headers: admin.headers }),
  ).items;
  t.same(
    reminders.map((r) => [r.stage, r.obligation.dueDate]),
    [['due_soon', '2024-07-05']],
  );
  t.same(
    robot.posts.map((p) => p.token),
    ['wecom-housing-001'],
  );
});

t.test('added by an amendment dated back to before the window: told due soon at the next sweep, counted from the act', async (t) => {
  const education = rows<{ id: number }>(databasePath, "SELECT id FROM units WHERE name = '市教育局'")[0]!.id;
  json(
    await app.inject({
      method: 'POST',
      url: `/api/v1/units/${education}/contacts`,
      headers: admin.headers,
      payload: { name: '教育局群', robot: { kind: 'wecom', url: robot.wecom('wecom-education-1') } },
    }),
    201,
  );
  clock = new Date('2024-06-26T10:00:00+08:00');
  json(
    await app.inject({
      method: 'PATCH',
      url: '/api/v1/measures/13',
      headers: { ...admin.headers, 'if-match': '*' },
      payload: { owners: ['市住建局', '市教育局'], reason: '市政府会议决定市教育局共同负责', effectiveOn: '2024-06-01' },
    }),
  );
  t.same(
    rows(databasePath, 'SELECT a.assigned_at AS assignedAt FROM assignments a WHERE a.measure_id = 13 AND a.unit_id = ?', education),
    [{ assignedAt: '2024-05-31T16:00:00.000Z' }],
    'assigned as of the effective day, before the due date turned yellow',
  );
  robot.posts.length = 0;
  clock = new Date('2024-06-27T09:00:00+08:00');
  await app.reminders.sweep();
  await app.reminders.deliver();
  const reminders = json<{ items: { stage: string; obligation: { dueDate: string } }[] }>(
    await app.inject({ url: `/api/v1/reminders?unit=${education}&limit=500`, headers: admin.headers }),
  ).items;
  t.same(
    reminders.map((r) => [r.stage, r.obligation.dueDate]),
    [['due_soon', '2024-07-05']],
  );
  t.same(
    robot.posts.map((p) => p.token),
    ['wecom-education-1'],
  );
});
