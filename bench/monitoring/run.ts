/**
 * The monitoring performance check: generate N progress reports (default 1,000,000) for the plan's standing
 * assignments, then time the dashboard, follow-ups, obligations, assignments and the other monitoring reads on
 * them, side by side with the minimal Fastify + better-sqlite3 baseline (baseline.ts) and the ratio. See
 * bench/monitoring/README.md.
 *
 *   npx tsx bench/monitoring/run.ts
 *   BENCH_DB=/var/tmp/monitoring-1m.db npx tsx bench/monitoring/run.ts   # keep the generated file, reuse it next time
 *
 * Each step runs in a child process of its own (node --import tsx), so the measurement starts with a fresh heap
 * and none of the generator's bulk-load settings.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DEFAULT_REPORTS, positiveInteger } from './generate-reports.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..', '..');
const resultsFile = path.join(here, 'results', 'latest.json');

function runStep(script: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], { cwd: projectRoot, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

function reportsIn(file: string): number | undefined {
  if (!fs.existsSync(file)) return undefined;
  const sqlite = new Database(file, { readonly: true });
  try {
    return (sqlite.prepare('SELECT count(*) AS n FROM progress_reports').get() as { n: number }).n;
  } catch {
    return undefined; // not migrated yet
  } finally {
    sqlite.close();
  }
}

async function main(): Promise<number> {
  const wanted = positiveInteger('BENCH_REPORTS', process.env.BENCH_REPORTS, DEFAULT_REPORTS);
  const kept = process.env.BENCH_DB;
  const tempDir = kept ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-monitoring-'));
  const databasePath = kept ? path.resolve(kept) : path.join(tempDir!, 'monitoring.db');
  const removeTemp = () => {
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  };
  process.once('exit', removeTemp);

  try {
    const existing = reportsIn(databasePath);
    if (existing !== undefined && existing > 0) {
      console.log(`reusing ${databasePath} (${existing.toLocaleString('en')} progress reports; delete it to generate again)`);
      if (process.env.BENCH_REPORTS && existing !== wanted) {
        console.warn(`warning: BENCH_REPORTS=${wanted.toLocaleString('en')} but the file holds ${existing.toLocaleString('en')}; measuring the file as it is`);
      }
    } else {
      const code = await runStep('generate-reports.ts', ['--db', databasePath, '--reports', String(wanted)]);
      if (code !== 0) {
        console.error(`generation failed (exit ${code})`);
        return 1;
      }
    }
    console.log('');
    return await runStep('measure.ts', ['--db', databasePath, '--json', resultsFile]);
  } finally {
    removeTemp();
  }
}

process.exitCode = await main();
