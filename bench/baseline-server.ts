/**
 * The yardstick for the benchmark: the same rows as the project's task endpoints, served by the least code
 * that can do it — Fastify with no logger, no schemas and no hooks, hand-written SQL in prepared statements
 * compiled once at start-up. The project should stay within a known fraction of this.
 *
 * Reads the project's database (which must already be migrated and seeded) read-only, and writes reports to a
 * copy of it of its own (same schema, indexes and API keys), so both servers can create the same reports
 * without colliding and neither pays for the other's WAL growth and checkpoints.
 * Env: PORT, HOST (127.0.0.1), DATABASE_PATH, WRITE_DATABASE_PATH.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const databasePath = process.env.DATABASE_PATH;
if (!databasePath) throw new Error('DATABASE_PATH is required');
const writeDatabasePath = process.env.WRITE_DATABASE_PATH;
if (!writeDatabasePath) throw new Error('WRITE_DATABASE_PATH is required');

const db = new Database(databasePath, { readonly: true, fileMustExist: true });
const writer = new Database(writeDatabasePath, { fileMustExist: true });
// The project's pragmas: every commit fsyncs the WAL, so both sides pay the same durability cost per write.
writer.pragma('journal_mode = WAL');
writer.pragma('synchronous = FULL');
writer.pragma('foreign_keys = ON');

interface UnitRef {
  id: number;
  name: string;
  kind: string;
}
interface DeadlineColumns {
  deadlineKind: string | null;
  deadlineDate: string | null;
  deadlineText: string | null;
}
interface TaskRow extends DeadlineColumns {
  id: number;
  planId: number;
  no: number;
  chapterId: number;
  chapterTitle: string;
  title: string;
  leadsEachOwnPart: number;
  leadUnitsText: string;
  responsibleUnitsText: string;
  sourceLines: string;
  measureCount: number;
}
interface MeasureRow extends DeadlineColumns {
  id: number;
  taskId: number;
  taskNo: number;
  position: number;
  no: number | null;
  text: string;
  targetsText: string;
  sourceLine: number;
}
interface MilestoneRow {
  measureId: number;
  id: number;
  position: number;
  kind: string;
  year: number | null;
  dueDate: string | null;
  text: string;
}
interface IndicatorRow {
  id: number;
  planId: number;
  key: string;
  taskId: number;
  taskNo: number;
  measureId: number | null;
  name: string;
  sourceText: string;
  comparator: string;
  value: number;
  unit: string;
  direction: string;
  targetYear: number | null;
}
interface TargetRow {
  indicatorId: number;
  year: number;
  comparator: string;
  value: number;
  sourceText: string;
}

const taskColumns = `
  t.id, t.plan_id AS planId, t.no, c.id AS chapterId, c.title AS chapterTitle, t.title,
  t.leads_each_own_part AS leadsEachOwnPart, t.lead_units_text AS leadUnitsText,
  t.responsible_units_text AS responsibleUnitsText, t.deadline_kind AS deadlineKind,
  t.deadline_date AS deadlineDate, t.deadline_text AS deadlineText, t.source_lines AS sourceLines,
  (SELECT count(*) FROM measures m WHERE m.task_id = t.id) AS measureCount
  FROM tasks t JOIN chapters c ON c.id = t.chapter_id`;

const sql = {
  taskPage: db.prepare<[number, number], TaskRow>(`SELECT ${taskColumns} ORDER BY t.plan_id, t.no LIMIT ? OFFSET ?`),
  taskCount: db.prepare<[], number>('SELECT count(*) FROM tasks').pluck(),
  task: db.prepare<[number], TaskRow>(`SELECT ${taskColumns} WHERE t.id = ?`),
  // A JSON array of ids keeps one prepared statement for any page size.
  taskUnits: db.prepare<[string], UnitRef & { taskId: number; role: string }>(
    `SELECT tu.task_id AS taskId, tu.role, u.id, u.name, u.kind
     FROM task_units tu JOIN units u ON u.id = tu.unit_id
     WHERE tu.task_id IN (SELECT value FROM json_each(?))
     ORDER BY tu.task_id, tu.role, tu.position`,
  ),
  measures: db.prepare<[number], MeasureRow>(
    `SELECT m.id, m.task_id AS taskId, t.no AS taskNo, m.position, m.no, m.text, m.targets_text AS targetsText,
       m.deadline_kind AS deadlineKind, m.deadline_date AS deadlineDate, m.deadline_text AS deadlineText,
       m.source_line AS sourceLine
     FROM measures m JOIN tasks t ON t.id = m.task_id WHERE m.task_id = ? ORDER BY m.position`,
  ),
  owners: db.prepare<[number], UnitRef & { measureId: number }>(
    `SELECT mo.measure_id AS measureId, u.id, u.name, u.kind
     FROM measure_owners mo JOIN units u ON u.id = mo.unit_id JOIN measures m ON m.id = mo.measure_id
     WHERE m.task_id = ? ORDER BY mo.measure_id, mo.position`,
  ),
  milestones: db.prepare<[number], MilestoneRow>(
    `SELECT ms.measure_id AS measureId, ms.id, ms.position, ms.kind, ms.year, ms.due_date AS dueDate, ms.text
     FROM milestones ms JOIN measures m ON m.id = ms.measure_id
     WHERE m.task_id = ? ORDER BY ms.measure_id, ms.position`,
  ),
  indicators: db.prepare<[number], IndicatorRow>(
    `SELECT i.id, i.plan_id AS planId, i.key, i.task_id AS taskId, t.no AS taskNo, i.measure_id AS measureId,
       i.name, i.source_text AS sourceText, i.comparator, i.value, i.unit, i.direction, i.target_year AS targetYear
     FROM indicators i JOIN tasks t ON t.id = i.task_id WHERE i.task_id = ? ORDER BY i.id`,
  ),
  targets: db.prepare<[number], TargetRow>(
    `SELECT it.indicator_id AS indicatorId, it.year, it.comparator, it.value, it.source_text AS sourceText
     FROM indicator_targets it JOIN indicators i ON i.id = it.indicator_id
     WHERE i.task_id = ? ORDER BY it.indicator_id, it.year`,
  ),
};

const writes = {
  key: writer.prepare<[string, string], { id: number; unitId: number | null }>(
    `SELECT id, unit_id AS unitId FROM api_keys
     WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
  ),
  insertReport: writer.prepare(
    `INSERT INTO progress_reports (measure_id, unit_id, period, period_start, period_end, state, status, narrative,
       evidence, percent_complete, version, created_at, updated_at, created_by_key_id)
     VALUES (@measureId, @unitId, @period, @periodStart, @periodEnd, 'draft', @status, @narrative,
       @evidence, @percentComplete, 1, @at, @at, @keyId)`,
  ),
};

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

function deadline(row: DeadlineColumns) {
  return row.deadlineKind === null ? null : { kind: row.deadlineKind, date: row.deadlineDate, text: row.deadlineText ?? '' };
}

const unitRef = ({ id, name, kind }: UnitRef): UnitRef => ({ id, name, kind });

function shapeTasks(rows: TaskRow[]) {
  const units = groupBy(sql.taskUnits.all(JSON.stringify(rows.map((r) => r.id))), (u) => `${u.taskId}/${u.role}`);
  return rows.map((row) => ({
    id: row.id,
    planId: row.planId,
    no: row.no,
    chapter: { id: row.chapterId, title: row.chapterTitle },
    title: row.title,
    leadUnits: (units.get(`${row.id}/lead`) ?? []).map(unitRef),
    leadsEachOwnPart: row.leadsEachOwnPart === 1,
    responsibleUnits: (units.get(`${row.id}/responsible`) ?? []).map(unitRef),
    deadline: deadline(row),
    measureCount: row.measureCount,
    source: {
      lines: JSON.parse(row.sourceLines) as number[],
      leadUnitsText: row.leadUnitsText,
      responsibleUnitsText: row.responsibleUnitsText,
    },
  }));
}

function measuresOf(taskId: number) {
  const owners = groupBy(sql.owners.all(taskId), (o) => o.measureId);
  const milestones = groupBy(sql.milestones.all(taskId), (m) => m.measureId);
  return sql.measures.all(taskId).map((m) => ({
    id: m.id,
    taskId: m.taskId,
    taskNo: m.taskNo,
    position: m.position,
    no: m.no,
    text: m.text,
    ownerUnits: (owners.get(m.id) ?? []).map(unitRef),
    targetsText: m.targetsText,
    milestones: (milestones.get(m.id) ?? []).map(({ measureId: _measureId, ...milestone }) => milestone),
    deadline: deadline(m),
    sourceLine: m.sourceLine,
  }));
}

function indicatorsOf(taskId: number) {
  const targets = groupBy(sql.targets.all(taskId), (t) => t.indicatorId);
  return sql.indicators.all(taskId).map((i) => ({
    ...i,
    targets: (targets.get(i.id) ?? []).map(({ indicatorId: _indicatorId, ...target }) => target),
  }));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** First and last day of `2024`, `2024-Q3` or `2024-07` (the table needs both; the harness sends only valid periods). */
