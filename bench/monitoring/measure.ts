/**
 * Times the monitoring reads on a database filled by generate-reports.ts.
 *
 *   npx tsx bench/monitoring/measure.ts --db FILE [--json OUT]   (or DATABASE_PATH; BENCH_RUNS, BENCH_WARMUP, BENCH_HTTP=0)
 *
 * Builds the app in this process (`buildApp`, logLevel 'silent') on that file and, for each request, makes
 * BENCH_WARMUP (3) uncounted requests then BENCH_RUNS (30) sequential timed ones — first through `app.inject`
 * (routing, validation, handler, serialisation; no socket), then over real HTTP with fetch against
 * `app.listen({ port: 0 })` on loopback (adds the HTTP stack and JSON parsing on the client). Every answer
 * must be 200 and plausible (e.g. the dashboard counts all 148 measures); anything else stops the run with
 * exit code 1. The goal — median under 100 ms — applies to the dashboard and the follow-up list; a missed
 * goal is printed (and sets exit code 3 when BENCH_STRICT=1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';

export const GOAL_MS = 100;

interface Check {
  name: string;
  path: string;
  goal: boolean;
  /** Throws when the body is not what a healthy answer on the generated data looks like. */
  verify: (body: any) => void;
}

export interface Timing {
  name: string;
  path: string;
  transport: 'inject' | 'http';
  goal: boolean;
  runs: number;
  min: number;
  median: number;
  p90: number;
  max: number;
  bytes: number;
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const STATUSES = ['completed', 'on_track', 'overdue', 'not_reported'] as const;
const KINDS = ['overdue_deadline', 'overdue_milestone', 'indicator_not_met', 'indicator_at_risk', 'returned_report', 'missing_report'];

function verifyCounts(counts: any, total: number, where: string) {
  expect(counts.total === total, `${where}: total is ${counts.total}, expected ${total}`);
  const sum = STATUSES.reduce((s, k) => s + counts[k], 0);
  expect(sum === total, `${where}: statuses add up to ${sum}, not ${total}`);
}

function verifyDashboard(year: number, measureCount: number, chapterCount: number) {
  return (body: any) => {
    expect(body.year === year, `dashboard year is ${body.year}, expected ${year}`);
    verifyCounts(body.measures, measureCount, 'dashboard measures');
    expect(Array.isArray(body.chapters) && body.chapters.length === chapterCount, `dashboard lists ${body.chapters?.length} chapters, expected ${chapterCount}`);
    expect(body.measures.completed + body.measures.on_track > 0, 'dashboard counts no completed or on-track measure: are there generated reports?');
    expect(body.indicators.total > 0 && body.indicators.items.some((i: any) => i.actual !== null), 'dashboard judges no indicator with an actual value');
  };
}

function verifyFollowUps(limit: number) {
  return (body: any) => {
    expect(Array.isArray(body.items) && body.items.length <= limit && body.limit === limit, `follow-ups: ${body.items?.length} items for limit ${limit}`);
    expect(body.total >= body.items.length && body.total > 0, `follow-ups: total ${body.total}`);
    for (const item of body.items) expect(KINDS.includes(item.kind) && item.daysOutstanding >= 0, `follow-ups: odd item ${JSON.stringify(item).slice(0, 200)}`);
  };
}

export function buildChecks(catalogue: { measures: number; chapters: number; chapterOneMeasures: number; countyCollectiveId: number; counties: number }): Check[] {
  const asOf = encodeURIComponent('2024-10-08T00:00:00+08:00');
  return [
    { name: 'dashboard 2024 as of 2024-10-08', path: `/api/v1/dashboard?year=2024&asOf=${asOf}`, goal: true, verify: verifyDashboard(2024, catalogue.measures, catalogue.chapters) },
    // Defaults: asOf now, year = now's year kept within the plan (2025 after the plan has ended).
    { name: 'dashboard (defaults)', path: '/api/v1/dashboard', goal: true, verify: (body) => verifyDashboard(body.year, catalogue.measures, catalogue.chapters)(body) },
    { name: 'follow-ups as of 2024-10-08', path: `/api/v1/follow-ups?asOf=${asOf}&limit=50`, goal: true, verify: verifyFollowUps(50) },
    { name: 'follow-ups (defaults)', path: '/api/v1/follow-ups?limit=50', goal: true, verify: verifyFollowUps(50) },
    {
      name: 'scorecard 各县(市、区) 2024',
      path: `/api/v1/units/${catalogue.countyCollectiveId}/scorecard?year=2024`,
      goal: false,
      verify: (body) => {
        verifyCounts(body.carried, catalogue.measures, 'scorecard carried');
        expect(body.members.length === catalogue.counties, `scorecard: ${body.members.length} members, expected ${catalogue.counties}`);
        for (const member of body.members) verifyCounts(member, catalogue.measures, `scorecard member ${member.unit?.name}`);
      },
    },
    {
      name: 'chapter 1 progress 2024',
      path: '/api/v1/chapters/1/progress?year=2024',
      goal: false,
      verify: (body) => verifyCounts(body, catalogue.chapterOneMeasures, 'chapter 1'),
    },
    {
      name: 'indicator 1 series',
      path: '/api/v1/indicators/1/series',
      goal: false,
      verify: (body) => {
        expect(body.indicatorId === 1 && body.years.length === 5, `series: ${body.years?.length} years`);
        expect(body.years.some((y: any) => y.reports.length > 0), 'series: no approved report value in any year');
      },
    },
  ];
}

/** What the checks compare against, read straight from the file (read-only), with the generated row counts. */
export function readCatalogue(databasePath: string) {
  const sqlite = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const one = <T>(sql: string) => sqlite.prepare(sql).get() as T;
    const collective = one<{ id: number; members: number } | undefined>(
      `SELECT u.id, count(*) AS members FROM units u JOIN unit_members um ON um.collective_id = u.id JOIN units m ON m.id = um.member_id
       WHERE u.kind = 'collective' AND m.kind = 'county_government' GROUP BY u.id ORDER BY members DESC LIMIT 1`,
    );
    expect(collective, 'no collective of county governments in the database: is it seeded?');
    const states = sqlite.prepare('SELECT state, count(*) AS n FROM progress_reports GROUP BY state ORDER BY n DESC').all() as { state: string; n: number }[];
    return {
      measures: one<{ n: number }>('SELECT count(*) AS n FROM measures').n,
      chapters: one<{ n: number }>('SELECT count(*) AS n FROM chapters').n,
      chapterOneMeasures: one<{ n: number }>('SELECT count(*) AS n FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.chapter_id = 1').n,
      countyCollectiveId: collective.id,
      counties: collective.members,
      reports: states.reduce((s, r) => s + r.n, 0),
      states,
      indicatorValues: one<{ n: number }>('SELECT count(*) AS n FROM report_indicator_values').n,
      fileBytes: fs.statSync(databasePath).size,
    };
  } finally {
    sqlite.close();
  }
}

