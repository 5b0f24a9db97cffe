/**
 * Every attempt ends by the send timeout, whatever the other side does: a robot that never answers, and a mail server
 * that keeps the connection busy with an answer it never finishes (an inactivity timeout alone would wait for ever).
 * AbortSignal.timeout is made never to fire here, as it was seen not to on Node 20 under load: the bound must be the
 * sender's own timer. The tick must end, or it would hold every later reminder and outlast the message's claim.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { startTricklingMailServer } from '../../helpers/mail.js';
import { startRobot } from '../../helpers/robot.js';

const timeout = AbortSignal.timeout;
AbortSignal.timeout = () => new AbortController().signal;
t.teardown(() => {
  AbortSignal.timeout = timeout;
});

const robot = await startRobot(t);
const mail = await startTricklingMailServer(t);
const clock = new Date('2024-05-31T09:00:00+08:00'); // 市财政局's 2024-H1 (due 2024-06-30) is due soon
const { app, databasePath } = await buildTestAppWithDatabase(t, {
  now: () => clock,
  reminders: { smtpUrl: mail.url, smtpFrom: 'duban@suihua.gov.cn', sendTimeoutMs: 300, robotOrigins: { wecom: [robot.origin], dingtalk: [robot.origin] } },
});
const admin = issueKey(databasePath, 'admin');
const finance = rows<{ id: number }>(databasePath, "SELECT id FROM units WHERE name = '市财政局'")[0]!.id;

/** What `work` gave, or 'still running' if it had not ended within `ms` (far beyond the 300 ms timeout). */
const within = <T>(ms: number, work: Promise<T>) => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
};

t.test('a robot holding its answer and a trickling mail server: the attempts end, failed, to be retried', async (t) => {
  const added = await app.inject({
    method: 'POST',
    url: `/api/v1/units/${finance}/contacts`,
    headers: admin.headers,
    payload: { name: '王芳', email: 'wangfang@czj.suihua.gov.cn', robot: { kind: 'wecom', url: robot.wecom('wecom-silent-0001') } },
  });
  t.equal(added.statusCode, 201);
  await app.reminders.sweep();
  robot.hold();
  t.teardown(() => robot.release());
  t.same(await within(10_000, app.reminders.deliver()), { sent: 0, retried: 2, failed: 0 }, 'the tick ended');
  t.equal(robot.posts.length, 1, 'the robot got the post and never answered');
  t.equal(mail.state.connections, 1, 'the mail server was reached');
  const reminders = (await app.inject({ url: `/api/v1/reminders?unit=${finance}&limit=500`, headers: admin.headers })).json() as {
    items: { obligation: { dueDate: string }; messages: { channel: string; state: string; attempts: number; lastError: string | null }[] }[];
  };
  const messages = reminders.items.find((r) => r.obligation.dueDate === '2024-06-30')!.messages;
  t.match(
    messages.map((m) => [m.channel, m.state, m.attempts, m.lastError]),
    [
      ['email', 'pending', 1, 'SMTP timeout: not sent within 300 ms'],
      ['wecom', 'pending', 1, 'robot unreachable: no answer within 300 ms'],
    ],
  );
  await t.resolves(
    within(
      5_000,
      new Promise<void>((resolve) => {
        const check = setInterval(() => mail.state.open === 0 && (clearInterval(check), resolve()), 20);
      }),
    ).then((ended) => (ended === 'still running' ? Promise.reject(new Error('the SMTP connection was left open')) : undefined)),
    'the SMTP connection was closed',
  );
});
