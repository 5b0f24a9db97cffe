/** The reminders' rules without HTTP: stages at an instant, the Chinese text, robot addresses, e-mail addresses, the timer. */
import t from 'tap';
import { isEmailAddress, maskedEmail } from '../../../src/domain/email.js';
import { daysUntilDue } from '../../../src/modules/assignments/lights.js';
import { robotPayload } from '../../../src/modules/reminders/channels.js';
import { retryDelayMs } from '../../../src/modules/reminders/delivery.js';
import { maskedRobotUrl, robotUrlProblem } from '../../../src/modules/reminders/robot-url.js';
import { startScheduler } from '../../../src/modules/reminders/scheduler.js';
import { dueStage, returnedStage } from '../../../src/modules/reminders/stages.js';
import { plainText, reminderText, shortened, stageWords } from '../../../src/modules/reminders/text.js';

const WECOM = ['https://qyapi.weixin.qq.com'];
const DINGTALK = ['https://oapi.dingtalk.com'];

t.test('the stage of an obligation due 2024-06-30 (warning 30 days), at the edges', async (t) => {
  const stage = (instant: string) => dueStage('2024-06-30', new Date(instant), 30);
  t.equal(stage('2024-05-30T23:59:59.999+08:00'), undefined, 'green the day before the window');
  t.match(stage('2024-05-31T00:00:00+08:00'), { stage: 'due_soon', key: 'due_soon', week: null });
  t.equal(daysUntilDue('2024-06-30', new Date('2024-05-31T00:00:00+08:00')), 30, 'the instant lights.ts turns it yellow');
  t.equal(daysUntilDue('2024-06-30', new Date('2024-05-30T23:59:59.999+08:00')), 31);
  t.same(stage('2024-05-31T00:00:00+08:00')!.began, new Date('2024-05-31T00:00:00+08:00'));
  t.match(stage('2024-06-30T23:59:59.999+08:00'), { stage: 'due_soon' }, 'due soon through the due date');
  t.match(stage('2024-07-01T00:00:00+08:00'), { stage: 'overdue', key: 'overdue', began: new Date('2024-07-01T00:00:00+08:00') });
  t.match(stage('2024-07-07T23:59:59.999+08:00'), { stage: 'overdue' });
  t.match(stage('2024-07-08T00:00:00+08:00'), { stage: 'still_overdue', key: 'still_overdue:1', week: 1, began: new Date('2024-07-08T00:00:00+08:00') });
  t.match(stage('2024-09-30T12:00:00+08:00'), { key: 'still_overdue:13', week: 13 }, 'only the latest week counts');
  t.match(dueStage('2024-06-30', new Date('2024-06-30T12:00:00+08:00'), 0), { stage: 'due_soon' }, 'warning 0: due soon on the day itself');
  t.equal(dueStage('2024-06-30', new Date('2024-06-29T23:59:59+08:00'), 0), undefined);
  const assigned = new Date('2024-06-20T10:00:00+08:00');
  t.same(dueStage('2024-06-30', new Date('2024-06-21T09:00:00+08:00'), 30, assigned)!.began, assigned, 'came to exist already yellow: due soon from then');
  t.same(
    dueStage('2024-06-30', new Date('2024-06-21T09:00:00+08:00'), 30, new Date('2023-10-08T00:00:00+08:00'))!.began,
    new Date('2024-05-31T00:00:00+08:00'),
    'assigned long before: from turning yellow',
  );
  t.equal(dueStage('2024-06-30', new Date('2024-05-30T09:00:00+08:00'), 30, assigned), undefined, 'still green: no stage');
  t.same(returnedStage(41, 2, '2024-07-09T07:00:00.000Z'), { stage: 'returned', key: 'returned:41:2', week: null, began: new Date('2024-07-09T07:00:00.000Z') });
});

t.test('the text names the stage, unit, measure, period, due date and link, in Chinese', async (t) => {
  const facts = {
    unitName: '市民政局',
    measure: { taskNo: 3, no: 1, text: '各有关部门明确专人负责“双公示”信息填报工作，\n建立健全信息报送机制，确保信息及时、准确、完整地报送到信用平台，并定期开展自查自纠工作。' },
    period: '2023',
    dueDate: '2023-12-31',
    assignmentId: 74,
    daysLeft: 12,
  };
  const soon = reminderText(dueStage('2023-12-31', new Date('2023-12-19T09:00:00+08:00'), 30)!, facts, null);
  t.equal(soon.subject, '【临近提醒】市民政局：任务3 措施1（2023，截止 2023-12-31）');
  t.match(soon.text, '距截止日期还有 12 天（2023-12-31）');
  t.match(soon.text, '登录系统查看（责任分工 74，/api/v1/assignments/74）', 'no public base URL: log in and look it up');
  t.match(soon.text, `**措施**：任务3 措施1 ${shortened(facts.measure.text)}`);
  t.equal([...shortened(facts.measure.text)].length, 61, 'sixty characters and an ellipsis');
  t.notMatch(shortened(facts.measure.text), /\n/);
  t.equal(shortened('短文本'), '短文本');
  const today = reminderText(dueStage('2023-12-31', new Date('2023-12-31T09:00:00+08:00'), 30)!, { ...facts, daysLeft: 0 }, null);
  t.match(today.text, '今天到期（2023-12-31）');
  const week = reminderText(dueStage('2023-12-31', new Date('2024-01-15T09:00:00+08:00'), 30)!, { ...facts, measure: { ...facts.measure, no: null } }, 'https://xy.suihua.gov.cn');
  t.equal(week.subject, '【逾期第2周催办】市民政局：任务3（2023，截止 2023-12-31）', 'an unnumbered measure is named by its task');
  t.match(week.text, '已逾期 2 周');
  t.match(week.text, '[https://xy.suihua.gov.cn/api/v1/assignments/74](https://xy.suihua.gov.cn/api/v1/assignments/74)');
  const returned = reminderText(returnedStage(41, 1, '2024-01-02T00:00:00Z'), { ...facts, report: { id: 41, note: null } }, null);
  t.match(returned.text, '**审核意见**：（未填写）');
  t.equal(stageWords(returnedStage(41, 1, '2024-01-02T00:00:00Z')), '报告被退回');
  t.equal(plainText('### 标题\n\n**单位**：市民政局\n\n**查看**：[https://a/b](https://a/b)'), '标题\n单位：市民政局\n查看：https://a/b');
});

