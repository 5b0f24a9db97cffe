/**
 * Fills a plan-tracker database with N generated progress reports (default 1,000,000) for the monitoring
 * performance check.
 *
 *   npx tsx bench/monitoring/generate-reports.ts --db FILE [--reports N] [--seed S] [--no-events]
 *   (or DATABASE_PATH, BENCH_REPORTS, BENCH_SEED, BENCH_EVENTS=0)
 *
 * The file is created, migrated and seeded through the project's own `openDatabase` + `loadSeed`, then the
 * reports go in through prepared INSERTs on `db.$client`, one transaction per 50,000 reports. Only for this
 * bulk load the connection runs with `synchronous=OFF` (and a 256 MiB page cache): a crash mid-load leaves a
 * useless file, which is fine for a benchmark fixture. The server opens the file with its usual pragmas.
 *
 * What is generated (deterministic for a given N and seed, mulberry32 PRNG):
 * - Every standing assignment of the seeded plan (`SELECT measure_id, unit_id FROM assignments WHERE withdrawn_at
 *   IS NULL`, as `loadSeed` builds them: a measure's named owners, else its task's responsible units, a collective
 *   expanded to its members) — and only those, since a unit reports only on what it owes — in every period of
 *   2021–2025: 5 years, 10 halves, 20 quarters, 60 months = 95 periods per pair.
 * - Per (measure, unit, period) key a history: a chain of approvals, each later one superseding the one before
 *   (superseded_by_id / superseded_at = the newer report's approval), optionally followed by one open report
 *   (submitted, returned or draft) — so never two open reports per key (the unique partial index holds it).
 *   Chain lengths are drawn so the total is exactly N. Because a key holds at most one `approved` report, how
 *   many of the N rows can be `approved` is capped by the number of keys; the rest of the approval
 *   history is `superseded`.
 * - Timestamps follow each period: drafted around its end, submitted within days, reviewed within days to
 *   weeks, re-reported and re-approved in the following weeks; everything before CLOCK_END (2026-03-31).
 * - Statuses: mostly in_progress, completed more often in later years, later in a year and later in a key's
 *   history; some delayed, blocked, not_started.
 * - report_indicator_values on most reports of measures whose task has indicators (the measure's own
 *   indicators and the task-level ones), moving along a plausible trajectory towards the target.
 * - One admin API key, the creator and reviewer of every report.
 * - report_events: every step of every report (created, updated, submitted, returned, approved, superseded), at
 *   the report's timestamps, as the service records them; the migration's triggers on report_events keep
 *   report_returns (each return, resolved by the next step) from them, which follow-ups and the obligations'
 *   "returned as of T" read. `--no-events` (BENCH_EVENTS=0) leaves both out.
 * Not generated: audit_events and idempotency records (monitoring never reads them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/db/client.js';
import { createApiKeyRepository } from '../../src/modules/auth/repository.js';
import { parsePeriod, type Period } from '../../src/modules/reports/period.js';
import { loadSeed } from '../../src/seed/load-seed.js';

export const DEFAULT_REPORTS = 1_000_000;
export const DEFAULT_SEED = 20241008;
const ROWS_PER_TRANSACTION = 50_000;
const FIRST_YEAR = 2021;
const LAST_YEAR = 2025;
/** No generated timestamp is later than this (the last annual reports of 2025 are in by then). */
const CLOCK_END = Date.parse('2026-03-31T00:00:00+08:00');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface GenerateOptions {
  databasePath: string;
  reports: number;
  seed: number;
  /** Write report_events (default true). */
  events?: boolean;
  log?: (line: string) => void;
}

export interface GenerateResult {
  seconds: number;
  reports: number;
  events: number;
  indicatorValues: number;
  keys: number;
  pairs: number;
  periods: number;
  byState: Record<string, number>;
  byStatus: Record<string, number>;
  fileBytes: number;
}

/** mulberry32: small, fast, good enough for fixtures, and the same sequence everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (lo: number, hi: number) => lo + (hi - lo) * next(),
    int: (lo: number, hi: number) => lo + Math.floor((hi - lo + 1) * next()),
    pick: <T>(items: readonly T[]): T => items[Math.floor(items.length * next())]!,
    /** Knuth's method; fine for the small means used here. */
    poisson(mean: number) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
  };
}
type Rng = ReturnType<typeof prng>;

