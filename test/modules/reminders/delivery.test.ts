/**
 * When reminders cannot be delivered: an SMTP server refusing (421) is retried with backoff and given up after the
 * last attempt, a robot answering errcode ≠ 0 fails at once, a robot that does not answer times out, no SMTP
 * configured fails e-mail with a reason while robots still go, a removed contact is not written to; and the metrics
 * count it all by channel and stage.
 */
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { startMailServer } from '../../helpers/mail.js';
import { parsePrometheusText, sampleValue } from '../../helpers/prometheus-text.js';
import { startRobot } from '../../helpers/robot.js';

const mail = await startMailServer(t);
const robot = await startRobot(t, {
  'wecom-revoked-key': { errcode: 93000, errmsg: 'invalid webhook url' },
  dingstatus500xx: { status: 502, body: 'Bad Gateway' },
  dingstatus404xx: { status: 404, body: 'Not Found' },
  dingnotjson0001: { status: 200, body: '<html>login</html>' },
  dingslowdown001: { errcode: 130101, errmsg: 'send too fast' },
});
let clock = new Date('2024-05-31T09:00:00+08:00');
const minutes = (n: number) => {
  clock = new Date(clock.getTime() + n * 60_000);
};
const robotOrigins = { wecom: [robot.origin], dingtalk: [robot.origin] };

interface Message {
  channel: string;
  contact: { name: string };
  state: string;
  attempts: number;
  nextAttemptAt: string;
  sentAt: string | null;
  lastError: string | null;
}
async function setUp(reminders: object) {
  const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock, reminders: { robotOrigins, ...reminders } });
  const admin = issueKey(databasePath, 'admin');
  const finance = rows<{ id: number }>(databasePath, "SELECT id FROM units WHERE name = '市财政局'")[0]!.id;
  const addContact = async (payload: object) =>
    (await app.inject({ method: 'POST', url: `/api/v1/units/${finance}/contacts`, headers: admin.headers, payload })).json() as { id: number };
  const messages = async (stage: string) => {
    const page = (await app.inject({ url: `/api/v1/reminders?unit=${finance}&stage=${stage}&limit=500`, headers: admin.headers })).json() as {
      items: { obligation: { dueDate: string }; messages: Message[] }[];
    };
    return page.items.filter((r) => r.obligation.dueDate === '2024-06-30').flatMap((r) => r.messages);
  };
  return { app, admin, finance, addContact, messages };
}

const smtp = await setUp({ smtpUrl: mail.url, smtpFrom: 'duban@suihua.gov.cn' });

t.test('SMTP refusing: failed attempts recorded with the error, retried with backoff, given up after the fifth', async (t) => {
  await smtp.addContact({ name: '王芳', email: 'wangfang@czj.suihua.gov.cn', robot: { kind: 'wecom', url: robot.wecom('wecom-revoked-key') } });
  mail.state.refuse = true;
  await smtp.app.reminders.sweep();
  t.same(await smtp.app.reminders.deliver(), { sent: 0, retried: 1, failed: 1 });
  const [email, wecom] = await smtp.messages('due_soon');
  t.match(email, { channel: 'email', state: 'pending', attempts: 1, nextAttemptAt: new Date(clock.getTime() + 60_000).toISOString(), lastError: /421/ });
  t.match(wecom, { channel: 'wecom', state: 'failed', attempts: 1, lastError: 'robot answered errcode 93000: invalid webhook url' }, 'a revoked robot key is final');
  t.same(await smtp.app.reminders.deliver(), { sent: 0, retried: 0, failed: 0 }, 'nothing is due before the backoff');
  for (const [wait, attempts] of [
    [1, 2],
    [4, 3],
    [16, 4],
  ] as const) {
    minutes(wait);
    t.same(await smtp.app.reminders.deliver(), { sent: 0, retried: 1, failed: 0 }, `attempt ${attempts}`);
    t.match((await smtp.messages('due_soon'))[0], { state: 'pending', attempts });
  }
  minutes(64);
  t.same(await smtp.app.reminders.deliver(), { sent: 0, retried: 0, failed: 1 });
  t.match((await smtp.messages('due_soon'))[0], { state: 'failed', attempts: 5, lastError: /421/, sentAt: null });
  t.equal(mail.received.length, 0);
  t.equal(robot.posts.length, 1, 'the robot was tried once');
});

