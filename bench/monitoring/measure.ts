/**
 * Times the monitoring and supervision reads on a database filled by generate-reports.ts, side by side with the
 * minimal Fastify + better-sqlite3 baseline (baseline.ts) answering the same URLs.
 *
 *   npx tsx bench/monitoring/measure.ts --db FILE [--json OUT]
 *   (or DATABASE_PATH; BENCH_RUNS, BENCH_WARMUP, BENCH_BUDGET, BENCH_HTTP=0, BENCH_STRICT=1)
 *
 * Builds the app in this process (`buildApp`, logLevel 'silent') and the baseline on the same file. For each
 * request, first on the baseline, then on the project: BENCH_WARMUP (3) uncounted requests, then up to BENCH_RUNS
 * (100) sequential timed ones — fewer when a measurement would take longer than BENCH_BUDGET seconds (20), but
 * never fewer than 10; the number of runs is printed, and p99 of fewer than 100 runs is the slowest one. Over
 * real HTTP (fetch against `listen({ port: 0 })` on loopback, keep-alive), or through `inject` with BENCH_HTTP=0.
 *
 * Every answer must be 200 and JSON (lists: `items` within `limit`); a request that fails is reported, the others
 * are still measured, and the run ends with exit code 1. Nothing
 * else of the shapes is checked, as the lead is rebuilding the monitoring answers on obligations. Answers must
 * stay bounded: their size is printed and one over MAX_BYTES is flagged. Goals (the issue's acceptance, at
 * 1,000,000 reports): dashboard and follow-ups under 100 ms at the median, one unit's obligations for a year
 * under 20 ms; a missed goal is printed (exit code 3 with BENCH_STRICT=1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { buildBaseline } from './baseline.js';

/** An answer larger than this is flagged: a list that grows with the data instead of paging. */
export const MAX_BYTES = 1024 * 1024;
export const AS_OF = '2024-10-08T00:00:00+08:00';

export interface Check {
  name: string;
  path: string;
  /** Median goal in milliseconds, or null. */
  goalMs: number | null;
  /** Throws when the body is not a healthy answer (status and JSON are checked before). */
  verify: (body: any) => void;
}

export interface Stats {
  runs: number;
  min: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  bytes: number;
}

export interface Timing {
  name: string;
  path: string;
  transport: 'inject' | 'http';
  goalMs: number | null;
  project: Stats;
  baseline: Stats;
  /** project median / baseline median */
  ratio: number;
}

/** A request that could not be measured (not 200, or not a plausible answer): the others go on. */
export interface Failure {
  name: string;
  path: string;
  error: string;
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const anyJson = () => {};
const page = (limit: number) => (body: any) => {
  expect(Array.isArray(body.items) && body.items.length <= limit, `a list of ${body.items?.length} items for limit ${limit}`);
  expect(Number.isInteger(body.total) && body.total >= body.items.length, `total ${body.total}`);
};
const nonEmptyPage = (limit: number) => (body: any) => {
  page(limit)(body);
  expect(body.items.length > 0, 'an empty list: are there generated assignments and obligations?');
};

export interface Catalogue {
  countyId: number;
  countyName: string;
  countyAssignmentId: number;
  indicatorId: number;
  reports: number;
  assignments: number;
  obligations: number;
  states: { state: string; n: number }[];
  fileBytes: number;
}

export function buildChecks(c: Catalogue): Check[] {
  const asOf = encodeURIComponent(AS_OF);
  return [
    { name: 'dashboard 2024', path: `/api/v1/dashboard?year=2024&asOf=${asOf}`, goalMs: 100, verify: anyJson },
    { name: 'follow-ups, first page', path: `/api/v1/follow-ups?asOf=${asOf}&limit=50`, goalMs: 100, verify: page(50) },
    { name: `follow-ups of ${c.countyName}`, path: `/api/v1/follow-ups?unit=${c.countyId}&asOf=${asOf}&limit=50`, goalMs: 100, verify: page(50) },
    { name: `obligations of ${c.countyName} 2024`, path: `/api/v1/obligations?unit=${c.countyId}&year=2024&asOf=${asOf}`, goalMs: 20, verify: nonEmptyPage(50) },
    { name: 'assignments (whole plan judged)', path: `/api/v1/assignments?limit=50&asOf=${asOf}`, goalMs: null, verify: nonEmptyPage(50) },
    { name: `assignment ${c.countyAssignmentId}`, path: `/api/v1/assignments/${c.countyAssignmentId}?asOf=${asOf}`, goalMs: null, verify: anyJson },
    { name: `indicator ${c.indicatorId} series`, path: `/api/v1/indicators/${c.indicatorId}/series?asOf=${asOf}`, goalMs: null, verify: anyJson },
    { name: `scorecard of ${c.countyName} 2024`, path: `/api/v1/units/${c.countyId}/scorecard?year=2024&asOf=${asOf}`, goalMs: null, verify: anyJson },
  ];
}

/** What the requests name, read straight from the file (read-only): a county, its first assignment, an indicator with values. */
export function readCatalogue(databasePath: string): Catalogue {
  const sqlite = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const one = <T>(sql: string) => sqlite.prepare(sql).get() as T;
    const county = one<{ id: number; name: string } | undefined>(
      `SELECT u.id, u.name FROM units u WHERE u.kind = 'county_government' AND EXISTS (SELECT 1 FROM assignments a WHERE a.unit_id = u.id) ORDER BY u.id LIMIT 1`,
    );
    expect(county, 'no county government owes anything in this database: is it seeded?');
    const indicator = one<{ id: number } | undefined>('SELECT indicator_id AS id FROM report_indicator_values ORDER BY indicator_id LIMIT 1');
    expect(indicator, 'no indicator values in this database: was it filled by generate-reports.ts?');
    const states = sqlite.prepare('SELECT state, count(*) AS n FROM progress_reports GROUP BY state ORDER BY n DESC').all() as { state: string; n: number }[];
    return {
      countyId: county.id,
      countyName: county.name,
      countyAssignmentId: one<{ id: number }>(`SELECT min(id) AS id FROM assignments WHERE unit_id = ${county.id} AND withdrawn_at IS NULL`).id,
      indicatorId: indicator.id,
      reports: states.reduce((s, r) => s + r.n, 0),
      assignments: one<{ n: number }>('SELECT count(*) AS n FROM assignments WHERE withdrawn_at IS NULL').n,
      obligations: one<{ n: number }>('SELECT count(*) AS n FROM obligations').n,
      states,
      fileBytes: fs.statSync(databasePath).size,
    };
  } finally {
    sqlite.close();
  }
}

