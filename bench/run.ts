/**
 * Load benchmark: the project's task reads and report writes against a minimal baseline server on the same
 * data, then the project's bulk import timed on its own. See bench/README.md. Exits non-zero only when the
 * harness itself fails, never on a missed goal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import { runBulkScenario } from './lib/bulk-scenario.js';
import { getRequests, measure, type Measurement } from './lib/measure.js';
import { assertRunning, runCommand, startServer, stopAll, tail, type Server } from './lib/processes.js';
import { reportSequence } from './lib/report-bodies.js';
import { formatReport, scenarioResult, writeJson, type ScenarioResult } from './lib/report.js';
import { checkSameRows, listTaskIds } from './lib/sanity.js';
import { prepareWriteFixture, type WriteFixture } from './lib/write-fixture.js';
import { checkWrites, postRequests } from './lib/write-scenario.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(benchDir, '..');
const resultsFile = path.join(benchDir, 'results', 'latest.json');

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

const LIST_PATH = '/api/v1/tasks?limit=20';
const BULK = { rows: 5_000, creationRuns: 3, goalMs: 2_000 };

interface Scenario {
  name: string;
  paths: number;
  minRatio: number | undefined;
  requests: (server: Server) => autocannon.Request[];
}

const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-tracker-bench-'));
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await stopAll();
  fs.rmSync(tempDir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function startServers(): Promise<{ baseline: Server; project: Server; fixture: WriteFixture }> {
  const databasePath = path.join(tempDir, 'plan-tracker.db');
  const baselineWritePath = path.join(tempDir, 'baseline-writes.db');
  // The project migrates and seeds the fresh file on start; the keys and the baseline's copy are made afterwards.
  const project = await startServer({
    name: 'project',
    args: ['dist/server.js'],
    cwd: projectRoot,
    env: { DATABASE_PATH: databasePath, LOG_LEVEL: 'info' },
    logFile: path.join(tempDir, 'project.log'),
  });
  const fixture = await prepareWriteFixture(project, databasePath, baselineWritePath, BULK.creationRuns);
  const baseline = await startServer({
    name: 'baseline',
    args: ['--import', 'tsx', path.join(benchDir, 'baseline-server.ts')],
    cwd: projectRoot,
    env: { DATABASE_PATH: databasePath, WRITE_DATABASE_PATH: baselineWritePath },
    logFile: path.join(tempDir, 'baseline.log'),
  });
  return { baseline, project, fixture };
}

async function main(): Promise<void> {
  const config = {
    durationSeconds: envInt('BENCH_DURATION', 10),
    connections: envInt('BENCH_CONNECTIONS', 10),
    rounds: envInt('BENCH_ROUNDS', 2),
    warmupSeconds: 2,
  };
  console.log('building the project…');
  await runCommand('npm', ['run', '--silent', 'build'], projectRoot);
  const { baseline, project, fixture } = await startServers();

  const detailPaths = (await listTaskIds(project)).map((id) => `/api/v1/tasks/${id}`);
  // Each server gets its own stream of the same bodies: both create the same reports, each in its own file.
  const sequences = new Map([baseline, project].map((server) => [server, reportSequence(fixture.writers, fixture.measureIds)]));
  const scenarios: Scenario[] = [
    { name: 'list', paths: 1, minRatio: 0.6, requests: () => getRequests([LIST_PATH]) },
    { name: 'detail', paths: detailPaths.length, minRatio: undefined, requests: () => getRequests(detailPaths) },
    { name: 'write', paths: 1, minRatio: 0.5, requests: (server) => postRequests(sequences.get(server)!) },
  ];
  const warnings = await checkSameRows(baseline, project, LIST_PATH, detailPaths);
  warnings.forEach((w) => console.warn(`warning: ${w}`));
  await checkWrites(baseline, project, sequences);

  const runs = new Map<string, Measurement[]>();
  const record = (key: string, m: Measurement) => runs.set(key, [...(runs.get(key) ?? []), m]);
  for (let round = 1; round <= config.rounds; round++) {
    // Alternate who goes first so neither server systematically gets the cooler or the warmer machine.
    const order = round % 2 === 1 ? [baseline, project] : [project, baseline];
    for (const scenario of scenarios) {
      for (const server of order) {
        const m = await measure(
          { url: server.url, requests: scenario.requests(server), connections: config.connections, durationSeconds: config.durationSeconds },
          config.warmupSeconds,
        );
        assertRunning(server, 'during the measurements');
        record(`${scenario.name}/${server.name}`, m);
        console.log(
          `round ${round}/${config.rounds} ${scenario.name.padEnd(6)} ${server.name.padEnd(8)} ${m.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${m.p99Ms} ms${m.failures ? `  ${m.failures} failures` : ''}`,
        );
      }
    }
  }
  for (const [server, sequence] of sequences) {
    if (sequence.repeated > 0) {
      warnings.push(`write/${server.name}: ${sequence.repeated} of ${sequence.issued} writes reused a (unit, measure, period), so they were not creations; shorten BENCH_DURATION or BENCH_ROUNDS`);
    }
  }

  const bulk = await runBulkScenario(project, fixture.bulkImporters, fixture.measureIds, BULK.rows, BULK.goalMs);
  assertRunning(project, 'during the bulk imports');

  const results: ScenarioResult[] = scenarios.map((s) =>
    scenarioResult(s.name, s.paths, s.minRatio, runs.get(`${s.name}/baseline`)!, runs.get(`${s.name}/project`)!),
  );
  console.log(`\n${formatReport(results, bulk, warnings)}`);
  writeJson(resultsFile, {
    date: new Date().toISOString(),
    config,
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model },
    projectLogBytes: fs.statSync(project.logFile).size,
    warnings,
    scenarios: results,
    writes: Object.fromEntries([...sequences].map(([server, s]) => [server.name, { issued: s.issued, capacity: s.capacity, repeated: s.repeated }])),
    bulk,
  });
  console.log(`\nresults written to ${path.relative(projectRoot, resultsFile)}`);
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  for (const log of ['project.log', 'baseline.log']) {
    const file = path.join(tempDir, log);
    if (fs.existsSync(file)) console.error(`--- last lines of ${log}\n${tail(file)}`);
  }
  process.exitCode = 1;
} finally {
  await cleanup();
}