t.test('the SMTP server back: the next reminder is sent; a contact removed before sending is not written to', async (t) => {
  mail.state.refuse = false;
  const leaving = await smtp.addContact({ name: '即将调离', email: 'leaving@czj.suihua.gov.cn' });
  clock = new Date('2024-07-01T09:00:00+08:00');
  await smtp.app.reminders.sweep();
  await smtp.app.inject({ method: 'DELETE', url: `/api/v1/units/${smtp.finance}/contacts/${leaving.id}`, headers: smtp.admin.headers });
  t.same(await smtp.app.reminders.deliver(), { sent: 1, retried: 0, failed: 2 });
  const messages = await smtp.messages('overdue');
  t.match(
    messages.map((m) => [m.contact.name, m.channel, m.state, m.lastError]),
    [
      ['王芳', 'email', 'sent', null],
      ['王芳', 'wecom', 'failed', /errcode 93000/],
      ['即将调离', 'email', 'failed', /contact removed/],
    ],
  );
  t.same(
    mail.received.map((m) => m.to),
    [['wangfang@czj.suihua.gov.cn']],
  );
});

t.test('metrics count messages by channel, stage and outcome', async (t) => {
  const text = (await smtp.app.inject('/metrics')).body;
  const families = parsePrometheusText(text);
  const count = (labels: Record<string, string>) => sampleValue(families, 'plan_tracker_reminder_messages_total', labels);
  t.equal(count({ channel: 'email', stage: 'due_soon', outcome: 'retry' }), 4);
  t.equal(count({ channel: 'email', stage: 'due_soon', outcome: 'failed' }), 1);
  t.equal(count({ channel: 'wecom', stage: 'due_soon', outcome: 'failed' }), 1);
  t.equal(count({ channel: 'email', stage: 'overdue', outcome: 'sent' }), 1);
  t.equal(count({ channel: 'email', stage: 'overdue', outcome: 'failed' }), 1);
  t.match(text, /plan_tracker_reminder_sweep_seconds_count 2/, 'both sweeps timed');
});

t.test('a mailbox the server does not know: failed at once, the error showing the address masked', async (t) => {
  mail.state.unknownMailboxes.add('gone@czj.suihua.gov.cn');
  await smtp.addContact({ name: '已离职', email: 'gone@czj.suihua.gov.cn' });
  clock = new Date('2024-07-08T09:00:00+08:00');
  await smtp.app.reminders.sweep();
  t.same(await smtp.app.reminders.deliver(), { sent: 1, retried: 0, failed: 2 });
  const gone = (await smtp.messages('still_overdue')).find((m) => m.contact.name === '已离职')!;
  t.match(gone, { state: 'failed', attempts: 1, lastError: /550/ });
  t.match(gone.lastError, 'g***@czj.suihua.gov.cn');
  t.notMatch(gone.lastError, 'gone@', 'the address is not kept in the error');
});

t.test('robots answering otherwise: a gateway error and "send too fast" are retried, a 404 and a page that is not JSON fail', async (t) => {
  for (const token of ['dingstatus500xx', 'dingstatus404xx', 'dingnotjson0001', 'dingslowdown001'])
    await smtp.addContact({ name: token, robot: { kind: 'dingtalk', url: robot.dingtalk(token) } });
  clock = new Date('2024-07-15T09:00:00+08:00');
  await smtp.app.reminders.sweep();
  await smtp.app.reminders.deliver();
  const byName = new Map((await smtp.messages('still_overdue')).filter((m) => m.channel === 'dingtalk').map((m) => [m.contact.name, m]));
  t.match(byName.get('dingstatus500xx'), { state: 'pending', lastError: 'robot answered HTTP 502' });
  t.match(byName.get('dingslowdown001'), { state: 'pending', lastError: 'robot answered errcode 130101: send too fast' });
  t.match(byName.get('dingstatus404xx'), { state: 'failed', lastError: 'robot answered HTTP 404' });
  t.match(byName.get('dingnotjson0001'), { state: 'failed', lastError: 'robot answered HTTP 200 without JSON: <html>login</html>' });
});

t.test('no SMTP configured: e-mail fails with the reason at once; a robot that does not answer times out and is retried', async (t) => {
  clock = new Date('2024-05-31T09:00:00+08:00');
  const bare: { app: FastifyInstance; addContact: (payload: object) => Promise<unknown>; messages: (stage: string) => Promise<Message[]> } = await setUp({ sendTimeoutMs: 300 });
  await bare.addContact({ name: '值班室', email: 'zhiban@czj.suihua.gov.cn', robot: { kind: 'dingtalk', url: robot.dingtalk('dingsilent0001') } });
  await bare.app.reminders.sweep();
  robot.hold();
  t.teardown(() => robot.release());
  t.same(await bare.app.reminders.deliver(), { sent: 0, retried: 1, failed: 1 });
  const [email, dingtalk] = await bare.messages('due_soon');
  t.match(email, { state: 'failed', attempts: 1, lastError: /e-mail is not configured: set SMTP_URL and SMTP_FROM \(未配置邮件服务器\)/ });
  t.match(dingtalk, { state: 'pending', attempts: 1, lastError: 'robot unreachable: no answer within 300 ms' });
});