function quantile(sorted: number[], q: number): number {
  // nearest rank
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function summarise(check: Check, transport: Timing['transport'], samples: number[], bytes: number): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { name: check.name, path: check.path, transport, goal: check.goal, runs: samples.length, min: sorted[0]!, median, p90: quantile(sorted, 0.9), max: sorted.at(-1)!, bytes };
}

type Request = (path: string) => Promise<{ status: number; body: string }>;

async function time(check: Check, transport: Timing['transport'], request: Request, warmup: number, runs: number): Promise<Timing> {
  const once = async () => {
    const started = process.hrtime.bigint();
    const { status, body } = await request(check.path);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (status !== 200) throw new Error(`${transport} GET ${check.path} answered ${status}: ${body.slice(0, 500)}`);
    return { ms, body };
  };
  for (let i = 0; i < warmup; i++) {
    const { body } = await once();
    try {
      check.verify(JSON.parse(body));
    } catch (error) {
      throw new Error(`${transport} GET ${check.path}: implausible answer: ${(error as Error).message}`);
    }
  }
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const { ms, body } = await once();
    samples.push(ms);
    bytes = Buffer.byteLength(body);
  }
  return summarise(check, transport, samples, bytes);
}

export function formatTable(timings: Timing[]): string {
  const header = ['request', 'via', 'min', 'median', 'p90', 'max', 'KiB', 'goal (median < 100 ms)'];
  const rows = timings.map((t) => [
    t.name,
    t.transport,
    t.min.toFixed(1),
    t.median.toFixed(1),
    t.p90.toFixed(1),
    t.max.toFixed(1),
    (t.bytes / 1024).toFixed(1),
    t.goal ? (t.median < GOAL_MS ? 'met' : 'MISSED') : '–',
  ]);
  // Chinese characters take two columns in a terminal.
  const width = (text: string) => [...text].reduce((w, ch) => w + (ch.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);
  const pad = (text: string, to: number, start: boolean) => (start ? ' '.repeat(to - width(text)) + text : text + ' '.repeat(to - width(text)));
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i]!, i >= 2 && i <= 6)).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i >= 2 && i <= 6 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...rows.map(line)].join('\n');
}

