/**
 * Reminders that reach people, end to end: a real SMTP server and a fake WeCom and DingTalk robot on loopback, the
 * app's clock moved through one obligation's life (市财政局's 2024-H1, due 2024-06-30): nothing before its warning
 * window, one 临近提醒 per contact and channel in it, one 到期催办 the day after, one 逾期第1周催办 a week later, one
 * 报告被退回 for a returned report — and never twice: sweeping again, after a restart, and from a second app on the
 * same database file.
 */
import t from 'tap';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppConfig } from '../../../src/app.js';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { startMailServer } from '../../helpers/mail.js';
import { startRobot } from '../../helpers/robot.js';

const root = t;
const mail = await startMailServer(t);
const robot = await startRobot(t);
let clock = new Date('2024-05-30T09:00:00+08:00');
const at = (instant: string) => {
  clock = new Date(instant);
};
const options: Omit<AppConfig, 'databasePath' | 'logLevel'> = {
  now: () => clock,
  publicBaseUrl: 'https://xy.suihua.gov.cn',
  reminders: { smtpUrl: mail.url, smtpFrom: '绥化市营商环境局督办 <duban@suihua.gov.cn>', robotOrigins: { wecom: [robot.origin], dingtalk: [robot.origin] }, sendTimeoutMs: 5000 },
};
const built = await buildTestAppWithDatabase(t, options);
let app: FastifyInstance = built.app;
const { databasePath } = built;

const keys = { admin: issueKey(databasePath, 'admin'), coordinator: issueKey(databasePath, 'coordinator'), finance: issueKey(databasePath, 'reporter', '市财政局') };
const json = <T>(res: LightMyRequestResponse, status = 200): T => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
};

const finance = rows<{ id: number }>(databasePath, "SELECT id FROM units WHERE name = '市财政局'")[0]!.id;
// 市财政局's only obligation due mid-2024: the half-yearly measure's first half.
const obligation = rows<{ id: number; assignmentId: number; measureId: number }>(
  databasePath,
  `SELECT o.id, o.assignment_id AS assignmentId, a.measure_id AS measureId FROM obligations o JOIN assignments a ON a.id = o.assignment_id
   WHERE a.unit_id = ? AND o.due_date = '2024-06-30'`,
  finance,
);
t.equal(obligation.length, 1, 'the unit owes one obligation due 2024-06-30');
const { id: obligationId, assignmentId, measureId } = obligation[0]!;

interface Reminder {
  id: number;
  stage: string;
  stageKey: string;
  week: number | null;
  obligation: { id: number; assignmentId: number; dueDate: string; measure: { taskNo: number; no: number | null } };
  unit: { name: string };
  report: { id: number; note: string | null } | null;
  subject: string;
  text: string;
  messages: { channel: string; recipient: string; state: string; attempts: number; sentAt: string | null; lastError: string | null }[];
}
const remindersOf = async (query = '') =>
  json<{ items: Reminder[] }>(await app.inject({ url: `/api/v1/reminders?unit=${finance}&limit=500${query}`, headers: keys.admin.headers })).items.filter(
    (r) => r.obligation.id === obligationId,
  );
const sweepAndSend = async () => {
  const swept = await app.reminders.sweep();
  const sent = await app.reminders.deliver();
  return { swept, sent };
};
const counts = () => ({ mail: mail.received.length, robot: robot.posts.length });

t.test('contacts of the unit: one with e-mail and a WeCom robot, one with a DingTalk robot', async (t) => {
  json(
    await app.inject({
      method: 'POST',
      url: `/api/v1/units/${finance}/contacts`,
      headers: keys.finance.headers,
      payload: { name: '王芳（办公室）', email: 'wangfang@czj.suihua.gov.cn', robot: { kind: 'wecom', url: robot.wecom('wecom-finance-0001') } },
    }),
    201,
  );
  json(
    await app.inject({
      method: 'POST',
      url: `/api/v1/units/${finance}/contacts`,
      headers: keys.coordinator.headers,
      payload: { name: '财政局工作群', robot: { kind: 'dingtalk', url: robot.dingtalk('dingfinance0001') } },
    }),
    201,
  );
  t.equal(json<{ items: unknown[] }>(await app.inject({ url: `/api/v1/units/${finance}/contacts`, headers: keys.finance.headers })).items.length, 2);
});

