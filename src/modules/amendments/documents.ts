import type { Db } from '../../db/client.js';
import type { COMPARATORS, DEADLINE_KINDS, MILESTONE_KINDS, SCHEDULE_KINDS } from '../../db/schema.js';

/**
 * Each amendable thing as one document: its own fields and the lists that belong to it (a measure's owners and
 * schedule, a task's units, an indicator's targets). A revision stores the document before and after; a change
 * is the difference between two documents, so every kind is amended, compared and undone the same way.
 */
export interface Deadline {
  kind: (typeof DEADLINE_KINDS)[number] | null;
  date: string | null;
  text: string | null;
}

export interface ChapterDocument {
  planId: number;
  position: number;
  title: string;
  retiredAt: string | null;
}

export interface TaskDocument {
  planId: number;
  chapterId: number;
  no: number;
  title: string;
  leadUnitIds: number[];
  responsibleUnitIds: number[];
  leadsEachOwnPart: boolean;
  deadline: Deadline;
  retiredAt: string | null;
}

export interface SchedulePartDocument {
  kind: (typeof SCHEDULE_KINDS)[number];
  dueDate: string | null;
  fromYear: number | null;
  untilYear: number | null;
  text: string;
}

export interface MeasureDocument {
  taskId: number;
  position: number;
  no: number | null;
  text: string;
  targetsText: string;
  deadline: Deadline;
  ownerUnitIds: number[];
  schedule: SchedulePartDocument[];
  retiredAt: string | null;
}

export interface MilestoneDocument {
  measureId: number;
  position: number;
  kind: (typeof MILESTONE_KINDS)[number];
  year: number | null;
  dueDate: string | null;
  text: string;
  retiredAt: string | null;
}

export interface TargetDocument {
  year: number;
  comparator: (typeof COMPARATORS)[number];
  value: number;
  sourceText: string;
}

export interface IndicatorDocument {
  taskId: number;
  measureId: number | null;
  name: string;
  comparator: (typeof COMPARATORS)[number];
  value: number;
  unit: string;
  targetYear: number | null;
  targets: TargetDocument[];
  retiredAt: string | null;
}

export interface Documents {
  chapter: ChapterDocument;
  task: TaskDocument;
  measure: MeasureDocument;
  milestone: MilestoneDocument;
  indicator: IndicatorDocument;
}
export type AmendableKind = keyof Documents;
export const AMENDABLE_KINDS: readonly AmendableKind[] = ['chapter', 'task', 'measure', 'milestone', 'indicator'];

const bool = (value: number) => value === 1;
const ids = (rows: { unitId: number }[]) => rows.map((r) => r.unitId);

