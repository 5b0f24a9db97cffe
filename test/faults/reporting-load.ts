/**
 * What the fault tests share: reporters of different units posting progress reports over real HTTP, a record of
 * what the server acknowledged, and a check that every report in the database is whole.
 */
import Database from 'better-sqlite3';
import { PERIODS } from '../../bench/lib/report-bodies.js';
import { rows } from '../helpers/db.js';
import { issueKey } from '../helpers/keys.js';

/** Units that owe several measures each, some with indicators; one reporter (one client) per unit. */
export const REPORTING_UNITS = ['市营商环境局', '市市场监管局', '市交通运输局', '市商务局', '市文旅局', '市农业农村局'] as const;

interface OwnedMeasure {
  measureId: number;
  indicatorIds: number[];
}

function measuresOwnedBy(databasePath: string, unitId: number): OwnedMeasure[] {
  const owned = rows<{ measureId: number; indicatorIds: string | null }>(
    databasePath,
    `SELECT mo.measure_id AS measureId, group_concat(i.id) AS indicatorIds
       FROM assignments mo JOIN measures m ON m.id = mo.measure_id LEFT JOIN indicators i ON i.task_id = m.task_id
      WHERE mo.unit_id = ? AND mo.withdrawn_at IS NULL GROUP BY mo.measure_id ORDER BY mo.measure_id`,
    unitId,
  );
  return owned.map(({ measureId, indicatorIds }) => ({ measureId, indicatorIds: indicatorIds ? indicatorIds.split(',').map(Number) : [] }));
}

export interface ReportRequest {
  idempotencyKey: string;
  body: Record<string, unknown>;
}

/** A posted report as the server answered it (the fields the tests compare). */
export interface ReportView {
  id: number;
  version: number;
  state: string;
  narrative: string;
  [field: string]: unknown;
}

/**
 * One unit's reporter. Its requests come in threes: a new draft with indicator values, an update of that draft
 * that also submits it, and another new draft — so a write creates, updates or moves a report, and no request
 * depends on one that may not have happened. Each narrative is unique, so a request's trace can be searched.
 */
export function reporter(databasePath: string, unitName: string, tag: string) {
  const key = issueKey(databasePath, 'reporter', unitName);
  const measures = measuresOwnedBy(databasePath, key.unitId!);
  let n = 0;
  return {
    unitName,
    keyId: key.id,
    headers: key.headers,
    next(): ReportRequest {
      const i = n++;
      const step = i % 3;
      const slot = 2 * Math.floor(i / 3) + (step === 2 ? 1 : 0);
      const measure = measures[slot % measures.length]!;
      const period = PERIODS[Math.floor(slot / measures.length)];
      if (period === undefined) throw new Error(`${unitName} has no (measure, period) left for request ${i}`);
      const narrative = `${tag} ${unitName} 第${i}号报告：本期按分工推进，已归集台账。`;
      const body =
        step === 1
          ? { measureId: measure.measureId, period, status: 'completed', narrative, percentComplete: 100, submit: true }
          : {
              measureId: measure.measureId,
              period,
              status: 'in_progress',
              narrative,
              evidence: [{ title: `台账 ${i}`, url: `https://example.gov.cn/${tag}/${i}.pdf` }],
              percentComplete: i % 100,
              indicatorValues: step === 0 ? measure.indicatorIds.map((indicatorId, k) => ({ indicatorId, value: i + k })) : [],
            };
      return { idempotencyKey: `${tag}-${key.id}-${i}`, body };
    },
  };
}
export type Reporter = ReturnType<typeof reporter>;

export function postReport(base: string, client: Reporter, request: ReportRequest) {
  return fetch(`${base}/api/v1/reports`, {
    method: 'POST',
    headers: { ...client.headers, 'content-type': 'application/json', 'idempotency-key': request.idempotencyKey },
    body: JSON.stringify(request.body),
  });
}

export interface Answer {
  request: ReportRequest;
  status: number;
  headers: Headers;
  body: unknown;
}
/** Where a request ended: answered, or lost with its connection (the server died, or closed the connection). */
export type Outcome = Answer | { request: ReportRequest; lost: unknown };

/**
 * Posts the client's reports one after another until a request is not answered with 2xx or is lost; every
 * answered one goes to `onAnswer` as it comes. Resolves with the last outcome.
 */
export async function postUntilRefused(base: string, client: Reporter, onAnswer: (answer: Answer) => void): Promise<Outcome> {
  for (;;) {
    const request = client.next();
    let answer: Answer;
    try {
      const response = await postReport(base, client, request);
      answer = { request, status: response.status, headers: response.headers, body: await response.json() };
    } catch (lost) {
      // fetch reports a network failure (refused, reset, cut off) with its cause; anything else is a bug here.
      if (!(lost instanceof Error && lost.cause)) throw lost;
      return { request, lost };
    }
    onAnswer(answer);
    if (answer.status >= 300) return answer;
  }
}

