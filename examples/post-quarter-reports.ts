/**
 * Posts a quarter's progress reports from a CSV file, one `POST /api/v1/reports` per row, through the typed client.
 *
 *   PLAN_TRACKER_URL=http://127.0.0.1:3000 PLAN_TRACKER_TOKEN=pt_… npx tsx examples/post-quarter-reports.ts examples/quarter-reports.csv
 *
 * Columns (a header row; English ids or the Chinese headers of the bulk import): the measure by `measureId` (措施ID),
 * or as the breakdown table prints it, `taskNo` (序号) and `measureNo` (措施序号: left out when the task has one
 * measure); `period` (报告期: 2024-Q3 …), `status` (状态: not_started, in_progress, completed, delayed, blocked, or
 * 未开始, 推进中, 已完成, 滞后, 受阻), and optionally `narrative` (进展情况), `percentComplete` (完成百分比), `unit` (单位:
 * an admin key must name it; a reporter key reports for its own unit) and `submit` (提交: true/false, 是/否).
 * UTF-8, or GBK as Excel on Chinese Windows saves it.
 *
 * Each row goes with an `Idempotency-Key` made from its content, so running the script again is safe: a row already
 * posted is answered from the server's record and counted unchanged; an edited row is a new request and updates the
 * open draft. Prints what became of each row and a summary; `--json` prints the summary as JSON instead. Exit code 0
 * when no row was refused, 1 when some were, 2 when the script could not run (usage, file, server).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { createPlanTrackerClient, describeProblem, type PlanTrackerClient, type Schemas } from '../client/index.js';

type ReportInput = Schemas['ReportInput'];
type Outcome = 'created' | 'updated' | 'unchanged' | 'refused';

export interface RowResult {
  /** The row's line in the file (the header is line 1). */
  line: number;
  outcome: Outcome;
  reportId?: number;
  /** Why a row was refused: the server's problem, or what the script could not read. */
  reason?: string;
}

export interface Summary {
  created: number;
  updated: number;
  unchanged: number;
  refused: number;
  rows: RowResult[];
}

const COLUMNS: Record<string, string[]> = {
  measureId: ['measureId', '措施ID'],
  taskNo: ['taskNo', '序号'],
  measureNo: ['measureNo', '措施序号'],
  unit: ['unit', '单位', '责任单位'],
  period: ['period', '报告期'],
  status: ['status', '状态'],
  narrative: ['narrative', '进展情况'],
  percentComplete: ['percentComplete', '完成百分比'],
  submit: ['submit', '提交'],
};

const STATUS_WORDS: Record<string, ReportInput['status']> = { 未开始: 'not_started', 推进中: 'in_progress', 已完成: 'completed', 滞后: 'delayed', 受阻: 'blocked' };

/** The file's text: UTF-8 (a BOM allowed), else GB18030, the superset of the GBK Excel writes on Chinese Windows. */
function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** Rows by our column ids, with the line each starts on. */
function readRows(text: string): { line: number; cells: Record<string, string> }[] {
  const records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }) as unknown as {
    record: string[];
    info: { lines: number };
  }[];
  const [header, ...rows] = records;
  if (!header) return [];
  const ids = header.record.map((name) => Object.keys(COLUMNS).find((id) => COLUMNS[id]!.some((alias) => alias.toLowerCase() === name.toLowerCase())));
  return rows.map(({ record, info }) => ({
    line: info.lines,
    cells: Object.fromEntries(ids.flatMap((id, i) => (id === undefined || (record[i] ?? '') === '' ? [] : [[id, record[i]!]]))),
  }));
}

class RowProblem extends Error {}

function wholeNumber(cells: Record<string, string>, column: string): number | undefined {
  const text = cells[column];
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new RowProblem(`${column}: “${text}” is not a whole number`);
  return Number(text);
}

/** The measures as the breakdown table numbers them: `taskNo-measureNo` (its own number, else its place in the task). */
async function measureNumbers(api: PlanTrackerClient) {
  const byPrinted = new Map<string, number[]>();
  const byTask = new Map<number, number[]>();
  for (let offset = 0, total = 1; offset < total; offset += 500) {
    const { data, error, response } = await api.GET('/api/v1/measures', { params: { query: { limit: 500, offset } } });
    if (!data) throw new Error(`could not list the measures: ${describeProblem(error, response.status)}`);
    for (const m of data.items) {
      const printed = `${m.taskNo}-${m.no ?? m.position}`;
      byPrinted.set(printed, [...(byPrinted.get(printed) ?? []), m.id]);
      byTask.set(m.taskNo, [...(byTask.get(m.taskNo) ?? []), m.id]);
    }
    total = data.total;
  }
  return (taskNo: number, measureNo: number | undefined): number => {
    const printed = measureNo === undefined ? `${taskNo}` : `${taskNo}-${measureNo}`;
    const ids = (measureNo === undefined ? byTask.get(taskNo) : byPrinted.get(printed)) ?? [];
    if (ids.length === 0) throw new RowProblem(`the breakdown table has no measure ${printed}`);
    if (ids.length > 1)
      throw new RowProblem(measureNo === undefined ? `task ${taskNo} has ${ids.length} measures: give measureNo` : `${printed} names ${ids.length} measures: give measureId`);
    return ids[0]!;
  };
}

