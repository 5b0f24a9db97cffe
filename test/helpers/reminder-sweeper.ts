/**
 * One server process's reminders, for the two-process test: builds the app on the database file it is given, with
 * the test's instant as its clock, says "ready", and on "go" (stdin) sweeps and sends once, printing what it did.
 */
import readline from 'node:readline';
import { buildApp } from '../../src/app.js';

const env = process.env as Record<string, string>;
const clock = new Date(env.CLOCK!);
const app = await buildApp({
  databasePath: env.DATABASE_PATH!,
  logLevel: 'silent',
  now: () => clock,
  reminders: { smtpUrl: env.SMTP_URL!, smtpFrom: 'duban@suihua.gov.cn', robotOrigins: { wecom: [env.ROBOT_ORIGIN!], dingtalk: [env.ROBOT_ORIGIN!] } },
});
console.log('ready');
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line !== 'go') continue;
  const swept = await app.reminders.sweep();
  const sent = await app.reminders.deliver();
  console.log(JSON.stringify({ swept, sent }));
  break;
}
lines.close();
await app.close();
