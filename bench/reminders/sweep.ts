/**
 * How long one supervision sweep takes on the seed plan (about 4,000 obligations), at the instants that matter: the
 * day the year's annual obligations turn yellow (a thousand reminders at once), a quiet sweep a minute later (nothing
 * new: the steady cost every minute), the day after the due date, and a week later. `npm run bench:reminders`
 *
 * The baseline is the least any sweep must do, on the same file and connection: one plain better-sqlite3 query that
 * reads every obligation with its assignment and whether an approved report of its unit covers its period. The
 * quiet sweep is printed beside it, with the ratio.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { buildApp } from '../../src/app.js';

const BASELINE_SQL = `
  SELECT o.id, o.due_date, a.unit_id, a.withdrawn_at, a.closed_at,
         EXISTS (SELECT 1 FROM progress_reports r
                 WHERE r.measure_id = a.measure_id AND r.unit_id = a.unit_id AND r.state = 'approved'
                   AND r.period_start >= o.period_start AND r.period_end <= o.period_end) AS completed
  FROM obligations o JOIN assignments a ON a.id = o.assignment_id`;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

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
  const baselineDb = new Database(path.join(dir, 'bench.db'), { readonly: true });
  const baselineQuery = baselineDb.prepare(BASELINE_SQL);
  const baseline: number[] = [];
  let rows = 0;
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    rows = baselineQuery.all().length;
    baseline.push(performance.now() - start);
  }
  baselineDb.close();
  const quiet: number[] = [];
  for (let i = 0; i < 20; i++) {
    clock = new Date(Date.parse('2025-01-08T09:01:00+08:00') + i * 60_000);
    const start = performance.now();
    await app.reminders.sweep();
    quiet.push(performance.now() - start);
  }
  const [b, q] = [median(baseline), median(quiet)];
  console.log(`\n${'20 runs each, median'.padEnd(58)}   ms   vs baseline`);
  console.log(`${`baseline: one better-sqlite3 query over ${rows} obligations`.padEnd(58)} ${b.toFixed(1).padStart(5)}   1.00×`);
  console.log(
    `${'quiet sweep (nothing new; what every interval costs)'.padEnd(58)} ${q.toFixed(1).padStart(5)}   ${(q / b).toFixed(2)}×  (max ${Math.max(...quiet).toFixed(1)} ms)`,
  );
} finally {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