/** Nearest rank. */
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

function summarise(samples: number[], bytes: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { runs: sorted.length, min: sorted[0]!, median, p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted.at(-1)!, bytes };
}

type Request = (path: string) => Promise<{ status: number; body: string }>;

export interface Plan {
  warmup: number;
  runs: number;
  /** Seconds a measurement may take before it stops early (at least MIN_RUNS runs). */
  budget: number;
}
const MIN_RUNS = 10;

async function time(check: Check, who: string, request: Request, { warmup, runs, budget }: Plan): Promise<Stats> {
  const once = async () => {
    const started = process.hrtime.bigint();
    const { status, body } = await request(check.path);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (status !== 200) throw new Error(`${who} GET ${check.path} answered ${status}: ${body.slice(0, 500)}`);
    return { ms, body };
  };
  for (let i = 0; i < warmup; i++) {
    const { body } = await once();
    try {
      check.verify(JSON.parse(body));
    } catch (error) {
      throw new Error(`${who} GET ${check.path}: implausible answer: ${(error as Error).message}`);
    }
  }
  const samples: number[] = [];
  let bytes = 0;
  const deadline = Date.now() + budget * 1000;
  while (samples.length < runs && (samples.length < MIN_RUNS || Date.now() < deadline)) {
    const { ms, body } = await once();
    samples.push(ms);
    bytes = Math.max(bytes, Buffer.byteLength(body));
  }
  return summarise(samples, bytes);
}

const goalText = (t: Timing) => (t.goalMs === null ? '–' : `< ${t.goalMs} ms: ${t.project.median < t.goalMs ? 'met' : 'MISSED'}`);

export function formatTable(timings: Timing[]): string {
  const header = ['request', 'runs', 'median', 'p99', 'bytes', 'goal (median)', 'baseline median', 'baseline p99', 'baseline bytes', 'ratio'];
  const rows = timings.map((t) => [
    t.name,
    String(t.project.runs),
    t.project.median.toFixed(1),
    t.project.p99.toFixed(1),
    `${t.project.bytes.toLocaleString('en')}${t.project.bytes > MAX_BYTES ? ' !' : ''}`,
    goalText(t),
    t.baseline.median.toFixed(1),
    t.baseline.p99.toFixed(1),
    t.baseline.bytes.toLocaleString('en'),
    `${t.ratio.toFixed(1)}×`,
  ]);
  const right = new Set([1, 2, 3, 4, 6, 7, 8, 9]);
  // Chinese characters take two columns in a terminal.
  const width = (text: string) => [...text].reduce((w, ch) => w + (ch.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);
  const pad = (text: string, to: number, start: boolean) => (start ? ' '.repeat(to - width(text)) + text : text + ' '.repeat(to - width(text)));
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i]!, right.has(i))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (right.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...rows.map(line)].join('\n');
}

export interface MeasureOptions extends Plan {
  databasePath: string;
  http: boolean;
  log?: (line: string) => void;
}

