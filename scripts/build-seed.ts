// Regenerates seeds/plan.json from the source table: npx tsx scripts/build-seed.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildPlan, loadSeedInputs, renderPlan } from '../src/seed/read/build.js';

const root = fileURLToPath(new URL('..', import.meta.url));
try {
  const plan = buildPlan(loadSeedInputs(root));
  writeFileSync(new URL('../seeds/plan.json', import.meta.url), renderPlan(plan));
  const measures = plan.tasks.reduce((n, t) => n + t.measures.length, 0);
  console.log(`seeds/plan.json: ${plan.tasks.length} tasks, ${measures} measures`);
} catch (error) {
  console.error(`build-seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