interface Indicator {
  id: number;
  taskId: number;
  measureId: number | null;
  comparator: string;
  value: number;
  unit: string;
  direction: string;
  targetYear: number | null;
}

/** All 95 periods of the plan, in the order their reports come in (by end date; a month before its quarter, half and year). */
export function periodsOf(): Period[] {
  const texts: string[] = [];
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    texts.push(String(y));
    for (let h = 1; h <= 2; h++) texts.push(`${y}-H${h}`);
    for (let q = 1; q <= 4; q++) texts.push(`${y}-Q${q}`);
    for (let m = 1; m <= 12; m++) texts.push(`${y}-${String(m).padStart(2, '0')}`);
  }
  const span = (p: Period) => Date.parse(p.end) - Date.parse(p.start);
  return texts.map((t) => parsePeriod(t)!).sort((a, b) => a.end.localeCompare(b.end) || span(a) - span(b));
}

const NARRATIVE_OPENERS = ['按照分工方案要求', '围绕年度工作目标', '对照任务清单', '结合本单位实际', '根据市信用办部署'];
const NARRATIVE_BODIES: Record<string, string[]> = {
  not_started: ['相关工作尚在前期准备阶段，已明确责任科室和联络人', '正在梳理工作底数，尚未形成阶段性成果'],
  in_progress: [
    '已完成信用信息归集 {n} 条，正在开展数据质量核查',
    '组织召开专题推进会 {k} 次，印发工作方案，各项工作按计划推进',
    '已完成阶段性任务的 {p}%，剩余工作正在有序推进',
    '开展诚信宣传活动 {k} 场，覆盖市场主体 {n} 户',
  ],
  completed: ['年度任务已全部完成，相关台账已归档备查', '已按期完成目标任务，形成长效工作机制', '各项指标均已达到要求，已报送完成情况说明'],
  delayed: ['受人员调整影响进度有所滞后，已制定整改计划', '因系统对接延期，部分工作未能按期完成，预计下季度完成'],
  blocked: ['需市级平台开放数据接口后方可继续推进，已提请协调', '涉及跨部门数据共享事项，待上级明确口径后推进'],
};
const EVIDENCE_TITLES = ['工作台账', '会议纪要', '工作方案', '数据统计表', '宣传活动照片', '整改报告', '情况说明'];
const RETURN_NOTES = ['请补充佐证材料', '数据口径与上期不一致，请核实后重新报送', '完成比例与进展描述不符，请修改', '请按模板填写工作台账'];

/** Chance that the key's latest report says completed: more in later years, and later in the year. */
function completedChance(period: Period): number {
  const byYear = [0.15, 0.25, 0.38, 0.5, 0.62][period.year - FIRST_YEAR]!;
  const monthOfEnd = Number(period.end.slice(5, 7));
  return byYear * (0.45 + 0.55 * (monthOfEnd / 12));
}

/** `stage` 0–1: how far along the key's history the report is (1 = its latest), since work advances between re-reports. */
function drawStatus(rng: Rng, period: Period, stage: number): string {
  if (rng.next() < completedChance(period) * (0.3 + 0.7 * stage)) return 'completed';
  const s = rng.next();
  if (s < 0.05) return 'not_started';
  if (s < 0.12) return 'delayed';
  if (s < 0.15) return 'blocked';
  return 'in_progress';
}

function percentOf(rng: Rng, status: string): number | null {
  switch (status) {
    case 'completed':
      return 100;
    case 'not_started':
      return 0;
    case 'in_progress':
      return rng.int(10, 95);
    default:
      return rng.next() < 0.2 ? null : rng.int(5, 70);
  }
}

function narrativeOf(rng: Rng, status: string, percent: number | null): string {
  const body = rng
    .pick(NARRATIVE_BODIES[status]!)
    .replace('{n}', String(rng.int(20, 20000)))
    .replace('{k}', String(rng.int(1, 12)))
    .replace('{p}', String(percent ?? rng.int(10, 90)));
  return `${rng.pick(NARRATIVE_OPENERS)}，${body}。`;
}

