import fs from 'node:fs';
import path from 'node:path';
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

export function formatReport(results: ScenarioResult[], warnings: string[]): string {
  const rows = [
    ['scenario', 'baseline req/s', 'baseline p99 ms', 'project req/s', 'project p99 ms', 'ratio'],
    ...results.map((r) => [
      r.name,
      r.baseline.requestsPerSecond.toFixed(0) + flag(r.baseline),
      r.baseline.p99Ms.toFixed(1),
      r.project.requestsPerSecond.toFixed(0) + flag(r.project),
      r.project.p99Ms.toFixed(1),
      r.ratio.toFixed(2),
    ]),
  ];
  const goals = results.map((r) =>
    r.minRatio === undefined
      ? `${r.name}: no goal set (ratio ${r.ratio.toFixed(2)}, for information)`
      : `${r.name}: goal ratio >= ${r.minRatio} ${r.goalMet ? 'HOLDS' : 'MISSED'} (${r.ratio.toFixed(2)})`,
  );
  const failures = results.flatMap((r) =>
    (['baseline', 'project'] as const)
      .filter((server) => r[server].failures > 0)
      .map((server) => `! ${r.name}/${server}: ${r[server].failures} non-2xx responses or errors; figures are suspect`),
  );
  return [table(rows), '', ...goals, ...failures, ...warnings.map((w) => `warning: ${w}`)].join('\n');
}

export function writeJson(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}