t.test('before the warning window: nothing', async (t) => {
  at('2024-05-30T23:59:00+08:00'); // 31 days and a minute before the end of the due date: still green
  await sweepAndSend();
  t.same(await remindersOf(), []);
  t.same(counts(), { mail: 0, robot: 0 }, 'nothing reached the unit');
});

t.test('into the window: one 临近提醒 per contact and channel, in Chinese, naming the measure, due date and link', async (t) => {
  at('2024-05-31T08:30:00+08:00');
  await sweepAndSend();
  const [reminder, ...more] = await remindersOf();
  t.same(more, [], 'one reminder');
  t.equal(reminder!.stage, 'due_soon');
  t.same(counts(), { mail: 1, robot: 2 }, 'one e-mail, one WeCom post, one DingTalk post');
  const email = mail.received[0]!;
  t.same(email.to, ['wangfang@czj.suihua.gov.cn']);
  t.equal(email.from, 'duban@suihua.gov.cn');
  t.match(email.subject, /^【临近提醒】市财政局：任务\d+ 措施\d+（2024-H1，截止 2024-06-30）$/, 'the subject arrives decoded, in Chinese');
  t.match(email.text, /单位：市财政局/);
  t.match(email.text, /距截止日期还有 30 天（2024-06-30）/);
  t.match(email.text, new RegExp(`https://xy\\.suihua\\.gov\\.cn/api/v1/assignments/${assignmentId}`), 'the link to the assignment');
  t.notMatch(email.text, /\*\*|###/, 'e-mail is plain text');
  const measureText = rows<{ text: string }>(databasePath, 'SELECT text FROM measures WHERE id = ?', measureId)[0]!.text;
  t.ok(email.text.includes([...measureText.replace(/\s+/g, ' ')].slice(0, 20).join('')), 'the measure’s text');
  const wecom = robot.posts.find((p) => p.path === '/cgi-bin/webhook/send')!;
  t.equal(wecom.token, 'wecom-finance-0001');
  t.equal(wecom.body.msgtype, 'markdown');
  t.match(wecom.body.markdown.content, /^### 【临近提醒】任务\d+ 措施\d+\n\n\*\*单位\*\*：市财政局/);
  const dingtalk = robot.posts.find((p) => p.path === '/robot/send')!;
  t.equal(dingtalk.body.markdown.title, email.subject);
  t.match(dingtalk.body.markdown.text, /截止日期 2024-06-30/);
  t.same(
    reminder!.messages.map((m) => [m.channel, m.state, m.attempts, m.sentAt]),
    [
      ['email', 'sent', 1, clock.toISOString()],
      ['wecom', 'sent', 1, clock.toISOString()],
      ['dingtalk', 'sent', 1, clock.toISOString()],
    ],
    'GET /reminders shows each delivery',
  );
});

t.test('sweeping again at the same instant, and later on the same stage: nothing more', async (t) => {
  await sweepAndSend();
  at('2024-06-20T10:00:00+08:00');
  await app.reminders.tick(); // what the timer runs: a sweep, then sending
  t.same(counts(), { mail: 1, robot: 2 });
  t.equal((await remindersOf()).length, 1);
});

t.test('the day after the due date: one 到期催办; a week later one 逾期第1周催办', async (t) => {
  at('2024-07-01T00:00:30+08:00');
  await sweepAndSend();
  t.same(counts(), { mail: 2, robot: 4 });
  t.match(mail.received[1]!.subject, /^【到期催办】市财政局：/);
  t.match(mail.received[1]!.text, /已于 2024-06-30 到期，尚未完成/);
  at('2024-07-07T23:00:00+08:00'); // six days and 23 hours overdue: still the first week
  await sweepAndSend();
  t.same(counts(), { mail: 2, robot: 4 });
  at('2024-07-08T00:00:00+08:00');
  await sweepAndSend();
  t.same(counts(), { mail: 3, robot: 6 });
  t.match(mail.received[2]!.subject, /^【逾期第1周催办】/);
  t.match(mail.received[2]!.text, /已逾期 1 周/);
  t.same(
    (await remindersOf()).map((r) => [r.stageKey, r.week]),
    [
      ['due_soon', null],
      ['overdue', null],
      ['still_overdue:1', 1],
    ],
  );
});

t.test('a returned report: one 报告被退回 with the reviewer’s note', async (t) => {
  at('2024-07-09T10:00:00+08:00');
  const report = json<{ id: number }>(
    await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: keys.finance.headers,
      payload: { measureId, period: '2024-H1', status: 'in_progress', narrative: '已完成上半年工作。', submit: true },
    }),
    201,
  );
  at('2024-07-09T15:00:00+08:00');
  json(await app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/return`, headers: keys.coordinator.headers, payload: { note: '请补充上半年资金拨付台账' } }));
  await sweepAndSend();
  t.same(counts(), { mail: 4, robot: 8 });
  t.match(mail.received[3]!.subject, /^【报告被退回】市财政局：/);
  t.match(mail.received[3]!.text, /审核意见：请补充上半年资金拨付台账/);
  t.match(mail.received[3]!.text, new RegExp(`进展报告（编号 ${report.id}）已被退回`));
  const returned = (await remindersOf('&stage=returned'))[0]!;
  t.same(returned.report, { id: report.id, note: '请补充上半年资金拨付台账' });
  t.equal(returned.stageKey, `returned:${report.id}:1`);

  // Resubmitted, and returned again: told again, with the new note.
  at('2024-07-10T10:00:00+08:00');
  json(
    await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: keys.finance.headers,
      payload: { measureId, period: '2024-H1', status: 'in_progress', narrative: '已补充台账。', submit: true },
    }),
  );
  await sweepAndSend();
  t.same(counts(), { mail: 4, robot: 8 }, 'a resubmission is not a reminder');
  json(await app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/return`, headers: keys.coordinator.headers, payload: { note: '台账缺少拨付凭证' } }));
  await sweepAndSend();
  t.same(counts(), { mail: 5, robot: 10 });
  t.match(mail.received[4]!.text, /审核意见：台账缺少拨付凭证/);
  t.same(
    (await remindersOf('&stage=returned')).map((r) => [r.stageKey, r.report?.note]),
    [
      [`returned:${report.id}:1`, '请补充上半年资金拨付台账'],
      [`returned:${report.id}:2`, '台账缺少拨付凭证'],
    ],
  );
});

