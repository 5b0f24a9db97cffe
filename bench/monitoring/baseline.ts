/**
 * The yardstick for the monitoring reads, in the spirit of bench/baseline-server.ts: Fastify with no logger, no
 * schemas and no hooks, and hand-written SQL in statements prepared once, on the same database file, answering the
 * same URLs that measure.ts times with the least work that gives an answer of the same substance:
 *
 * - every read judges obligations (an assignment in one due period) at `asOf` from the same facts the project
 *   reads — completed (an approved "completed" report of the unit within the period, standing at T), reported (a
 *   report sent within the period by T), returned (a return of such a report still open at T) — with one
 *   correlated-subquery statement, and the state and light in a few lines of JavaScript;
 * - dashboard: the plan's obligations due in the year, counted by state and light, in all and per chapter;
 * - follow-ups: the plan's overdue or returned obligations, due date first, a page and the total (optionally of a
 *   unit, a collective giving its members);
 * - obligations: a unit's obligations due in a year, a page and the total;
 * - assignments: every assignment of the plan with its worst light and counts, a page and the light counts;
 * - an assignment: its obligations judged, its reports counted and the latest ten;
 * - a unit's scorecard: its obligations due in the year counted by state;
 * - an indicator's series: the approved values standing at T, per year.
 *
 * The ratio project / baseline is what the project's structure (validation, services, response schemas, richer
 * answers) costs over the data work itself. Read-only; `buildBaseline(file)` answers through inject or listen.
 */
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';

const WARNING_DAYS = 30; // the project's default (SUPERVISION_DEFAULTS.warningDays)
const DAY = 86_400_000;

// A report answers an obligation: the assignment's unit's report on its measure for a period within the obligation's.
const ANSWERS = `r.unit_id = a.unit_id AND r.measure_id = a.measure_id
  AND r.period_end BETWEEN o.period_start AND o.period_end AND r.period_start >= o.period_start`;

const facts = (where: string) => `
  SELECT o.id, o.assignment_id AS assignmentId, a.unit_id AS unitId, a.measure_id AS measureId, t.chapter_id AS chapterId,
    o.period, o.due_date AS dueDate, (a.withdrawn_at IS NOT NULL AND a.withdrawn_at <= :asOf) AS waived,
    (SELECT min(r.reviewed_at) FROM progress_reports r WHERE ${ANSWERS} AND r.status = 'completed'
       AND r.state IN ('approved', 'superseded') AND r.reviewed_at <= :asOf AND (r.superseded_at IS NULL OR r.superseded_at > :asOf)) AS completedAt,
    EXISTS (SELECT 1 FROM progress_reports r WHERE ${ANSWERS} AND r.state <> 'draft' AND coalesce(r.submitted_at, r.created_at) <= :asOf) AS reported,
    (SELECT min(x.returned_at) FROM report_returns x JOIN progress_reports r ON r.id = x.report_id
       WHERE x.unit_id = a.unit_id AND x.measure_id = a.measure_id AND ${ANSWERS}
         AND x.returned_at <= :asOf AND (x.resolved_at IS NULL OR x.resolved_at > :asOf)) AS returnedAt
  FROM assignments a JOIN obligations o ON o.assignment_id = a.id JOIN measures m ON m.id = a.measure_id JOIN tasks t ON t.id = m.task_id
  WHERE a.assigned_at <= :asOf AND ${where}
  ORDER BY o.due_date, t.no, m.position, a.unit_id, o.period`;

interface Facts {
  id: number;
  assignmentId: number;
  unitId: number;
  measureId: number;
  chapterId: number;
  period: string;
  dueDate: string;
  waived: number;
  completedAt: string | null;
  reported: number;
  returnedAt: string | null;
}
type State = 'completed' | 'waived' | 'overdue' | 'reported' | 'pending';
type Light = 'green' | 'yellow' | 'red';
type Judged = Facts & { state: State; light: Light; daysLeft: number };

const shanghaiDate = (at: number) => new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);