function periodBounds(period: string): [string, string] {
  const [year, part = ''] = period.split('-');
  const [first, last] = part.startsWith('Q') ? [Number(part[1]) * 3 - 2, Number(part[1]) * 3] : part ? [Number(part), Number(part)] : [1, 12];
  const lastDay = new Date(Date.UTC(Number(year), last, 0)).getUTCDate();
  return [`${year}-${pad(first)}-01`, `${year}-${pad(last)}-${pad(lastDay)}`];
}

interface ReportBody {
  measureId: number;
  period: string;
  status: string;
  narrative?: string;
  evidence?: unknown[];
  percentComplete?: number | null;
}

/** An integer parameter within the project's bounds: `fallback` when absent, NaN when invalid. */
function intParam(raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return /^\d+$/.test(raw) && n >= min && n <= max ? n : Number.NaN;
}

const app = Fastify({ logger: false });

app.get('/health', async () => ({ status: 'ok' }));

app.get<{ Querystring: { limit?: string; offset?: string } }>('/api/v1/tasks', async (request, reply) => {
  const limit = intParam(request.query.limit, 50, 1, 500);
  const offset = intParam(request.query.offset, 0, 0, 1_000_000);
  if (Number.isNaN(limit) || Number.isNaN(offset)) return reply.code(400).send({ status: 400 });
  return { items: shapeTasks(sql.taskPage.all(limit, offset)), total: sql.taskCount.get(), limit, offset };
});

