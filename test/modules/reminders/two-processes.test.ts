/**
 * Two server processes on one database file, sweeping and sending at the same instant: each stage is recorded once
 * (the unique obligation and stage key; the loser's INSERT OR IGNORE inserts nothing) and each message sent once
 * (claimed by a conditional UPDATE before sending), counted at the SMTP server and the robot.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import t from 'tap';
import { projectRoot } from '../../../src/db/client.js';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { childEnv } from '../../helpers/child-env.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { startMailServer } from '../../helpers/mail.js';
import { startRobot } from '../../helpers/robot.js';

const mail = await startMailServer(t);
const robot = await startRobot(t);
const CLOCK = '2024-12-01T09:00:00+08:00'; // the year's annual obligations all turned yellow today
const { app, databasePath } = await buildTestAppWithDatabase(t, { reminders: { robotOrigins: { wecom: [robot.origin], dingtalk: [robot.origin] } } });
const admin = issueKey(databasePath, 'admin');
const units = ['市财政局', '市民政局', '北林区人民政府'];
for (const [i, name] of units.entries()) {
  const unit = rows<{ id: number }>(databasePath, 'SELECT id FROM units WHERE name = ?', name)[0]!.id;
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/units/${unit}/contacts`,
    headers: admin.headers,
    payload: { name: `联系人${i}`, email: `contact${i}@suihua.gov.cn`, robot: { kind: 'wecom', url: robot.wecom(`wecom-key-000${i}`) } },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
}
await app.close();

function startSweeper() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'test', 'helpers', 'reminder-sweeper.ts')], {
    cwd: projectRoot,
    env: childEnv({ DATABASE_PATH: databasePath, CLOCK, SMTP_URL: mail.url, ROBOT_ORIGIN: robot.origin }),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  t.teardown(() => void child.kill());
  return { child, next };
}

t.test('both processes sweep and send at once: every stage recorded once, every message sent once', async (t) => {
  const sweepers = [startSweeper(), startSweeper()];
  const ready = sweepers.map((s) => s.next());
  t.same(await Promise.all(ready), ['ready', 'ready']);
  const results = sweepers.map((s) => s.next());
  for (const s of sweepers) s.child.stdin.write('go\n');
  const done = (await Promise.all(results)).map((line) => JSON.parse(line) as { swept: { reminders: number; messages: number }; sent: { sent: number } });
  t.comment(`the processes did: ${JSON.stringify(done)}`);
  const recorded = rows<{ n: number }>(databasePath, 'SELECT count(*) AS n FROM reminders')[0]!.n;
  const stages = rows<{ n: number }>(databasePath, 'SELECT count(DISTINCT obligation_id || stage_key) AS n FROM reminders')[0]!.n;
  t.ok(recorded > 1000, `a year end's worth of reminders (${recorded})`);
  t.equal(stages, recorded, 'no stage twice');
  const backlog = rows<{ n: number }>(
    databasePath,
    `SELECT count(*) AS n FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE o.due_date < '2024-11-24' AND a.closed_at IS NULL AND a.withdrawn_at IS NULL`,
  )[0]!.n;
  t.ok(backlog > 1000, `years of history: ${backlog} obligations overdue since before the catch-up window`);
  t.same(
    rows(databasePath, 'SELECT stage, count(*) AS n FROM reminders GROUP BY stage'),
    [{ stage: 'due_soon', n: recorded }],
    'the first sweep does not flood them with urging: only what turned yellow this week',
  );
  t.equal(done[0]!.swept.reminders + done[1]!.swept.reminders, recorded, 'what each recorded adds up: none twice');
  const messages = rows<{ n: number }>(databasePath, "SELECT count(*) AS n FROM reminder_messages WHERE state = 'sent'")[0]!.n;
  t.ok(messages > 0);
  t.equal(done[0]!.sent.sent + done[1]!.sent.sent, messages, 'each message sent by one process');
  t.equal(mail.received.length + robot.posts.length, messages, 'and received once');
  t.equal(mail.received.length, robot.posts.length, 'one e-mail and one robot post per reminder to a unit with a contact');
  t.equal(new Set(mail.received.map((m) => `${m.to.join()} ${m.subject}`)).size, mail.received.length, 'no e-mail twice');
});
