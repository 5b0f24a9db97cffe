/**
 * How long one supervision sweep takes on the seed plan (about 4,000 obligations), at the instants that matter: the
 * day the year's annual obligations turn yellow (a thousand reminders at once), a quiet sweep a minute later (nothing
 * new: the steady cost every minute), the day after the due date, and a week later. `npx tsx bench/reminders/sweep.ts`
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../src/app.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-sweep-'));
let clock = new Date('2024-12-01T09:00:00+08:00');
const app = await buildApp({ databasePath: path.join(dir, 'bench.db'), logLevel: 'silent', now: () => clock });
try {
  const instants = ['2024-12-01T09:00:00+08:00', '2024-12-01T09:01:00+08:00', '2025-01-01T09:00:00+08:00', '2025-01-01T09:01:00+08:00', '2025-01-08T09:00:00+08:00'];
  for (const at of instants) {
    clock = new Date(at);
    const start = performance.now();
    const result = await app.reminders.sweep();
    console.log(`${at}  ${(performance.now() - start).toFixed(0).padStart(5)} ms  ${JSON.stringify(result)}`);
  }
  const quiet: number[] = [];
  for (let i = 0; i < 20; i++) {
    clock = new Date(Date.parse('2025-01-08T09:01:00+08:00') + i * 60_000);
    const start = performance.now();
    await app.reminders.sweep();
    quiet.push(performance.now() - start);
  }
  quiet.sort((a, b) => a - b);
  console.log(`quiet sweep (nothing new), 20 runs: median ${quiet[10]!.toFixed(1)} ms, max ${quiet.at(-1)!.toFixed(1)} ms`);
} finally {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