async function requester(app: FastifyInstance, http: boolean): Promise<Request> {
  if (!http) {
    return async (url) => {
      const response = await app.inject({ method: 'GET', url });
      return { status: response.statusCode, body: response.body };
    };
  }
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return async (url) => {
    const response = await fetch(address + url, { signal: AbortSignal.timeout(120_000) });
    return { status: response.status, body: await response.text() };
  };
}

export async function measure({ databasePath, http, log = console.log, ...plan }: MeasureOptions): Promise<{ timings: Timing[]; failures: Failure[] }> {
  const catalogue = readCatalogue(databasePath);
  log(
    `database ${databasePath}: ${(catalogue.fileBytes / 1024 / 1024).toFixed(0)} MiB, ${catalogue.reports.toLocaleString('en')} progress reports ` +
      `(${catalogue.states.map((s) => `${s.state} ${s.n.toLocaleString('en')}`).join(', ')}), ` +
      `${catalogue.assignments.toLocaleString('en')} standing assignments, ${catalogue.obligations.toLocaleString('en')} obligations`,
  );
  const checks = buildChecks(catalogue);
  const app = await buildApp({ databasePath, logLevel: 'silent' });
  const baseline = buildBaseline(databasePath);
  const transport = http ? 'http' : 'inject';
  const timings: Timing[] = [];
  const failures: Failure[] = [];
  try {
    await Promise.all([app.ready(), baseline.ready()]);
    const [onProject, onBaseline] = [await requester(app, http), await requester(baseline, http)];
    for (const check of checks) {
      try {
        const base = await time(check, 'baseline', onBaseline, plan);
        const project = await time(check, 'project', onProject, plan);
        timings.push({ name: check.name, path: check.path, transport, goalMs: check.goalMs, project, baseline: base, ratio: project.median / base.median });
        log(`  ${check.name}: median ${project.median.toFixed(1)} ms (${project.runs} runs), baseline ${base.median.toFixed(1)} ms`);
      } catch (error) {
        failures.push({ name: check.name, path: check.path, error: (error as Error).message });
        log(`  ${check.name}: FAILED: ${(error as Error).message}`);
      }
    }
  } finally {
    await Promise.all([app.close(), baseline.close()]);
  }
  return { timings, failures };
}

export function goalLines(timings: Timing[]): { lines: string[]; missed: boolean } {
  const lines: string[] = [];
  let missed = false;
  for (const t of timings) {
    if (t.goalMs !== null && t.project.median >= t.goalMs) {
      missed = true;
      lines.push(`goal MISSED: ${t.path} median ${t.project.median.toFixed(1)} ms ≥ ${t.goalMs} ms`);
    }
    if (t.project.bytes > MAX_BYTES) lines.push(`answer too large: ${t.path} ${t.project.bytes.toLocaleString('en')} bytes > ${MAX_BYTES.toLocaleString('en')}`);
  }
  if (!missed) lines.unshift(`goals met: ${timings.filter((t) => t.goalMs !== null).length} medians under their goals`);
  return { lines, missed };
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

function count(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export function measureOptionsFromEnv(databasePath: string): MeasureOptions {
  return {
    databasePath,
    warmup: count('BENCH_WARMUP', process.env.BENCH_WARMUP, 3),
    runs: Math.max(1, count('BENCH_RUNS', process.env.BENCH_RUNS, 100)),
    budget: count('BENCH_BUDGET', process.env.BENCH_BUDGET, 20),
    http: process.env.BENCH_HTTP !== '0',
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const databasePath = argument('db') ?? process.env.DATABASE_PATH;
  if (!databasePath || !fs.existsSync(databasePath)) {
    console.error('usage: measure.ts --db FILE   (or DATABASE_PATH; a file filled by generate-reports.ts)');
    process.exit(2);
  }
  try {
    const options = measureOptionsFromEnv(databasePath);
    const { timings, failures } = await measure(options);
    const via = options.http ? 'over HTTP (loopback, keep-alive)' : 'through inject';
    console.log(`\n${options.warmup} warm-up + up to ${options.runs} timed sequential requests each (${options.budget} s budget), ${via}; milliseconds; as of ${AS_OF}\n`);
    console.log(formatTable(timings));
    const { lines, missed } = goalLines(timings);
    console.log(`\n${lines.join('\n')}`);
    for (const f of failures) console.log(`FAILED (not measured): ${f.name}: ${f.error}`);
    const json = argument('json');
    if (json) {
      fs.mkdirSync(path.dirname(path.resolve(json)), { recursive: true });
      const catalogue = readCatalogue(databasePath);
      const result = { at: new Date().toISOString(), node: process.version, database: { path: databasePath, ...catalogue }, options, timings, failures };
      fs.writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`results written to ${json}`);
    }
    if (failures.length > 0) process.exitCode = 1;
    else if (missed && process.env.BENCH_STRICT === '1') process.exitCode = 3;
  } catch (error) {
    console.error(`\nFAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
