/**
 * Unit contacts through HTTP: who may keep them (admins, coordinators, the unit's own reporter), complete checks of
 * e-mail addresses and robot URLs in Chinese (English on request), removal, and that they stay out of the public feed.
 */
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => new Date('2024-03-01T10:00:00+08:00') });
const keys = {
  admin: issueKey(databasePath, 'admin'),
  coordinator: issueKey(databasePath, 'coordinator'),
  reader: issueKey(databasePath, 'reader'),
  civil: issueKey(databasePath, 'reporter', '市民政局'),
  market: issueKey(databasePath, 'reporter', '市市场监管局'),
};
type Key = (typeof keys)[keyof typeof keys];
const unitId = (name: string) => rows<{ id: number }>(databasePath, 'SELECT id FROM units WHERE name = ?', name)[0]!.id;
const civil = unitId('市民政局');
const WECOM = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa9f2c';

const add = (key: Key | undefined, payload: object, unit = civil, language?: string) =>
  app.inject({ method: 'POST', url: `/api/v1/units/${unit}/contacts`, headers: { ...key?.headers, ...(language ? { 'accept-language': language } : {}) }, payload });
const list = (key: Key | undefined, unit = civil) => app.inject({ url: `/api/v1/units/${unit}/contacts`, headers: key?.headers ?? {} });
const json = <T>(res: LightMyRequestResponse, status = 200): T => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
};
interface Contact {
  id: number;
  name: string;
  email: string | null;
  robot: { kind: string; url: string } | null;
}

