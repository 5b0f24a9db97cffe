import { summariseLatencies, type LatencySummary } from './latencies.js';
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
  /** Other clients' reads (one every 10 ms) answered while the first import ran: what a long import costs everyone else. */
  readsDuringImport: LatencySummary;
}

const PROBE_PATHS = ['/health', '/api/v1/reports?limit=5', '/api/v1/tasks/4'];

/** Reads from another client every 10 ms until `done` settles; their latencies. */
async function probeWhile(project: Server, done: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  const inFlight: Promise<void>[] = [];
  for (let i = 0; !finished; i++) {
    const started = performance.now();
    inFlight.push(
      fetch(project.url + PROBE_PATHS[i % PROBE_PATHS.length]).then(async (response) => {
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(inFlight);
  return latencies;
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
  let readsDuringImport: LatencySummary | undefined;
  for (const importer of importers) {
    const run = importOnce(project, importer, rows, { created: rowCount });
    const probes = readsDuringImport ? undefined : probeWhile(project, run);
    createMs.push(await run);
    console.log(`bulk   create  ${importer.unitName}: ${createMs.at(-1)!.toFixed(0)} ms`);
    if (probes) {
      readsDuringImport = summariseLatencies(await probes);
      console.log(
        `bulk   reads by another client during it: ${readsDuringImport.requests}, p50 ${readsDuringImport.p50Ms?.toFixed(1)} ms, p99 ${readsDuringImport.p99Ms?.toFixed(1)} ms, max ${readsDuringImport.maxMs?.toFixed(1)} ms`,
      );
    }
  }
  const repostMs = await importOnce(project, importers[0]!, rows, { unchanged: rowCount });
  console.log(`bulk   re-post ${importers[0]!.unitName}: ${repostMs.toFixed(0)} ms`);
  return {
    rows: rowCount,
    timings: [timing('create', createMs, goalMs), timing('re-post (unchanged)', [repostMs], goalMs)],
    readsDuringImport: readsDuringImport ?? summariseLatencies([]),
  };
}