t.test('the feed got obligation.due_soon and obligation.overdue once each, with the obligation as GET /obligations shows it', async (t) => {
  const feed = json<{ items: { type: string; resource: { id: number; href: string }; state: { assignmentId: number; dueDate: string } }[] }>(
    await app.inject({ url: `/api/v1/changes?types=obligation&unit=${finance}&limit=500`, headers: keys.admin.headers }),
  ).items.filter((c) => c.resource.id === obligationId);
  t.same(
    feed.map((c) => c.type),
    ['obligation.due_soon', 'obligation.overdue'],
  );
  t.equal(feed[0]!.resource.href, `/api/v1/assignments/${assignmentId}`);
  t.match(feed[0]!.state, { id: obligationId, assignmentId, dueDate: '2024-06-30', state: 'pending', light: 'yellow' });
  t.match(feed[1]!.state, { state: 'overdue', light: 'red' });
});

t.test('a restart on the same database file, sweeping at the same instant: nothing sent twice', async (t) => {
  await app.close();
  const restarted = await buildApp({ databasePath, logLevel: 'silent', ...options });
  app = restarted;
  root.teardown(() => restarted.close());
  const before = counts();
  const { swept, sent } = await sweepAndSend();
  t.same(swept, { reminders: 0, messages: 0, changes: 0 });
  t.same(sent, { sent: 0, retried: 0, failed: 0 });
  t.same(counts(), before);
});

