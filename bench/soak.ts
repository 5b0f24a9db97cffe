/**
 * Soak: the mixed workload of `npm run bench` on the project alone for ten minutes (SOAK_SECONDS), with its memory,
 * CPU and latency printed every 30 s, against the same goals. For release checks, not CI. See bench/README.md.
 */
import os from 'node:os';
import path from 'node:path';
import { buildProject, projectRoot, resultsDir, runBench, startProject } from './lib/harness.js';
import { loadMixIds, mixedConfig, runMixedScenario } from './lib/mixed-scenario.js';
import { reportSequence } from './lib/report-bodies.js';
import { formatMixedReport, seriesTable, writeJson } from './lib/report.js';
import { mixTargets } from './lib/request-mix.js';
import { mebibytes } from './lib/server-usage.js';
import { prepareWriteFixture } from './lib/write-fixture.js';

const resultsFile = path.join(resultsDir, 'soak.json');

async function main(tempDir: string): Promise<void> {
  const config = mixedConfig('SOAK_SECONDS', 600, 30);
  await buildProject();
  const databasePath = path.join(tempDir, 'plan-tracker.db');
  const project = await startProject(tempDir, databasePath);
  const fixture = await prepareWriteFixture(project, databasePath, { bulkRuns: 0 });
  const writes = reportSequence(fixture.writers, fixture.measureIds);

  console.log(`soak: ${config.rate} req/s for ${config.seconds} s after ${config.warmupSeconds} s warm-up, memory and CPU every ${config.sampleIntervalSeconds} s`);
  const result = await runMixedScenario(project, mixTargets(await loadMixIds(project, fixture), writes), config, (point) =>
    console.log(
      `soak ${point.atSeconds.toFixed(0).padStart(5)} s  RSS ${mebibytes(point.rssBytes)} MiB  since last: ${point.requests} answers, p99 ${point.p99Ms?.toFixed(1) ?? '-'} ms, CPU ${point.cpuPercent?.toFixed(0) ?? '-'}%`,
    ),
  );
  const warnings = writes.repeated > 0 ? [`${writes.repeated} of ${writes.issued} writes reused a (unit, measure, period) and updated a draft instead of creating one`] : [];

  console.log(`\n${seriesTable(result)}\n\n${formatMixedReport(result, [])}`);
  warnings.forEach((w) => console.log(`warning: ${w}`));
  writeJson(resultsFile, {
    date: new Date().toISOString(),
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model },
    warnings,
    writes: { issued: writes.issued, capacity: writes.capacity, repeated: writes.repeated },
    mixed: result,
  });
  console.log(`\nresults written to ${path.relative(projectRoot, resultsFile)}`);
}

await runBench(main);
