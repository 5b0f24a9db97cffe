import fs from 'node:fs';
import path from 'node:path';
import type { BulkResult } from './bulk-scenario.js';
import type { Measurement } from './measure.js';
import { growthPercent, mebibytes, signedPercent } from './server-usage.js';
import { mixedGoals, type Figures, type MixedResult } from './mixed-scenario.js';

export interface ServerResult {
  /** Means over the rounds; the individual runs are kept for the JSON. */
  requestsPerSecond: number;
  p50Ms: number;
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
    p50Ms: mean(runs.map((r) => r.p50Ms)),
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
const verdict = (met: boolean | undefined) => (met === undefined ? 'NOT MEASURED' : met ? 'HOLDS' : 'MISSED');
const ms = (value: number | null) => (value === null ? '-' : value.toFixed(1));

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
  return (
    table([
      [`bulk import, ${bulk.rows} rows`, 'runs ms', 'min ms', 'median ms', 'rows/s', 'goal'],
      ...bulk.timings.map((t) => [
        t.name,
        t.runsMs.map((ms) => ms.toFixed(0)).join(', '),
        t.minMs.toFixed(0),
        t.medianMs.toFixed(0),
        ((bulk.rows / t.medianMs) * 1000).toFixed(0),
        `median < ${t.goalMs} ms ${verdict(t.goalMet)}`,
      ]),
    ]) + `\n${readsDuringImport(bulk.readsDuringImport)}`
  );
}

/** Issue 11's goal: other clients are served within 100 ms (p99) while the largest import runs. */
function readsDuringImport({ requests, p50Ms, p99Ms, maxMs }: BulkResult['readsDuringImport']): string {
  if (p99Ms === null) return 'reads by another client during the first import: none answered';
  return `reads by another client during the first import: ${requests}, p50 ${p50Ms!.toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms, max ${maxMs!.toFixed(1)} ms — p99 < 100 ms ${verdict(p99Ms < 100)}`;
}

export function formatReport(results: ScenarioResult[], bulk: BulkResult, warnings: string[]): string {
  const failures = results.flatMap((r) =>
    (['baseline', 'project'] as const)
      .filter((server) => r[server].failures > 0)
      .map((server) => `! ${r.name}/${server}: ${r[server].failures} non-2xx responses or errors; figures are suspect`),
  );
  return [loadTable(results), '', bulkTable(bulk), ...failures, ...warnings.map((w) => `warning: ${w}`)].join('\n');
}

/**
 * The mixed workload beside the flat-out list and write scenarios of the same run. "÷ baseline" is the mix's
 * read (write) rate over the baseline's flat-out rate on the list (write) scenario.
 */
function mixedTable(mixed: MixedResult, comparison: ScenarioResult[]): string {
  const baselineRate = (name: string) => comparison.find((r) => r.name === name)?.baseline.requestsPerSecond;
  const [all, reads, writes] = mixed.groups as [Figures, Figures, Figures];
  const mixedRow = (f: Figures, baseline: number | undefined, unanswered = 0) => [
    `mixed ${f.name}`,
    f.requestsPerSecond.toFixed(0),
    ms(f.p50Ms),
    ms(f.p99Ms),
    ms(f.maxMs),
    String(f.non2xx + unanswered),
    baseline === undefined ? '-' : (f.requestsPerSecond / baseline).toFixed(2),
  ];
  const flatOutRows = comparison.flatMap((r) =>
    (['baseline', 'project'] as const).map((server) => [
      `${r.name}, ${server}, flat out`,
      r[server].requestsPerSecond.toFixed(0),
      r[server].p50Ms.toFixed(1),
      r[server].p99Ms.toFixed(1),
      '-',
      String(r[server].failures),
      '-',
    ]),
  );
  return table([
    ['workload (project unless named)', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'failed', '÷ baseline'],
    // Errors and timeouts have no answer, so they count towards all requests only.
    mixedRow(all, undefined, mixed.errors),
    mixedRow(reads, baselineRate('list')),
    mixedRow(writes, baselineRate('write')),
    ...flatOutRows,
  ]);
}

function kindsTable(mixed: MixedResult): string {
  const totalWeight = mixed.kinds.reduce((sum, k) => sum + k.weight, 0);
  return table([
    ['mixed, per kind', 'share', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx'],
    ...mixed.kinds.map((k) => [k.name, `${((k.weight / totalWeight) * 100).toFixed(0)}%`, String(k.requests), ms(k.p50Ms), ms(k.p99Ms), ms(k.maxMs), String(k.non2xx)]),
  ]);
}

function usageLines(mixed: MixedResult): string[] {
  const { usage } = mixed;
  if (usage === undefined) return ['project RSS and CPU: not sampled (no /proc on this system)'];
  return [
    `project RSS: ${mebibytes(usage.startBytes)} MiB after warm-up, ${mebibytes(usage.endBytes)} MiB at the end (${signedPercent(
      usage.growthPercent,
    )}), peak ${mebibytes(usage.peakBytes)} MiB; ${mixed.series.length} samples every ${mixed.config.sampleIntervalSeconds} s`,
    // Close to 100% the server is saturated (one thread answers); well below it while the rate is missed, it was starved.
    `project CPU: ${usage.cpuPercent.toFixed(0)}% of one core during the measured run`,
  ];
}

/** The usage series with each interval's answers, p99 and CPU: growth or drift over a long run shows here. */
export function seriesTable(mixed: MixedResult): string {
  const start = mixed.series[0]?.rssBytes;
  return table([
    ['at s', 'RSS MiB', 'vs start', 'answers since last', 'p99 ms since last', 'CPU % since last'],
    ...mixed.series.map((p) => [
      p.atSeconds.toFixed(0),
      mebibytes(p.rssBytes),
      start === undefined ? '-' : signedPercent(growthPercent(start, p.rssBytes)),
      String(p.requests),
      ms(p.p99Ms),
      p.cpuPercent === null ? '-' : p.cpuPercent.toFixed(0),
    ]),
  ]);
}

export function formatMixedReport(mixed: MixedResult, comparison: ScenarioResult[]): string {
  const { config } = mixed;
  const outcomes =
    Object.entries(mixed.writeOutcomes)
      .map(([outcome, n]) => `${n} ${outcome}`)
      .join(', ') || 'none';
  return [
    `mixed workload: ${config.rate} req/s for ${config.seconds} s after ${config.warmupSeconds} s warm-up, ${config.connections} connections`,
    mixedTable(mixed, comparison),
    '',
    kindsTable(mixed),
    `report writes: ${outcomes}`,
    ...usageLines(mixed),
    '',
    table([['mixed goal', 'figure', 'verdict'], ...mixedGoals(mixed).map((g) => [g.goal, g.figure, verdict(g.met)])]),
  ].join('\n');
}

export function writeJson(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}