/** Canonical evidence JSON, as the service stores it: [{ title, url?, note? }]. */
function evidenceOf(rng: Rng, unitId: number, period: string): string {
  const count = rng.pick([0, 1, 1, 2, 2, 3]);
  const items = Array.from({ length: count }, (_, i) => {
    const title = rng.pick(EVIDENCE_TITLES);
    return rng.next() < 0.8 ? { title, url: `https://credit.suihua.gov.cn/evidence/${unitId}/${period}/${i + 1}.pdf` } : { title, note: '纸质材料已报送市信用办' };
  });
  return JSON.stringify(items);
}

/** A plausible value of an indicator at a point in time: a noisy straight line from a start value towards the target. */
function indicatorValue(rng: Rng, indicator: Indicator, atYear: number): number {
  const goal = indicator.value;
  const endYear = (indicator.targetYear ?? LAST_YEAR) + 1;
  const progress = Math.max(0, Math.min(1.15, (atYear - FIRST_YEAR) / (endYear - FIRST_YEAR)));
  let value: number;
  if (indicator.direction === 'increase') {
    const start = goal * 0.55;
    value = start + (goal - start) * progress * rng.between(0.85, 1.12);
    if (indicator.unit === '%') value = Math.min(100, value);
  } else {
    const start = goal > 0 ? goal * 2.5 : 4;
    value = Math.max(0, start - (start - goal) * progress * rng.between(0.8, 1.15));
  }
  return ['个', '次'].includes(indicator.unit) ? Math.round(value) : Math.round(value * 100) / 100;
}