app.get<{ Params: { id: string } }>('/api/v1/tasks/:id', async (request, reply) => {
  const id = intParam(request.params.id, Number.NaN, 1, Number.MAX_SAFE_INTEGER);
  const row = Number.isNaN(id) ? undefined : sql.task.get(id);
  if (!row) return reply.code(404).send({ status: 404 });
  return { ...shapeTasks([row])[0], measures: measuresOf(id), indicators: indicatorsOf(id) };
});

// The least comparable write: authenticate the bearer token (hash, one SELECT), insert the report, answer its id.
app.post<{ Body: ReportBody }>('/api/v1/reports', async (request, reply) => {
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  const key = token === undefined ? undefined : writes.key.get(createHash('sha256').update(token).digest('hex'), new Date().toISOString());
  if (!key || key.unitId === null) return reply.code(401).send({ status: 401 });
  const body = request.body;
  const [periodStart, periodEnd] = periodBounds(body.period);
  const { lastInsertRowid } = writes.insertReport.run({
    measureId: body.measureId,
    unitId: key.unitId,
    period: body.period,
    periodStart,
    periodEnd,
    status: body.status,
    narrative: body.narrative ?? '',
    evidence: JSON.stringify(body.evidence ?? []),
    percentComplete: body.percentComplete ?? null,
    at: new Date().toISOString(),
    keyId: key.id,
  });
  return reply.code(201).send({ id: Number(lastInsertRowid) });
});

app.addHook('onClose', async () => {
  db.close();
  writer.close();
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}

await app.listen({ port: Number(process.env.PORT ?? 3001), host: process.env.HOST ?? '127.0.0.1' });
