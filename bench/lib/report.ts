import fs from 'node:fs';
import path from 'node:path';
import type { BulkResult } from './bulk-scenario.js';
import type { Measurement } from './measure.js';

export interface ServerResult {
  /** Means over the rounds; the individual runs are kept for the JSON. */
  requestsPerSecond: number;
  p99Ms: number;
  failures: number;
  runs: Measurement[];
}

export interface ScenarioResult {
  name: string;
  paths: number;
  minRatio: number | undefined;
  baseline: ServerResult;
  project: ServerResult;
  /** project req/s ÷ baseline req/s. */
  ratio: number;
  goalMet: boolean | undefined;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

function summarise(runs: Measurement[]): ServerResult {
  return {
    requestsPerSecond: mean(runs.map((r) => r.requestsPerSecond)),
    p99Ms: mean(runs.map((r) => r.p99Ms)),
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    runs,
  };
}

export function scenarioResult(name: string, paths: number, minRatio: number | undefined, baseline: Measurement[], project: Measurement[]): ScenarioResult {
  const b = summarise(baseline);
  const p = summarise(project);
  const ratio = p.requestsPerSecond / b.requestsPerSecond;
  return { name, paths, minRatio, baseline: b, project: p, ratio, goalMet: minRatio === undefined ? undefined : ratio >= minRatio };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

const flag = (r: ServerResult) => (r.failures > 0 ? ' !' : '');
const verdict = (met: boolean) => (met ? 'HOLDS' : 'MISSED');

function loadTable(results: ScenarioResult[]): string {
  return table([
    ['scenario', 'baseline req/s', 'baseline p99 ms', 'project req/s', 'project p99 ms', 'ratio', 'goal'],
    ...results.map((r) => [
      r.name,
      r.baseline.requestsPerSecond.toFixed(0) + flag(r.baseline),
      r.baseline.p99Ms.toFixed(1),
      r.project.requestsPerSecond.toFixed(0) + flag(r.project),
      r.project.p99Ms.toFixed(1),
      r.ratio.toFixed(2),
      r.minRatio === undefined ? '-' : `>= ${r.minRatio} ${verdict(r.goalMet!)}`,
    ]),
  ]);
}

function bulkTable(bulk: BulkResult): string {
  return table([
    [`bulk import, ${bulk.rows} rows`, 'runs ms', 'min ms', 'median ms', 'rows/s', 'goal'],
    ...bulk.timings.map((t) => [
      t.name,
      t.runsMs.map((ms) => ms.toFixed(0)).join(', '),
      t.minMs.toFixed(0),
      t.medianMs.toFixed(0),
      ((bulk.rows / t.medianMs) * 1000).toFixed(0),
      `median < ${t.goalMs} ms ${verdict(t.goalMet)}`,
    ]),
  ]);
}

export function formatReport(results: ScenarioResult[], bulk: BulkResult, warnings: string[]): string {
  const failures = results.flatMap((r) =>
    (['baseline', 'project'] as const)
      .filter((server) => r[server].failures > 0)
      .map((server) => `! ${r.name}/${server}: ${r[server].failures} non-2xx responses or errors; figures are suspect`),
  );
  return [loadTable(results), '', bulkTable(bulk), ...failures, ...warnings.map((w) => `warning: ${w}`)].join('\n');
}

export function writeJson(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}