t.test('the unit’s own reporter adds a contact; the robot’s token is never shown whole', async (t) => {
  const res = await add(keys.civil, { name: '张伟（办公室）', email: 'zhangwei@mzj.suihua.gov.cn', phone: '0455-8301234', robot: { kind: 'wecom', url: WECOM } });
  const contact = json<Contact & { unitId: number }>(res, 201);
  t.equal(res.headers.location, `/api/v1/units/${civil}/contacts`);
  t.match(contact, {
    unitId: civil,
    name: '张伟（办公室）',
    email: 'zhangwei@mzj.suihua.gov.cn',
    robot: { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****9f2c' },
  });
  t.same(
    json<{ items: Contact[] }>(await list(keys.coordinator)).items.map((c) => c.id),
    [contact.id],
  );
  const again = await add(keys.civil, { name: '张伟（办公室）', email: 'zhangwei@mzj.suihua.gov.cn', phone: '0455-8301234', robot: { kind: 'wecom', url: WECOM } });
  t.equal(again.statusCode, 200, 'a retry finds the contact it made');
  t.equal(json<Contact>(again).id, contact.id, 'no twin');
  t.equal((await add(keys.civil, { name: '张伟（办公室）', email: 'zhangwei@mzj.suihua.gov.cn' })).statusCode, 201, 'another way to reach the same person is another contact');
  t.equal(rows<{ robot_url: string }>(databasePath, 'SELECT robot_url FROM unit_contacts WHERE id = ?', contact.id)[0]!.robot_url, WECOM, 'stored whole, for sending');
  const audit = rows<{ after: string }>(databasePath, "SELECT after FROM audit_events WHERE action = 'unit_contact.add'")[0]!;
  t.notMatch(audit.after, /zhangwei@|693a91f6/, 'the audit trail keeps no address or token');
  const feed = json<{ items: unknown[] }>(await app.inject({ url: '/api/v1/changes?limit=500', headers: keys.admin.headers }));
  t.notMatch(JSON.stringify(feed.items), /张伟|zhangwei/, 'contacts are not in the public feed');
});

t.test('admins and coordinators keep any unit’s contacts; other units’ reporters and readers none', async (t) => {
  json(await add(keys.coordinator, { name: '李娜', email: 'lina@scjgj.suihua.gov.cn' }, unitId('市市场监管局')), 201);
  json(await add(keys.admin, { name: '钉钉工作群', robot: { kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef' } }), 201);
  for (const [key, name] of [
    [keys.market, 'another unit’s reporter'],
    [keys.reader, 'a reader'],
  ] as const) {
    const refused = await add(key, { name: '王五', email: 'wangwu@qq.com' });
    t.equal(refused.statusCode, 403, `${name} may not add`);
    t.equal((await list(key)).statusCode, 403, `${name} may not read`);
  }
  t.match(json<{ detail: string }>(await list(keys.market), 403).detail, /只有管理员、统筹部门或市民政局本单位的填报人/);
  t.equal((await list(undefined)).statusCode, 401);
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/units/${civil}/contacts/1`, headers: keys.market.headers })).statusCode, 403);
  t.equal((await list(keys.admin, 99999)).statusCode, 404);
});

t.test('bad input is refused in Chinese, naming the field, and stores nothing', async (t) => {
  const before = rows(databasePath, 'SELECT count(*) AS n FROM unit_contacts')[0];
  const cases: [object, string, RegExp][] = [
    [{ name: '张三', email: 'zhangsan@' }, '/body/email', /不是有效的电子邮箱地址/],
    [{ name: '张三', email: 'zhang san@qq.com' }, '/body/email', /不是有效的电子邮箱地址/],
    [{ name: '张三', robot: { kind: 'wecom', url: 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx' } }, '/body/robot/url', /必须使用 https/],
    [
      { name: '张三', robot: { kind: 'wecom', url: 'https://hooks.example.com/cgi-bin/webhook/send?key=693a91f6-7xxx' } },
      '/body/robot/url',
      /主机 hooks\.example\.com 不是企业微信群机器人的主机/,
    ],
    [{ name: '张三', robot: { kind: 'dingtalk', url: WECOM } }, '/body/robot/url', /不是钉钉群机器人的主机/],
    [{ name: '张三', phone: '0455-8301234' }, '/body', /须至少给出电子邮箱（email）或群机器人（robot）之一/],
  ];
  for (const [payload, field, message] of cases) {
    const problem = json<{ status: number; detail: string; errors: { field: string; message: string }[] }>(await add(keys.civil, payload), 400);
    t.equal(problem.errors[0]!.field, field, JSON.stringify(payload));
    t.match(problem.errors[0]!.message, message);
  }
  t.equal((await add(keys.civil, { name: '张三', email: 'zhangsan@qq.com', phone: 'call me' })).statusCode, 400, 'a phone number is digits');
  t.equal((await add(keys.civil, { name: '', email: 'zhangsan@qq.com' })).statusCode, 400);
  t.equal((await add(keys.civil, { name: '张三', email: 'zhangsan@qq.com', extra: 1 })).statusCode, 400);
  const english = json<{ errors: { message: string }[] }>(await add(keys.civil, { name: '张三', email: 'nope' }, civil, 'en'), 400);
  t.match(english.errors[0]!.message, /is not a valid e-mail address/);
  const collective = json<{ errors: { field: string; message: string }[] }>(await add(keys.admin, { name: '张三', email: 'zhangsan@qq.com' }, unitId('各县(市、区)人民政府')), 422);
  t.match(collective.errors[0], { field: '/params/id', message: /是统称/ });
  t.same(rows(databasePath, 'SELECT count(*) AS n FROM unit_contacts')[0], before, 'nothing stored');
});

t.test('a removed contact leaves the list and gets no more reminders; removing it again is a 404', async (t) => {
  const contact = json<Contact>(await add(keys.civil, { name: '临时联系人', email: 'linshi@qq.com' }), 201);
  const removed = json<Contact & { removedAt: string }>(await app.inject({ method: 'DELETE', url: `/api/v1/units/${civil}/contacts/${contact.id}`, headers: keys.civil.headers }));
  t.equal(removed.removedAt, '2024-03-01T02:00:00.000Z');
  t.notOk(
    json<{ items: Contact[] }>(await list(keys.civil)).items.some((c) => c.id === contact.id),
    'no longer listed',
  );
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/units/${civil}/contacts/${contact.id}`, headers: keys.civil.headers })).statusCode, 404);
  const market = json<{ items: Contact[] }>(await list(keys.admin, unitId('市市场监管局'))).items[0]!;
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/units/${civil}/contacts/${market.id}`, headers: keys.admin.headers })).statusCode, 404, 'another unit’s contact');
});

t.test('a unit has at most 20 contacts', async (t) => {
  const unit = unitId('市教育局');
  for (let i = 0; i < 20; i++) json(await add(keys.admin, { name: `联系人${i}`, email: `c${i}@jyj.suihua.gov.cn` }, unit), 201);
  const refused = await add(keys.admin, { name: '第二十一个', email: 'c21@jyj.suihua.gov.cn' }, unit);
  t.equal(refused.statusCode, 409);
  t.match(refused.json(), { detail: /市教育局已有 20 个联系人（上限）/ });
  t.equal((await add(keys.admin, { name: '联系人0', email: 'c0@jyj.suihua.gov.cn' }, unit)).statusCode, 200, 'a retry of one it has is still answered');
});

t.test('GET /reminders: admins, coordinators and reporters; readers 403; a reporter only its own unit', async (t) => {
  t.equal((await app.inject({ url: '/api/v1/reminders', headers: keys.reader.headers })).statusCode, 403);
  t.equal((await app.inject({ url: '/api/v1/reminders' })).statusCode, 401);
  t.equal((await app.inject({ url: '/api/v1/reminders', headers: keys.civil.headers })).statusCode, 200);
  t.equal((await app.inject({ url: `/api/v1/reminders?unit=${encodeURIComponent('市民政局')}`, headers: keys.civil.headers })).statusCode, 200);
  const other = await app.inject({ url: `/api/v1/reminders?unit=${encodeURIComponent('市市场监管局')}`, headers: keys.civil.headers });
  t.equal(other.statusCode, 403);
  t.match(other.json(), { detail: /填报密钥只能查看本单位收到的提醒/ });
  t.equal((await app.inject({ url: '/api/v1/reminders?stage=soon', headers: keys.admin.headers })).statusCode, 400);
  t.equal((await app.inject({ url: '/api/v1/reminders?since=2024-02-30', headers: keys.admin.headers })).statusCode, 400);
  t.equal((await app.inject({ url: '/api/v1/reminders?unit=nowhere', headers: keys.admin.headers })).statusCode, 400);
});
