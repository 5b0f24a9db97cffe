import { flushDisk } from './measure.js';
import type { Server } from './processes.js';
import { bulkRows, type Reporter, type ReportBody } from './report-bodies.js';

const BULK_PATH = '/api/v1/reports/bulk?atomic=true';

interface Counts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface BulkTiming {
  name: string;
  /** Client-side wall clock of each run, request sent to summary received. */
  runsMs: number[];
  minMs: number;
  medianMs: number;
  goalMs: number;
  goalMet: boolean;
}

export interface BulkResult {
  rows: number;
  timings: BulkTiming[];
}

/** Posts one file and fails the harness unless the summary counts are exactly `expected`. */
async function importOnce(project: Server, reporter: Reporter, rows: ReportBody[], expected: Partial<Counts>): Promise<number> {
  // Serialised before the clock starts: building the file is the client's work, not the server's.
  const body = JSON.stringify({ reports: rows });
  flushDisk();
  const started = performance.now();
  const response = await fetch(project.url + BULK_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${reporter.token}` },
    body,
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`bulk import for ${reporter.unitName} answered ${response.status}: ${text.slice(0, 500)}`);
  const { status, counts } = JSON.parse(text) as { status: string; counts: Counts };
  const want: Counts = { rows: rows.length, created: 0, updated: 0, unchanged: 0, rejected: 0, ...expected };
  if (status !== 'imported' || (Object.keys(want) as (keyof Counts)[]).some((k) => counts[k] !== want[k])) {
    throw new Error(`bulk import for ${reporter.unitName}: status ${status}, counts ${JSON.stringify(counts)}, expected ${JSON.stringify(want)}`);
  }
  return elapsed;
}

function timing(name: string, runsMs: number[], goalMs: number): BulkTiming {
  const sorted = [...runsMs].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)]!;
  return { name, runsMs, minMs: sorted[0]!, medianMs, goalMs, goalMet: medianMs < goalMs };
}

/**
 * Times bulk imports of `rowCount` distinct rows on the project: one run per importer, each for a unit with no
 * reports yet so every row is a creation; then the first file again, where every row must be unchanged.
 */
export async function runBulkScenario(project: Server, importers: Reporter[], measureIds: number[], rowCount: number, goalMs: number): Promise<BulkResult> {
  const rows = bulkRows(measureIds, rowCount);
  const createMs: number[] = [];
  for (const importer of importers) {
    createMs.push(await importOnce(project, importer, rows, { created: rowCount }));
    console.log(`bulk   create  ${importer.unitName}: ${createMs.at(-1)!.toFixed(0)} ms`);
  }
  const repostMs = await importOnce(project, importers[0]!, rows, { unchanged: rowCount });
  console.log(`bulk   re-post ${importers[0]!.unitName}: ${repostMs.toFixed(0)} ms`);
  return { rows: rowCount, timings: [timing('create', createMs, goalMs), timing('re-post (unchanged)', [repostMs], goalMs)] };
}