/** Reads and writes the documents; SQL for the catalogue's amendable tables lives here. */
export function createDocumentRepository(db: Db) {
  const raw = db.$client;
  const q = <R>(sql: string) => raw.prepare<unknown[], R>(sql);

  const chapter = q<Omit<ChapterDocument, never>>('SELECT plan_id AS planId, position, title, retired_at AS retiredAt FROM chapters WHERE id = ?');
  const task = q<Omit<TaskDocument, 'leadUnitIds' | 'responsibleUnitIds' | 'deadline' | 'leadsEachOwnPart'> & DeadlineColumns & { leadsEachOwnPart: number }>(
    `SELECT plan_id AS planId, chapter_id AS chapterId, no, title, leads_each_own_part AS leadsEachOwnPart,
      deadline_kind AS deadlineKind, deadline_date AS deadlineDate, deadline_text AS deadlineText, retired_at AS retiredAt FROM tasks WHERE id = ?`,
  );
  const taskUnits = q<{ unitId: number }>('SELECT unit_id AS unitId FROM task_units WHERE task_id = ? AND role = ? ORDER BY position');
  const measure = q<Omit<MeasureDocument, 'ownerUnitIds' | 'schedule' | 'deadline'> & DeadlineColumns>(
    `SELECT task_id AS taskId, position, no, text, targets_text AS targetsText,
      deadline_kind AS deadlineKind, deadline_date AS deadlineDate, deadline_text AS deadlineText, retired_at AS retiredAt FROM measures WHERE id = ?`,
  );
  const owners = q<{ unitId: number }>('SELECT unit_id AS unitId FROM measure_owners WHERE measure_id = ? ORDER BY position');
  const schedule = q<SchedulePartDocument>(
    'SELECT kind, due_date AS dueDate, from_year AS fromYear, until_year AS untilYear, text FROM measure_schedules WHERE measure_id = ? ORDER BY position',
  );
  const milestone = q<MilestoneDocument>('SELECT measure_id AS measureId, position, kind, year, due_date AS dueDate, text, retired_at AS retiredAt FROM milestones WHERE id = ?');
  const indicator = q<Omit<IndicatorDocument, 'targets'>>(
    `SELECT task_id AS taskId, measure_id AS measureId, name, comparator, value, unit, target_year AS targetYear, retired_at AS retiredAt
     FROM indicators WHERE id = ?`,
  );
  const targets = q<TargetDocument>('SELECT year, comparator, value, source_text AS sourceText FROM indicator_targets WHERE indicator_id = ? ORDER BY year');
  const planOf = {
    chapter: q<{ planId: number }>('SELECT plan_id AS planId FROM chapters WHERE id = ?'),
    task: q<{ planId: number }>('SELECT plan_id AS planId FROM tasks WHERE id = ?'),
    measure: q<{ planId: number }>('SELECT t.plan_id AS planId FROM measures m JOIN tasks t ON t.id = m.task_id WHERE m.id = ?'),
    milestone: q<{ planId: number }>('SELECT t.plan_id AS planId FROM milestones s JOIN measures m ON m.id = s.measure_id JOIN tasks t ON t.id = m.task_id WHERE s.id = ?'),
    indicator: q<{ planId: number }>('SELECT plan_id AS planId FROM indicators WHERE id = ?'),
  };

  const read: { [K in AmendableKind]: (id: number) => Documents[K] | undefined } = {
    chapter: (id) => chapter.get(id),
    task: (id) => {
      const row = task.get(id);
      if (!row) return undefined;
      const { deadlineKind, deadlineDate, deadlineText, leadsEachOwnPart, ...fields } = row;
      return {
        ...fields,
        leadsEachOwnPart: bool(leadsEachOwnPart),
        leadUnitIds: ids(taskUnits.all(id, 'lead')),
        responsibleUnitIds: ids(taskUnits.all(id, 'responsible')),
        deadline: { kind: deadlineKind, date: deadlineDate, text: deadlineText },
      };
    },
    measure: (id) => {
      const row = measure.get(id);
      if (!row) return undefined;
      const { deadlineKind, deadlineDate, deadlineText, ...fields } = row;
      return { ...fields, deadline: { kind: deadlineKind, date: deadlineDate, text: deadlineText }, ownerUnitIds: ids(owners.all(id)), schedule: schedule.all(id) };
    },
    milestone: (id) => milestone.get(id),
    indicator: (id) => {
      const row = indicator.get(id);
      return row && { ...row, targets: targets.all(id) };
    },
  };

  const run = (sql: string, ...values: unknown[]) => raw.prepare(sql).run(...values);
  const write: { [K in AmendableKind]: (id: number, d: Documents[K]) => void } = {
    chapter: (id, d) => run('UPDATE chapters SET position = ?, title = ?, retired_at = ? WHERE id = ?', d.position, d.title, d.retiredAt, id),
    task: (id, d) => {
      run(
        `UPDATE tasks SET chapter_id = ?, no = ?, title = ?, leads_each_own_part = ?, deadline_kind = ?, deadline_date = ?, deadline_text = ?,
         retired_at = ? WHERE id = ?`,
        d.chapterId,
        d.no,
        d.title,
        d.leadsEachOwnPart ? 1 : 0,
        d.deadline.kind,
        d.deadline.date,
        d.deadline.text,
        d.retiredAt,
        id,
      );
      run('DELETE FROM task_units WHERE task_id = ?', id);
      const insert = raw.prepare('INSERT INTO task_units (task_id, unit_id, role, position) VALUES (?, ?, ?, ?)');
      d.leadUnitIds.forEach((unitId, i) => insert.run(id, unitId, 'lead', i + 1));
      d.responsibleUnitIds.forEach((unitId, i) => insert.run(id, unitId, 'responsible', i + 1));
    },
    measure: (id, d) => {
      run(
        `UPDATE measures SET task_id = ?, position = ?, no = ?, text = ?, targets_text = ?, deadline_kind = ?, deadline_date = ?, deadline_text = ?,
         owners_named = ?, retired_at = ? WHERE id = ?`,
        d.taskId,
        d.position,
        d.no,
        d.text,
        d.targetsText,
        d.deadline.kind,
        d.deadline.date,
        d.deadline.text,
        d.ownerUnitIds.length > 0 ? 1 : 0,
        d.retiredAt,
        id,
      );
      run('DELETE FROM measure_owners WHERE measure_id = ?', id);
      const owner = raw.prepare('INSERT INTO measure_owners (measure_id, unit_id, position) VALUES (?, ?, ?)');
      d.ownerUnitIds.forEach((unitId, i) => owner.run(id, unitId, i + 1));
      run('DELETE FROM measure_schedules WHERE measure_id = ?', id);
      const part = raw.prepare('INSERT INTO measure_schedules (measure_id, position, kind, due_date, from_year, until_year, text) VALUES (?, ?, ?, ?, ?, ?, ?)');
      d.schedule.forEach((p, i) => part.run(id, i + 1, p.kind, p.dueDate, p.fromYear, p.untilYear, p.text));
    },
    milestone: (id, d) =>
      run(
        'UPDATE milestones SET measure_id = ?, position = ?, kind = ?, year = ?, due_date = ?, text = ?, retired_at = ? WHERE id = ?',
        d.measureId,
        d.position,
        d.kind,
        d.year,
        d.dueDate,
        d.text,
        d.retiredAt,
        id,
      ),
    indicator: (id, d) => {
      run(
        'UPDATE indicators SET name = ?, comparator = ?, value = ?, unit = ?, target_year = ?, retired_at = ? WHERE id = ?',
        d.name,
        d.comparator,
        d.value,
        d.unit,
        d.targetYear,
        d.retiredAt,
        id,
      );
      run('DELETE FROM indicator_targets WHERE indicator_id = ?', id);
      const target = raw.prepare('INSERT INTO indicator_targets (indicator_id, year, comparator, value, source_text) VALUES (?, ?, ?, ?, ?)');
      for (const t of d.targets) target.run(id, t.year, t.comparator, t.value, t.sourceText);
    },
  };

  const nextPosition = {
    chapter: q<{ p: number | null }>('SELECT max(position) AS p FROM chapters WHERE plan_id = ?'),
    measure: q<{ p: number | null }>('SELECT max(position) AS p FROM measures WHERE task_id = ?'),
    milestone: q<{ p: number | null }>('SELECT max(position) AS p FROM milestones WHERE measure_id = ?'),
  };
  const taskNo = q<{ id: number }>('SELECT id FROM tasks WHERE plan_id = ? AND no = ?');
  const plan = q<{ id: number }>('SELECT id FROM plans WHERE id = ?');
  const created = (sql: string, ...values: unknown[]) => Number(run(sql, ...values).lastInsertRowid);
  // The columns a write does not set (source text, lines) start empty: an amendment has no source document line.
  const insert: { [K in AmendableKind]: (d: Documents[K], extra: InsertExtra) => number } = {
    chapter: (d) => created('INSERT INTO chapters (plan_id, position, title) VALUES (?, ?, ?)', d.planId, d.position, d.title),
    task: (d) => {
      const id = created(
        `INSERT INTO tasks (plan_id, chapter_id, no, title, lead_units_text, responsible_units_text, leads_each_own_part, source_lines)
         VALUES (?, ?, ?, ?, '', '', 0, '[]')`,
        d.planId,
        d.chapterId,
        d.no,
        d.title,
      );
      write.task(id, d);
      return id;
    },
    measure: (d) => {
      const id = created(
        'INSERT INTO measures (task_id, position, no, text, targets_text, source_line) VALUES (?, ?, ?, ?, ?, 0)',
        d.taskId,
        d.position,
        d.no,
        d.text,
        d.targetsText,
      );
      write.measure(id, d);
      return id;
    },
    milestone: (d) =>
      created('INSERT INTO milestones (measure_id, position, kind, year, due_date, text) VALUES (?, ?, ?, ?, ?, ?)', d.measureId, d.position, d.kind, d.year, d.dueDate, d.text),
    indicator: (d, extra) => {
      const id = created(
        `INSERT INTO indicators (plan_id, key, task_id, measure_id, name, source_text, comparator, value, unit, direction, target_year)
         VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)`,
        extra.planId,
        `amended-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        d.taskId,
        d.measureId,
        d.name,
        d.comparator,
        d.value,
        d.unit,
        extra.direction ?? 'increase',
        d.targetYear,
      );
      write.indicator(id, d);
      return id;
    },
  };

  return {
    read,
    write,
    planOf: (kind: AmendableKind, id: number) => planOf[kind].get(id)?.planId,
    /** Stores a new entity from its document (at the end of its parent); returns its id. */
    insert,
    nextPosition: (kind: 'chapter' | 'measure' | 'milestone', parentId: number) => (nextPosition[kind].get(parentId)?.p ?? 0) + 1,
    taskNoTaken: (planId: number, no: number) => taskNo.get(planId, no) !== undefined,
    planExists: (planId: number) => plan.get(planId) !== undefined,
    measuresOf: (taskId: number) =>
      raw
        .prepare<[number], { id: number }>('SELECT id FROM measures WHERE task_id = ? ORDER BY position')
        .all(taskId)
        .map((m) => m.id),
  };
}

/** What an insert needs beyond the document: the plan (an indicator's own column) and an indicator's direction. */
export interface InsertExtra {
  planId: number;
  direction?: 'increase' | 'decrease' | undefined;
}

interface DeadlineColumns {
  deadlineKind: Deadline['kind'];
  deadlineDate: string | null;
  deadlineText: string | null;
}

export type DocumentRepository = ReturnType<typeof createDocumentRepository>;