t.test('robot addresses: https, the robot’s own host, path and token, nothing else', async (t) => {
  const good = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa9f2c';
  t.equal(robotUrlProblem('wecom', good, WECOM), undefined);
  t.equal(robotUrlProblem('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef', DINGTALK), undefined);
  const problems: [string, RegExp][] = [
    ['http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx', /必须使用 https/],
    ['https://qyapi.weixin.qq.com.evil.cn/cgi-bin/webhook/send?key=693a91f6-7xxx', /不是企业微信群机器人的主机/],
    ['https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef', /不是企业微信群机器人的主机/],
    ['https://10.0.0.1/cgi-bin/webhook/send?key=693a91f6-7xxx', /主机 10\.0\.0\.1/],
    ['not a url', /不是有效的网址/],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send', /应为企业微信群机器人的地址/],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=short', /应为企业微信群机器人的地址/],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx&debug=1', /应为/],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx&key=693a91f6-7yyy', /应为/],
    ['https://qyapi.weixin.qq.com/cgi-bin/other?key=693a91f6-7xxx', /应为/],
    ['https://u:p@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx', /应为/],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx#x', /应为/],
    [`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${'a'.repeat(1000)}`, /不是有效的网址/],
  ];
  for (const [url, problem] of problems) t.match(robotUrlProblem('wecom', url, WECOM)?.zh, problem, url);
  t.equal(
    robotUrlProblem('wecom', 'http://127.0.0.1:4000/cgi-bin/webhook/send?key=test-key-1', ['http://127.0.0.1:4000']),
    undefined,
    'an origin configured (a test fake) may be http',
  );
  t.equal(maskedRobotUrl('wecom', good), 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****9f2c');
  t.equal(maskedRobotUrl('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef'), 'https://oapi.dingtalk.com/robot/send?access_token=****cdef');
});

t.test('e-mail addresses, checked completely', async (t) => {
  for (const good of ['zhangsan@mca.suihua.gov.cn', '12345@qq.com', 'li.si+plan@163.com', "o'neil@example.org"]) t.ok(isEmailAddress(good), good);
  for (const bad of [
    '',
    'zhangsan',
    '@qq.com',
    'a@b',
    'a@b.c1',
    'a..b@qq.com',
    '.a@qq.com',
    'a@-qq.com',
    'a@qq..com',
    '张三@qq.com',
    'a b@qq.com',
    `${'a'.repeat(65)}@qq.com`,
    `a@${'b'.repeat(250)}.com`,
    'a@[127.0.0.1]',
  ])
    t.notOk(isEmailAddress(bad), bad);
  t.equal(maskedEmail('zhangsan@mca.suihua.gov.cn'), 'z***@mca.suihua.gov.cn');
});

t.test('what the robots are posted', async (t) => {
  t.same(robotPayload('wecom', '主题', '### 正文'), { msgtype: 'markdown', markdown: { content: '### 正文' } });
  t.same(robotPayload('dingtalk', '主题', '### 正文'), { msgtype: 'markdown', markdown: { title: '主题', text: '### 正文' } });
});

t.test('retries back off: 1, 4, 16, 64 minutes', async (t) => {
  t.same([1, 2, 3, 4].map(retryDelayMs), [60_000, 240_000, 960_000, 3_840_000]);
});

t.test('the timer runs one tick at a time, and stop waits for it; a failing tick is reported, not thrown', async (t) => {
  let release!: () => void;
  let ticks = 0;
  const errors: unknown[] = [];
  const scheduler = startScheduler(
    3600,
    () => {
      ticks++;
      return new Promise<void>((resolve) => (release = resolve));
    },
    (error) => errors.push(error),
  );
  const first = scheduler.run();
  t.equal(scheduler.run(), first, 'a tick asked for while one runs is that one');
  t.equal(ticks, 1);
  let stopped = false;
  const stopping = scheduler.stop().then(() => (stopped = true));
  await Promise.resolve();
  t.notOk(stopped, 'stop waits for the running tick');
  release();
  await stopping;
  t.ok(stopped);
  const failing = startScheduler(
    0,
    () => Promise.reject(new Error('database busy')),
    (error) => errors.push(error),
  );
  await failing.run();
  await failing.stop();
  t.match(errors, [{ message: 'database busy' }]);
});
