/**
 * Load benchmark: the project's task reads and report writes against a minimal baseline server on the same
 * data, the project's bulk import timed on its own, then the mixed workload at a fixed rate on the project. See
 * bench/README.md. Exits non-zero only when the harness itself fails, never on a missed goal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import { runBulkScenario } from './lib/bulk-scenario.js';
import { benchDir, buildProject, envInt, projectRoot, resultsDir, runBench, startProject } from './lib/harness.js';
import { getRequests, measure, type Measurement } from './lib/measure.js';
import { loadMixIds, mixedConfig, runMixedScenario } from './lib/mixed-scenario.js';
import { assertRunning, startServer, type Server } from './lib/processes.js';
import { reportSequence } from './lib/report-bodies.js';
import { mixTargets } from './lib/request-mix.js';
import { formatMixedReport, formatReport, scenarioResult, writeJson, type ScenarioResult } from './lib/report.js';
import { checkSameRows, listTaskIds } from './lib/sanity.js';
import { prepareWriteFixture, type WriteFixture } from './lib/write-fixture.js';
import { checkWrites, postRequests } from './lib/write-scenario.js';

const resultsFile = path.join(resultsDir, 'latest.json');

const LIST_PATH = '/api/v1/tasks?limit=20';
// A county owes 50 measures: 50 × 95 periods = 4,750 distinct reports fit in one county's file.
const BULK = { rows: 4_500, creationRuns: 3, goalMs: 2_000 };

interface Scenario {
  name: string;
  paths: number;
  minRatio: number | undefined;
  requests: (server: Server) => autocannon.Request[];
}

async function startServers(tempDir: string): Promise<{ baseline: Server; project: Server; fixture: WriteFixture }> {
  const databasePath = path.join(tempDir, 'plan-tracker.db');
  const baselineCopyPath = path.join(tempDir, 'baseline-writes.db');
  // The project migrates and seeds the fresh file on start; the keys and the baseline's copy are made afterwards.
  const project = await startProject(tempDir, databasePath);
  const fixture = await prepareWriteFixture(project, databasePath, { bulkRuns: BULK.creationRuns, baselineCopyPath });
  const baseline = await startServer({
    name: 'baseline',
    args: ['--import', 'tsx', path.join(benchDir, 'baseline-server.ts')],
    cwd: projectRoot,
    env: { DATABASE_PATH: databasePath, WRITE_DATABASE_PATH: baselineCopyPath },
    logFile: path.join(tempDir, 'baseline.log'),
  });
  return { baseline, project, fixture };
}

async function main(tempDir: string): Promise<void> {
  const config = {
    durationSeconds: envInt('BENCH_DURATION', 10),
    connections: envInt('BENCH_CONNECTIONS', 10),
    rounds: envInt('BENCH_ROUNDS', 2),
    warmupSeconds: 2,
  };
  const mixed = mixedConfig('MIXED_SECONDS', 60, 5);
  await buildProject();
  const { baseline, project, fixture } = await startServers(tempDir);

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
  const bulk = await runBulkScenario(project, fixture.bulkImporters, fixture.measureIds, BULK.rows, BULK.goalMs);
  assertRunning(project, 'during the bulk imports');

  // The mix's writes continue the project's write stream: restarting it would re-send bodies it already has.
  console.log(`mixed  project  ${mixed.rate} req/s for ${mixed.seconds} s (after ${mixed.warmupSeconds} s warm-up)…`);
  const mixedResult = await runMixedScenario(project, mixTargets(await loadMixIds(project, fixture), sequences.get(project)!), mixed);
  for (const [server, sequence] of sequences) {
    if (sequence.repeated > 0) {
      warnings.push(
        `write/${server.name}: ${sequence.repeated} of ${sequence.issued} writes reused a (unit, measure, period), so they were not creations; shorten BENCH_DURATION, BENCH_ROUNDS or MIXED_SECONDS`,
      );
    }
  }

  const results: ScenarioResult[] = scenarios.map((s) => scenarioResult(s.name, s.paths, s.minRatio, runs.get(`${s.name}/baseline`)!, runs.get(`${s.name}/project`)!));
  console.log(`\n${formatReport(results, bulk, warnings)}`);
  console.log(
    `\n${formatMixedReport(
      mixedResult,
      results.filter((r) => r.name === 'list' || r.name === 'write'),
    )}`,
  );
  writeJson(resultsFile, {
    date: new Date().toISOString(),
    config: { ...config, mixed },
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model },
    projectLogBytes: fs.statSync(project.logFile).size,
    warnings,
    scenarios: results,
    writes: Object.fromEntries([...sequences].map(([server, s]) => [server.name, { issued: s.issued, capacity: s.capacity, repeated: s.repeated }])),
    bulk,
    mixed: mixedResult,
  });
  console.log(`\nresults written to ${path.relative(projectRoot, resultsFile)}`);
}

await runBench(main);
