/**
 * One recipient, one message: two contacts of a unit sharing the office group's robot, or one mailbox entered twice in
 * different case, are told each reminder once; and the contact twin check compares addresses the same way.
 */
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { startMailServer } from '../../helpers/mail.js';
import { startRobot } from '../../helpers/robot.js';

const mail = await startMailServer(t);
const robot = await startRobot(t);
const clock = new Date('2024-05-31T09:00:00+08:00'); // 市财政局's 2024-H1 (due 2024-06-30) is due soon
const { app, databasePath } = await buildTestAppWithDatabase(t, {
  now: () => clock,
  reminders: {
    smtpUrl: mail.url,
    smtpFrom: 'duban@suihua.gov.cn',
    robotOrigins: { wecom: [robot.origin, 'https://qyapi.weixin.qq.com'], dingtalk: [robot.origin, 'https://oapi.dingtalk.com'] },
  },
});
const admin = issueKey(databasePath, 'admin');
const unitId = (name: string) => rows<{ id: number }>(databasePath, 'SELECT id FROM units WHERE name = ?', name)[0]!.id;
const finance = unitId('市财政局');
const add = (payload: object, unit = finance) => app.inject({ method: 'POST', url: `/api/v1/units/${unit}/contacts`, headers: admin.headers, payload });
const json = <T>(res: LightMyRequestResponse, status = 200): T => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
};

t.test('two contacts sharing a robot and a mailbox in two spellings: each reminder reaches each recipient once', async (t) => {
  const group = robot.wecom('wecom-shared-0001');
  const a = json<{ id: number }>(await add({ name: '王芳', email: 'wang@czj.suihua.gov.cn', robot: { kind: 'wecom', url: group } }), 201);
  // The same robot written another way (a dot segment the URL standard resolves), the same mailbox in capitals.
  const sameRobot = group.replace('/cgi-bin/webhook/send', '/cgi-bin/./webhook/send');
  json(await add({ name: '李强', email: 'Wang@CZJ.suihua.gov.cn', robot: { kind: 'wecom', url: sameRobot } }), 201);
  json(await add({ name: '财政局工作群', robot: { kind: 'wecom', url: group } }), 201);
  json(await add({ name: '赵敏', email: 'zhaomin@czj.suihua.gov.cn' }), 201);

  const swept = await app.reminders.sweep();
  t.equal(swept.messages, 3, 'one e-mail to wang@, one WeCom post, one e-mail to zhaomin@');
  t.same(await app.reminders.deliver(), { sent: 3, retried: 0, failed: 0 });
  t.equal(robot.posts.length, 1, 'the group robot posted once');
  t.same(mail.received.map((m) => m.to).sort(), [['wang@czj.suihua.gov.cn'], ['zhaomin@czj.suihua.gov.cn']], 'each mailbox written to once');
  const reminder = json<{ items: { obligation: { dueDate: string }; messages: { channel: string; contact: { id: number } }[] }[] }>(
    await app.inject({ url: `/api/v1/reminders?unit=${finance}&limit=500`, headers: admin.headers }),
  ).items.find((r) => r.obligation.dueDate === '2024-06-30')!;
  t.same(
    reminder.messages.filter((m) => m.contact.id === a.id).map((m) => m.channel),
    ['email', 'wecom'],
    'told under the first contact naming the recipient',
  );
});

t.test('the twin check: an e-mail address in other case and a robot address written otherwise are the same contact', async (t) => {
  const civil = unitId('市民政局');
  const key = '693a91f6-7aaa-4bc4-97a0-0ec2sifa9f2c';
  const first = json<{ id: number }>(
    await add({ name: '张伟', email: 'zhangwei@mzj.suihua.gov.cn', robot: { kind: 'wecom', url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}` } }, civil),
    201,
  );
  const retried = await add(
    { name: '张伟', email: 'ZhangWei@MZJ.suihua.gov.cn', robot: { kind: 'wecom', url: `https://QYAPI.weixin.qq.com:443/cgi-bin/webhook/send?key=${key}` } },
    civil,
  );
  t.equal(retried.statusCode, 200, 'no twin');
  t.equal(json<{ id: number }>(retried).id, first.id);

  const other = json<{ id: number }>(
    await add({ name: '办公室群', robot: { kind: 'dingtalk', url: 'https://OAPI.dingtalk.com:443/robot/send?access_token=0123456789abcdef' } }, civil),
    201,
  );
  t.equal(
    rows<{ robot_url: string }>(databasePath, 'SELECT robot_url FROM unit_contacts WHERE id = ?', other.id)[0]!.robot_url,
    'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef',
    'the robot address stored normalised',
  );
  t.equal((await add({ name: '办公室群', robot: { kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef' } }, civil)).statusCode, 200);
});

t.test('a blank name is refused in Chinese, naming /body/name, and stores nothing', async (t) => {
  const before = rows(databasePath, 'SELECT count(*) AS n FROM unit_contacts')[0];
  for (const name of [' ', '　\t\n']) {
    const problem = json<{ errors: { field: string; message: string }[] }>(await add({ name, email: 'blank@czj.suihua.gov.cn' }), 400);
    t.match(problem.errors, [{ field: '/body/name', message: /不能为空白/ }], JSON.stringify(name));
  }
  t.same(rows(databasePath, 'SELECT count(*) AS n FROM unit_contacts')[0], before);
});