export interface MeasureOptions {
  databasePath: string;
  warmup: number;
  runs: number;
  http: boolean;
  log?: (line: string) => void;
}

export async function measure({ databasePath, warmup, runs, http, log = console.log }: MeasureOptions): Promise<Timing[]> {
  const catalogue = readCatalogue(databasePath);
  log(
    `database ${databasePath}: ${(catalogue.fileBytes / 1024 / 1024).toFixed(0)} MiB, ${catalogue.reports.toLocaleString('en')} progress reports ` +
      `(${catalogue.states.map((s) => `${s.state} ${s.n.toLocaleString('en')}`).join(', ')}), ${catalogue.indicatorValues.toLocaleString('en')} indicator values`,
  );
  const checks = buildChecks(catalogue);
  const app: FastifyInstance = await buildApp({ databasePath, logLevel: 'silent' });
  const timings: Timing[] = [];
  try {
    await app.ready();
    const inject: Request = async (url) => {
      const response = await app.inject({ method: 'GET', url });
      return { status: response.statusCode, body: response.body };
    };
    for (const check of checks) {
      const timing = await time(check, 'inject', inject, warmup, runs);
      timings.push(timing);
      log(`  inject ${check.name}: median ${timing.median.toFixed(1)} ms`);
    }
    if (http) {
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      const fetchIt: Request = async (url) => {
        const response = await fetch(address + url, { signal: AbortSignal.timeout(60_000) });
        return { status: response.status, body: await response.text() };
      };
      for (const check of checks) {
        const timing = await time(check, 'http', fetchIt, warmup, runs);
        timings.push(timing);
        log(`  http   ${check.name}: median ${timing.median.toFixed(1)} ms`);
      }
    }
  } finally {
    await app.close();
  }
  return timings;
}

export function goalLines(timings: Timing[]): { lines: string[]; missed: boolean } {
  const goal = timings.filter((t) => t.goal);
  const missed = goal.filter((t) => t.median >= GOAL_MS);
  return {
    missed: missed.length > 0,
    lines:
      missed.length === 0
        ? [`goal met: every dashboard and follow-ups median is under ${GOAL_MS} ms (${goal.length} measurements)`]
        : missed.map((t) => `goal MISSED: ${t.transport} ${t.path} median ${t.median.toFixed(1)} ms ≥ ${GOAL_MS} ms`),
  };
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
    runs: Math.max(1, count('BENCH_RUNS', process.env.BENCH_RUNS, 30)),
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
    const timings = await measure(options);
    console.log(`\n${options.warmup} warm-up + ${options.runs} timed sequential requests each; milliseconds\n`);
    console.log(formatTable(timings));
    const { lines, missed } = goalLines(timings);
    console.log(`\n${lines.join('\n')}`);
    const json = argument('json');
    if (json) {
      fs.mkdirSync(path.dirname(path.resolve(json)), { recursive: true });
      const catalogue = readCatalogue(databasePath);
      const result = {
        at: new Date().toISOString(),
        node: process.version,
        database: { path: databasePath, bytes: catalogue.fileBytes, reports: catalogue.reports, states: catalogue.states, indicatorValues: catalogue.indicatorValues },
        warmup: options.warmup,
        runs: options.runs,
        goalMs: GOAL_MS,
        timings,
      };
      fs.writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`results written to ${json}`);
    }
    if (missed && process.env.BENCH_STRICT === '1') process.exitCode = 3;
  } catch (error) {
    console.error(`\nFAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