export function generateReports({ databasePath, reports: total, seed, events: withEvents = true, log = console.log }: GenerateOptions): GenerateResult {
  const started = process.hrtime.bigint();
  const db = openDatabase(databasePath);
  const sqlite = db.$client;
  try {
    loadSeed(db);
    const existing = sqlite.prepare('SELECT count(*) AS n FROM progress_reports').get() as { n: number };
    if (existing.n > 0) {
      throw new Error(`${databasePath} already holds ${existing.n} progress reports; generate into a new file`);
    }
    sqlite.pragma('synchronous = OFF'); // bulk load only; see the header
    sqlite.pragma('cache_size = -262144');
    sqlite.pragma('temp_store = MEMORY');

    const creator = createApiKeyRepository(db).create({ name: 'bench monitoring generator', role: 'admin', unitId: null, expiresAt: null }, new Date('2020-12-31T16:00:00.000Z'))
      .key.id;

    // Who reports on what: exactly the standing assignments (a unit reports only on what it owes).
    const pairs = sqlite.prepare('SELECT measure_id AS measureId, unit_id AS unitId FROM assignments WHERE withdrawn_at IS NULL ORDER BY measure_id, unit_id').all() as {
      measureId: number;
      unitId: number;
    }[];
    if (pairs.length === 0) throw new Error('the seeded plan has no standing assignments: is loadSeed building them?');
    const indicators = sqlite
      .prepare(`SELECT id, task_id AS taskId, measure_id AS measureId, comparator, value, unit, direction, target_year AS targetYear FROM indicators ORDER BY id`)
      .all() as Indicator[];
    const measureTask = new Map((sqlite.prepare('SELECT id, task_id AS taskId FROM measures').all() as { id: number; taskId: number }[]).map((m) => [m.id, m.taskId]));
    const indicatorsOfMeasure = new Map<number, Indicator[]>();
    for (const [measureId, taskId] of measureTask) {
      const list = indicators.filter((i) => i.taskId === taskId && (i.measureId === measureId || i.measureId === null));
      if (list.length > 0) indicatorsOfMeasure.set(measureId, list);
    }

    const periods = periodsOf();
    const keyCount = pairs.length * periods.length;
    const rng = prng(seed);

    // Rows per key: 1 + Poisson(mean − 1) (or 0/1 when N is below the number of keys), then nudged to exactly N.
    const counts = new Uint16Array(keyCount);
    const mean = total / keyCount;
    let sum = 0;
    for (let k = 0; k < keyCount; k++) {
      counts[k] = mean >= 1 ? 1 + rng.poisson(mean - 1) : rng.next() < mean ? 1 : 0;
      sum += counts[k]!;
    }
    while (sum < total) {
      const k = rng.int(0, keyCount - 1);
      counts[k]!++;
      sum++;
    }
    while (sum > total) {
      const k = rng.int(0, keyCount - 1);
      if (counts[k]! > (mean >= 1 ? 1 : 0)) {
        counts[k]!--;
        sum--;
      }
    }

    const insertReport = sqlite.prepare(
      `INSERT INTO progress_reports (id, measure_id, unit_id, period, period_start, period_end, state, status, narrative, evidence,
         percent_complete, version, created_at, updated_at, created_by_key_id, submitted_at, reviewed_at, reviewed_by_key_id,
         review_note, superseded_by_id, superseded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertEvent = sqlite.prepare('INSERT INTO report_events (report_id, action, from_state, to_state, at, key_id, note) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertValue = sqlite.prepare('INSERT INTO report_indicator_values (report_id, indicator_id, value) VALUES (?, ?, ?)');
    const iso = (ms: number) => new Date(ms).toISOString();

    let nextId = ((sqlite.prepare('SELECT coalesce(max(id), 0) AS m FROM progress_reports').get() as { m: number }).m ?? 0) + 1;
    let written = 0;
    let valuesWritten = 0;
    let eventsWritten = 0;
    let sinceCommit = 0;
    const byState: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    sqlite.exec('BEGIN');

    /** One key's reports: `approvals` approved-then-superseded reports (last one approved), then maybe one open report. */
    function writeKey(measureId: number, unitId: number, period: Period, rows: number) {
      const periodEnd = Date.parse(`${period.end}T00:00:00+08:00`) + DAY;
      const annual = period.text.length === 4;
      const recent = period.year === LAST_YEAR;
      const open = rows > 0 && rng.next() < (rows === 1 ? 0.04 : recent ? 0.12 : 0.05);
      const approvals = rows - (open ? 1 : 0);

      // Timeline, as offsets from the first draft; squeezed if it would run past CLOCK_END.
      const first = periodEnd + (annual ? rng.between(-10, 25) : rng.between(-3, 10)) * DAY;
      type Event = { action: string; from: string | null; to: string; at: number; note: string | null };
      type Step = { created: number; submitted: number | null; reviewed: number | null; version: number; state: string; note: string | null; events: Event[] };
      const ev = (action: string, from: string | null, to: string, at: number, note: string | null = null): Event => ({ action, from, to, at, note });
      const steps: Step[] = [];
      let t = first;
      for (let i = 0; i < approvals; i++) {
        const created = t;
        const events = [ev('created', null, 'draft', created)];
        let submitted = created + rng.between(1 * HOUR, 3 * DAY);
        let version = 3; // created, submitted, approved
        if (rng.next() < 0.12) {
          // returned once, edited and resubmitted, then approved: three more versions
          const returned = submitted + rng.between(1 * DAY, 5 * DAY);
          const edited = returned + rng.between(1 * HOUR, 3 * DAY);
          events.push(ev('submitted', 'draft', 'submitted', submitted), ev('returned', 'submitted', 'returned', returned, rng.pick(RETURN_NOTES)));
          events.push(ev('updated', 'returned', 'returned', edited));
          submitted = edited + rng.between(1 * HOUR, 2 * DAY);
          events.push(ev('submitted', 'returned', 'submitted', submitted));
          version += 3;
        } else {
          events.push(ev('submitted', 'draft', 'submitted', submitted));
        }
        const reviewed = submitted + rng.between(2 * HOUR, 10 * DAY);
        const note = rng.next() < 0.3 ? '同意' : null;
        events.push(ev('approved', 'submitted', 'approved', reviewed, note));
        steps.push({ created, submitted, reviewed, version, state: 'approved', note, events });
        t = reviewed + rng.between(0.5 * DAY, 12 * DAY);
      }
      if (open) {
        const created = t;
        const events = [ev('created', null, 'draft', created)];
        const kind = rng.next();
        if (kind < 0.4) {
          const submitted = created + rng.between(1 * HOUR, 3 * DAY);
          events.push(ev('submitted', 'draft', 'submitted', submitted));
          steps.push({ created, submitted, reviewed: null, version: 2, state: 'submitted', note: null, events });
        } else if (kind < 0.7) {
          const submitted = created + rng.between(1 * HOUR, 3 * DAY);
          const reviewed = submitted + rng.between(1 * DAY, 7 * DAY);
          const note = rng.pick(RETURN_NOTES);
          events.push(ev('submitted', 'draft', 'submitted', submitted), ev('returned', 'submitted', 'returned', reviewed, note));
          // some units have started on the corrections (edited, not yet resubmitted)
          const edited = rng.next() < 0.4;
          if (edited) events.push(ev('updated', 'returned', 'returned', reviewed + rng.between(1 * HOUR, 5 * DAY)));
          steps.push({ created, submitted, reviewed, version: edited ? 4 : 3, state: 'returned', note, events });
        } else {
          const edits = rng.int(0, 2);
          let edited = created;
          for (let e = 0; e < edits; e++) events.push(ev('updated', 'draft', 'draft', (edited += rng.between(1 * HOUR, 2 * DAY))));
          steps.push({ created, submitted: null, reviewed: null, version: 1 + edits, state: 'draft', note: null, events });
        }
      }
      const last = Math.max(...steps.map((s) => s.events.at(-1)!.at));
      const squeeze = last > CLOCK_END ? (CLOCK_END - first) / (last - first) : 1;
      const at = (ms: number | null) => (ms === null ? null : iso(first + (ms - first) * squeeze));

      const firstId = nextId;
      nextId += steps.length;
      const measureIndicators = indicatorsOfMeasure.get(measureId);
      steps.forEach((step, i) => {
        const id = firstId + i;
        const stage = i < approvals ? (i + 1) / approvals : 0.8;
        const status = drawStatus(rng, period, stage);
        const percent = percentOf(rng, status);
        // An approval followed by another one was superseded when that one was approved.
        const supersededAt = step.state === 'approved' && i < approvals - 1 ? steps[i + 1]!.reviewed! : null;
        if (supersededAt !== null) step.events.push(ev('superseded', 'approved', 'superseded', supersededAt, `superseded by report ${id + 1}`));
        const state = supersededAt !== null ? 'superseded' : step.state;
        const reviewed = at(step.reviewed);
        insertReport.run(
          id,
          measureId,
          unitId,
          period.text,
          period.start,
          period.end,
          state,
          status,
          narrativeOf(rng, status, percent),
          evidenceOf(rng, unitId, period.text),
          percent,
          step.version + (supersededAt !== null ? 1 : 0),
          at(step.created),
          at(step.events.at(-1)!.at),
          creator,
          at(step.submitted),
          reviewed,
          reviewed === null ? null : creator,
          step.note,
          supersededAt !== null ? id + 1 : null,
          at(supersededAt),
        );
        if (withEvents) {
          for (const e of step.events) insertEvent.run(id, e.action, e.from, e.to, at(e.at), creator, e.note);
          eventsWritten += step.events.length;
        }
        byState[state] = (byState[state] ?? 0) + 1;
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        if (measureIndicators && rng.next() < 0.85) {
          const atYear = period.year + Number(period.end.slice(5, 7)) / 12; // 2024-Q3 → 2024.75
          for (const indicator of measureIndicators) {
            insertValue.run(id, indicator.id, indicatorValue(rng, indicator, atYear));
            valuesWritten++;
          }
        }
      });
      written += steps.length;
      sinceCommit += steps.length;
      if (sinceCommit >= ROWS_PER_TRANSACTION) {
        sqlite.exec('COMMIT');
        sqlite.exec('BEGIN');
        sinceCommit = 0;
        log(`  ${written.toLocaleString('en')} reports … ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
      }
    }

    try {
      let k = 0;
      for (const period of periods) {
        for (const pair of pairs) writeKey(pair.measureId, pair.unitId, period, counts[k++]!);
      }
      sqlite.exec('COMMIT');
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      throw error;
    }
    sqlite.pragma('wal_checkpoint(TRUNCATE)');

    // Cheap consistency checks over the whole table (the unique index already guarantees one open report per key).
    const check = sqlite
      .prepare(
        `SELECT
           sum(reviewed_at IS NOT NULL AND reviewed_at <= created_at) AS reviewedBeforeCreated,
           sum(state = 'superseded' AND (superseded_by_id IS NULL OR superseded_at IS NULL OR superseded_at <= reviewed_at)) AS badSuperseded,
           sum(state IN ('approved', 'returned', 'superseded') AND reviewed_at IS NULL) AS unreviewed,
           sum(updated_at > ?) AS afterClockEnd
         FROM progress_reports`,
      )
      .get(iso(CLOCK_END)) as Record<string, number>;
    const twoApproved = sqlite
      .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM progress_reports WHERE state = 'approved' GROUP BY measure_id, unit_id, period HAVING count(*) > 1)`)
      .get() as { n: number };
    // Each report's history ends in its state, one event per version, in time order.
    const history = withEvents
      ? (sqlite
          .prepare(
            `SELECT
               sum(r.state <> (SELECT e.to_state FROM report_events e WHERE e.report_id = r.id ORDER BY e.id DESC LIMIT 1)) AS historyEndsElsewhere,
               sum(r.version <> (SELECT count(*) FROM report_events e WHERE e.report_id = r.id)) AS versionsWithoutEvent,
               sum(r.updated_at <> (SELECT max(e.at) FROM report_events e WHERE e.report_id = r.id)) AS updatedNotLastEvent
             FROM progress_reports r`,
          )
          .get() as Record<string, number>)
      : {};
    // report_returns, as the triggers keep it: one row per return, open exactly while its report stands returned.
    const returns = withEvents
      ? (sqlite
          .prepare(
            `SELECT
               (SELECT count(*) FROM report_events WHERE action = 'returned') - (SELECT count(*) FROM report_returns) AS returnsNotRecorded,
               (SELECT count(*) FROM progress_reports WHERE state = 'returned')
                 - (SELECT count(*) FROM report_returns WHERE resolved_at IS NULL) AS openReturnsMismatch`,
          )
          .get() as Record<string, number>)
      : {};
    const problems = Object.entries({ ...check, ...history, ...returns, keysWithTwoApproved: twoApproved.n }).filter(([, n]) => n !== 0);
    if (problems.length > 0) throw new Error(`generated data is inconsistent: ${problems.map(([k, n]) => `${k}=${n}`).join(', ')}`);

    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      seconds,
      periods: periods.length,
      reports: written,
      events: eventsWritten,
      indicatorValues: valuesWritten,
      keys: keyCount,
      pairs: pairs.length,
      byState,
      byStatus,
      fileBytes: fs.statSync(databasePath).size,
    };
  } finally {
    sqlite.close();
  }
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

export function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export function formatResult(result: GenerateResult): string {
  const share = (n: number) => `${n.toLocaleString('en')} (${((100 * n) / result.reports).toFixed(1)}%)`;
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${share(n)}`)
      .join(', ');
  return [
    `generated ${result.reports.toLocaleString('en')} progress reports in ${result.seconds.toFixed(1)} s ` +
      `(${Math.round(result.reports / result.seconds).toLocaleString('en')} rows/s)`,
    `  ${result.pairs.toLocaleString('en')} measure/unit pairs × ${result.periods} periods = ${result.keys.toLocaleString('en')} keys`,
    `  states: ${list(result.byState)}`,
    `  statuses: ${list(result.byStatus)}`,
    `  report_events: ${result.events.toLocaleString('en')}, report_indicator_values: ${result.indicatorValues.toLocaleString('en')}`,
    `  database file: ${(result.fileBytes / 1024 / 1024).toFixed(0)} MiB`,
  ].join('\n');
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const databasePath = argument('db') ?? process.env.DATABASE_PATH;
  if (!databasePath) {
    console.error('usage: generate-reports.ts --db FILE [--reports N] [--seed S] [--no-events]   (or DATABASE_PATH, BENCH_REPORTS, BENCH_SEED, BENCH_EVENTS=0)');
    process.exit(2);
  }
  try {
    const reports = positiveInteger('--reports / BENCH_REPORTS', argument('reports') ?? process.env.BENCH_REPORTS, DEFAULT_REPORTS);
    const seed = positiveInteger('--seed / BENCH_SEED', argument('seed') ?? process.env.BENCH_SEED, DEFAULT_SEED);
    console.log(`generating ${reports.toLocaleString('en')} progress reports into ${databasePath} (seed ${seed}) …`);
    const events = !process.argv.includes('--no-events') && process.env.BENCH_EVENTS !== '0';
    console.log(formatResult(generateReports({ databasePath, reports, seed, events })));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