const AUDIT_ACTION: Record<string, string> = { created: 'report.create', updated: 'report.update', submitted: 'report.submit' };

/**
 * Everything wrong with the reports in the database, as readable lines (none when all is well): a report is
 * whole when each of its versions has its event and its audit entry, the last event ends in its state, the
 * last audit snapshot shows its columns and indicator values, and every stored idempotent response names a
 * version that exists. The file itself must pass SQLite's integrity and foreign-key checks.
 */
export function reportDefects(databasePath: string): string[] {
  const db = new Database(databasePath, { readonly: true });
  try {
    const defects: string[] = [];
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') defects.push(`integrity_check: ${String(integrity)}`);
    const foreignKeys = db.pragma('foreign_key_check') as unknown[];
    if (foreignKeys.length > 0) defects.push(`foreign_key_check: ${JSON.stringify(foreignKeys)}`);

    const reports = db.prepare('SELECT id, version, state, status, narrative, percent_complete AS percentComplete FROM progress_reports').all() as {
      id: number;
      version: number;
      state: string;
      status: string;
      narrative: string;
      percentComplete: number | null;
    }[];
    const grouped = <T extends { reportId: number }>(sql: string) => {
      const byReport = new Map<number, T[]>();
      for (const row of db.prepare(sql).all() as T[]) byReport.set(row.reportId, [...(byReport.get(row.reportId) ?? []), row]);
      return byReport;
    };
    const events = grouped<{ reportId: number; action: string; toState: string }>('SELECT report_id AS reportId, action, to_state AS toState FROM report_events ORDER BY id');
    const audits = grouped<{ reportId: number; action: string; after: string }>(
      "SELECT entity_id AS reportId, action, after FROM audit_events WHERE entity_type = 'report' ORDER BY id",
    );
    const values = grouped<{ reportId: number; indicatorId: number; value: number }>(
      'SELECT report_id AS reportId, indicator_id AS indicatorId, value FROM report_indicator_values ORDER BY indicator_id',
    );
    for (const report of reports) {
      const steps = events.get(report.id) ?? [];
      const trail = audits.get(report.id) ?? [];
      const stored = (values.get(report.id) ?? []).map(({ indicatorId, value }) => ({ indicatorId, value }));
      const say = (what: string) => defects.push(`report ${report.id} (v${report.version}): ${what}`);
      if (steps.length !== report.version || steps[0]?.action !== 'created') say(`events ${JSON.stringify(steps.map((e) => e.action))}`);
      if (steps.at(-1)?.toState !== report.state) say(`last event ends in ${steps.at(-1)?.toState}, the report is ${report.state}`);
      const expectedTrail = steps.map((e) => AUDIT_ACTION[e.action]);
      if (JSON.stringify(trail.map((a) => a.action)) !== JSON.stringify(expectedTrail)) say(`audit ${JSON.stringify(trail.map((a) => a.action))}`);
      const last = JSON.parse(trail.at(-1)?.after ?? 'null') as Record<string, unknown> | null;
      const snapshot = last && {
        version: last.version,
        state: last.state,
        status: last.status,
        narrative: last.narrative,
        percentComplete: last.percentComplete,
        indicatorValues: [...(last.indicatorValues as { indicatorId: number }[])].sort((a, b) => a.indicatorId - b.indicatorId),
      };
      const { id: _id, ...columns } = report;
      if (JSON.stringify(snapshot) !== JSON.stringify({ ...columns, indicatorValues: stored })) {
        say(`last audit snapshot ${JSON.stringify(snapshot)} differs from the rows ${JSON.stringify({ ...columns, indicatorValues: stored })}`);
      }
    }
    const versions = new Map(reports.map((r) => [r.id, r.version]));
    for (const record of db.prepare('SELECT idempotency_key AS idempotencyKey, body FROM idempotency_records').all() as { idempotencyKey: string; body: string }[]) {
      const { report } = JSON.parse(record.body) as { report: ReportView };
      if ((versions.get(report.id) ?? 0) < report.version)
        defects.push(`idempotent response ${record.idempotencyKey} names report ${report.id} v${report.version}, which is not stored`);
    }
    return defects;
  } finally {
    db.close();
  }
}

/** Traces of one request in the database: its stored idempotent response and the rows that carry its narrative. */
export function tracesOf(databasePath: string, keyId: number, request: ReportRequest) {
  const narrative = String(request.body.narrative);
  const [counts] = rows<{ records: number; reports: number; audits: number }>(
    databasePath,
    `SELECT (SELECT count(*) FROM idempotency_records WHERE key_id = ? AND idempotency_key = ?) AS records,
            (SELECT count(*) FROM progress_reports WHERE narrative = ?) AS reports,
            (SELECT count(*) FROM audit_events WHERE instr(after, ?) > 0) AS audits`,
    keyId,
    request.idempotencyKey,
    narrative,
    JSON.stringify(narrative),
  );
  return counts!;
}