t.test('a second app on the same file sweeping at the same instant: nothing sent twice', async (t) => {
  const second = await buildApp({ databasePath, logLevel: 'silent', ...options });
  t.teardown(() => second.close());
  at('2024-07-15T00:00:00+08:00'); // the second week overdue
  await app.reminders.sweep();
  const swept = await second.reminders.sweep();
  t.equal(swept.reminders, 0, 'the second found the stage recorded');
  // The first app claims the messages and is still waiting for the robots when the second looks for work.
  const posted = robot.posts.length;
  robot.hold();
  const first = app.reminders.deliver();
  await robot.arrived(posted + 2); // both robots' posts in flight: the claim is committed
  t.same(await second.reminders.deliver(), { sent: 0, retried: 0, failed: 0 }, 'the second finds every message claimed');
  robot.release();
  t.same(await first, { sent: 3, retried: 0, failed: 0 });
  t.same(await second.reminders.deliver(), { sent: 0, retried: 0, failed: 0 }, 'and afterwards nothing pending');
  t.same(counts(), { mail: 6, robot: 12 }, 'one message per contact and channel for the second week');
  t.match(mail.received[5]!.subject, /^【逾期第2周催办】/);
});

t.test('GET /reminders pages with a cursor and filters by stage and time', async (t) => {
  const all = await remindersOf();
  t.same(
    all.map((r) => r.stageKey),
    ['due_soon', 'overdue', 'still_overdue:1', all[3]!.stageKey, all[4]!.stageKey, 'still_overdue:2'],
  );
  const first = json<{ items: Reminder[]; nextCursor: number; hasMore: boolean }>(
    await app.inject({ url: `/api/v1/reminders?unit=${finance}&limit=1`, headers: keys.admin.headers }),
  );
  t.equal(first.items.length, 1);
  t.ok(first.hasMore);
  t.equal(first.nextCursor, first.items[0]!.id);
  const next = json<{ items: Reminder[] }>(await app.inject({ url: `/api/v1/reminders?unit=${finance}&limit=500&after=${first.nextCursor}`, headers: keys.admin.headers }));
  t.notOk(
    next.items.some((r) => r.id <= first.nextCursor),
    'after the cursor only',
  );
  t.same(
    (await remindersOf('&since=2024-07-08')).map((r) => r.stageKey),
    ['still_overdue:1', all[3]!.stageKey, all[4]!.stageKey, 'still_overdue:2'],
    'a plain date: from the start of that day',
  );
  t.same(
    (await remindersOf('&stage=still_overdue')).map((r) => r.week),
    [1, 2],
  );
  const own = json<{ items: Reminder[] }>(await app.inject({ url: '/api/v1/reminders?limit=500', headers: keys.finance.headers })).items;
  t.ok(own.length > 0 && own.every((r) => r.unit.name === '市财政局'), 'a reporter sees its own unit’s');
  t.ok(
    own.flatMap((r) => r.messages).every((m) => m.channel !== 'email' || m.recipient === 'w***@czj.suihua.gov.cn'),
    'e-mail masked for a reporter',
  );
  t.ok(
    all.flatMap((r) => r.messages).some((m) => m.recipient === 'wangfang@czj.suihua.gov.cn'),
    'shown whole to an admin',
  );
  t.ok(
    all.flatMap((r) => r.messages).every((m) => m.channel === 'email' || /=\*\*\*\*\w{4}$/.test(m.recipient)),
    'a robot’s token hidden from everyone',
  );
});