function reportOf(cells: Record<string, string>, measureOf: (taskNo: number, measureNo: number | undefined) => number): ReportInput {
  const taskNo = wholeNumber(cells, 'taskNo');
  const measureNo = wholeNumber(cells, 'measureNo');
  let measureId = wholeNumber(cells, 'measureId');
  if (taskNo !== undefined) {
    const printed = measureOf(taskNo, measureNo);
    if (measureId !== undefined && measureId !== printed) throw new RowProblem(`measureId ${measureId} is not measure ${taskNo}-${measureNo ?? ''}`);
    measureId = printed;
  } else if (measureNo !== undefined) throw new RowProblem('measureNo needs taskNo');
  if (measureId === undefined) throw new RowProblem('name the measure: measureId, or taskNo (and measureNo)');
  const { period, status, narrative, unit, submit } = cells;
  if (period === undefined || status === undefined) throw new RowProblem('period and status are required');
  const percentComplete = wholeNumber(cells, 'percentComplete');
  const body: ReportInput = { measureId, period, status: STATUS_WORDS[status] ?? (status as ReportInput['status']) };
  if (narrative !== undefined) body.narrative = narrative;
  if (percentComplete !== undefined) body.percentComplete = percentComplete;
  if (unit !== undefined) body.unit = unit;
  if (submit !== undefined) body.submit = ['true', '是', '1', 'yes'].includes(submit.toLowerCase());
  return body;
}

/** The same row is the same request: its content names it. */
const idempotencyKeyOf = (body: ReportInput) => `quarter-reports-${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 40)}`;

async function postRow(api: PlanTrackerClient, body: ReportInput): Promise<Omit<RowResult, 'line'>> {
  const { data, error, response } = await api.POST('/api/v1/reports', { body, params: { header: { 'idempotency-key': idempotencyKeyOf(body) } } });
  if (!data) return { outcome: 'refused', reason: describeProblem(error, response.status) };
  // A replay is the server's record of this very row, posted before: nothing was done now.
  if (response.headers.get('idempotent-replayed') === 'true') return { outcome: 'unchanged', reportId: data.id };
  const outcome = response.headers.get('x-report-outcome');
  return { outcome: outcome === 'created' || outcome === 'updated' ? outcome : 'unchanged', reportId: data.id };
}

/** Posts every row of the CSV text; one row at a time, so the server's answers come back in the file's order. */
export async function postQuarterReports(api: PlanTrackerClient, csv: string): Promise<Summary> {
  const rows = readRows(csv);
  const measureOf = rows.some((row) => row.cells.taskNo !== undefined) ? await measureNumbers(api) : () => 0;
  const summary: Summary = { created: 0, updated: 0, unchanged: 0, refused: 0, rows: [] };
  for (const { line, cells } of rows) {
    let result: Omit<RowResult, 'line'>;
    try {
      result = await postRow(api, reportOf(cells, measureOf));
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      result = { outcome: 'refused', reason: error.message };
    }
    summary[result.outcome]++;
    summary.rows.push({ line, ...result });
  }
  return summary;
}

const OUTCOME_WORDS: Record<Outcome, string> = { created: '新建 created', updated: '更新 updated', unchanged: '未变 unchanged', refused: '未受理 refused' };

function print(summary: Summary): void {
  for (const row of summary.rows) {
    const report = row.reportId === undefined ? '' : ` report ${row.reportId}`;
    console.log(`line ${row.line}: ${OUTCOME_WORDS[row.outcome]}${report}${row.reason ? ` — ${row.reason}` : ''}`);
  }
  console.log(`${summary.rows.length} rows: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.refused} refused`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'base-url': { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' }, en: { type: 'boolean' } },
  });
  const file = positionals[0];
  const baseUrl = values['base-url'] ?? process.env.PLAN_TRACKER_URL ?? 'http://127.0.0.1:3000';
  const token = values.token ?? process.env.PLAN_TRACKER_TOKEN;
  if (file === undefined || positionals.length > 1) {
    console.error('usage: post-quarter-reports.ts [--base-url URL] [--token TOKEN] [--json] [--en] FILE.csv (or PLAN_TRACKER_URL, PLAN_TRACKER_TOKEN)');
    return 2;
  }
  const api = createPlanTrackerClient({ baseUrl, token, language: values.en ? 'en' : 'zh' });
  const summary = await postQuarterReports(api, decode(fs.readFileSync(file)));
  if (values.json) console.log(JSON.stringify(summary));
  else print(summary);
  return summary.refused === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`post-quarter-reports: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 2;
    },
  );
}