function judge(rows: Facts[], asOf: number): Judged[] {
  const today = shanghaiDate(asOf);
  return rows.map((o) => {
    const daysLeft = Math.floor((Date.parse(`${o.dueDate}T00:00:00+08:00`) + DAY - 1 - asOf) / DAY);
    const state: State = o.completedAt ? 'completed' : o.waived ? 'waived' : o.dueDate < today ? 'overdue' : o.reported ? 'reported' : 'pending';
    const light: Light = state === 'waived' || state === 'completed' ? 'green' : state === 'overdue' || o.returnedAt ? 'red' : daysLeft <= WARNING_DAYS ? 'yellow' : 'green';
    return { ...o, state, light, daysLeft };
  });
}

function count<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function groupBy<T>(items: T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

const worst = (lights: Light[]): Light => (lights.includes('red') ? 'red' : lights.includes('yellow') ? 'yellow' : 'green');

interface Query {
  year?: string;
  asOf?: string;
  unit?: string;
  limit?: string;
  offset?: string;
}

export function buildBaseline(databasePath: string): FastifyInstance {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  const sql = {
    firstPlan: db.prepare<[], { id: number }>('SELECT id FROM plans ORDER BY id LIMIT 1'),
    members: db.prepare<[number], { id: number }>(`SELECT coalesce(um.member_id, u.id) AS id FROM units u LEFT JOIN unit_members um ON um.collective_id = u.id WHERE u.id = ?`),
    planDue: db.prepare<Record<string, unknown>, Facts>(facts('t.plan_id = :planId AND o.due_date BETWEEN :from AND :to')),
    plan: db.prepare<Record<string, unknown>, Facts>(facts('t.plan_id = :planId')),
    unitsDue: db.prepare<Record<string, unknown>, Facts>(facts('a.unit_id IN (SELECT value FROM json_each(:units)) AND o.due_date BETWEEN :from AND :to')),
    units: db.prepare<Record<string, unknown>, Facts>(facts('a.unit_id IN (SELECT value FROM json_each(:units))')),
    assignment: db.prepare<Record<string, unknown>, Facts>(facts('a.id = :id')),
    assignments: db.prepare<[number], { id: number; measureId: number; unitId: number; acknowledgedAt: string | null; closedAt: string | null }>(
      `SELECT a.id, a.measure_id AS measureId, a.unit_id AS unitId, a.acknowledged_at AS acknowledgedAt, a.closed_at AS closedAt
       FROM assignments a JOIN measures m ON m.id = a.measure_id JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = ? ORDER BY t.no, m.position, a.unit_id`,
    ),
    assignmentRow: db.prepare<[number], { id: number; measureId: number; unitId: number }>('SELECT id, measure_id AS measureId, unit_id AS unitId FROM assignments WHERE id = ?'),
    reportCount: db.prepare<[number, number], { n: number }>("SELECT count(*) AS n FROM progress_reports WHERE measure_id = ? AND unit_id = ? AND state <> 'draft'"),
    recentReports: db.prepare<[number, number]>(
      `SELECT id, period, state, status, updated_at AS updatedAt FROM progress_reports WHERE measure_id = ? AND unit_id = ? AND state <> 'draft'
       ORDER BY updated_at DESC, id DESC LIMIT 10`,
    ),
    series: db.prepare<{ indicatorId: number; asOf: string }, { value: number; reportId: number; period: string; unitId: number; year: number }>(
      `SELECT v.value, r.id AS reportId, r.period, r.unit_id AS unitId, CAST(substr(r.period, 1, 4) AS INTEGER) AS year
       FROM report_indicator_values v JOIN progress_reports r ON r.id = v.report_id
       WHERE v.indicator_id = :indicatorId AND r.state IN ('approved', 'superseded') AND r.reviewed_at <= :asOf AND (r.superseded_at IS NULL OR r.superseded_at > :asOf)
       ORDER BY r.period_end, r.unit_id`,
    ),
  };

  const app = Fastify({ logger: false });
  const asOfOf = (q: Query) => (q.asOf ? Date.parse(q.asOf) : Date.now());
  const yearRange = (q: Query, asOf: number) => {
    const year = q.year ?? shanghaiDate(asOf).slice(0, 4);
    return { from: `${year}-01-01`, to: `${year}-12-31` };
  };
  const page = <T>(items: T[], q: Query) => {
    const limit = Number(q.limit ?? 50);
    const offset = Number(q.offset ?? 0);
    return { items: items.slice(offset, offset + limit), total: items.length, limit, offset };
  };
  const unitsOf = (unit: string) => JSON.stringify(sql.members.all(Number(unit)).map((u) => u.id));
  const summary = (judged: Judged[]) => ({ total: judged.length, states: count(judged, (o) => o.state), lights: count(judged, (o) => o.light) });

  app.get<{ Querystring: Query }>('/api/v1/dashboard', async ({ query }) => {
    const asOf = asOfOf(query);
    const judged = judge(sql.planDue.all({ planId: sql.firstPlan.get()!.id, asOf: new Date(asOf).toISOString(), ...yearRange(query, asOf) }), asOf);
    return { ...summary(judged), chapters: [...groupBy(judged, (o) => o.chapterId)].map(([id, list]) => ({ id, ...summary(list) })) };
  });

  app.get<{ Querystring: Query }>('/api/v1/follow-ups', async ({ query }) => {
    const asOf = asOfOf(query);
    const at = new Date(asOf).toISOString();
    const rows = query.unit ? sql.units.all({ units: unitsOf(query.unit), asOf: at }) : sql.plan.all({ planId: sql.firstPlan.get()!.id, asOf: at });
    return page(
      judge(rows, asOf).filter((o) => o.state === 'overdue' || (o.returnedAt !== null && o.state !== 'completed')),
      query,
    );
  });

  app.get<{ Querystring: Query }>('/api/v1/obligations', async ({ query }) => {
    const asOf = asOfOf(query);
    const at = new Date(asOf).toISOString();
    const rows = query.year
      ? sql.unitsDue.all({ units: unitsOf(query.unit!), asOf: at, from: `${query.year}-01-01`, to: `${query.year}-12-31` })
      : sql.units.all({ units: unitsOf(query.unit!), asOf: at });
    const judged = judge(rows, asOf);
    return { ...page(judged, query), lights: count(judged, (o) => o.light) };
  });

  app.get<{ Querystring: Query }>('/api/v1/assignments', async ({ query }) => {
    const asOf = asOfOf(query);
    const planId = sql.firstPlan.get()!.id;
    const byAssignment = groupBy(judge(sql.plan.all({ planId, asOf: new Date(asOf).toISOString() }), asOf), (o) => o.assignmentId);
    const views = sql.assignments.all(planId).map((a) => {
      const list = byAssignment.get(a.id) ?? [];
      return { ...a, light: worst(list.map((o) => o.light)), obligations: count(list, (o) => o.state) };
    });
    return { ...page(views, query), lights: count(views, (v) => v.light) };
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/api/v1/assignments/:id', async ({ params, query }, reply) => {
    const asOf = asOfOf(query);
    const row = sql.assignmentRow.get(Number(params.id));
    if (!row) return reply.code(404).send({ status: 404 });
    const judged = judge(sql.assignment.all({ id: row.id, asOf: new Date(asOf).toISOString() }), asOf);
    return {
      ...row,
      light: worst(judged.map((o) => o.light)),
      obligations: judged,
      reports: { total: sql.reportCount.get(row.measureId, row.unitId)!.n, recent: sql.recentReports.all(row.measureId, row.unitId) },
    };
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/api/v1/units/:id/scorecard', async ({ params, query }) => {
    const asOf = asOfOf(query);
    const judged = judge(sql.unitsDue.all({ units: unitsOf(params.id), asOf: new Date(asOf).toISOString(), ...yearRange(query, asOf) }), asOf);
    return { unitId: Number(params.id), ...summary(judged), members: [...groupBy(judged, (o) => o.unitId)].map(([unitId, list]) => ({ unitId, ...summary(list) })) };
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/api/v1/indicators/:id/series', async ({ params, query }) => {
    const values = sql.series.all({ indicatorId: Number(params.id), asOf: new Date(asOfOf(query)).toISOString() });
    return { indicatorId: Number(params.id), years: [...groupBy(values, (v) => v.year)].map(([year, reports]) => ({ year, reports })) };
  });

  app.addHook('onClose', async () => db.close());
  return app;
}
