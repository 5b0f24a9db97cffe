import type { Db } from '../db/client.js';
import { normaliseUnitName } from '../modules/units/unit-name.js';
import type { SeedDeadline, SeedIndicator, SeedMeasure, SeedPlan } from './types.js';

/** The statements a plan's content is written with, prepared once per connection (a plan is ~1,500 rows). */
function statements(db: Db) {
  const raw = db.$client;
  const insert = (sql: string) => raw.prepare<Record<string, unknown>>(sql);
  return {
    chapter: insert('INSERT INTO chapters (plan_id, position, title) VALUES (@planId, @position, @title)'),
    task: insert(`INSERT INTO tasks (plan_id, chapter_id, no, title, lead_units_text, responsible_units_text, leads_each_own_part,
      deadline_kind, deadline_date, deadline_text, source_lines)
      VALUES (@planId, @chapterId, @no, @title, @leadUnitsText, @responsibleUnitsText, @leadsEachOwnPart, @deadlineKind, @deadlineDate,
      @deadlineText, @sourceLines)`),
    taskUnit: insert('INSERT INTO task_units (task_id, unit_id, role, position) VALUES (@taskId, @unitId, @role, @position)'),
    measure: insert(`INSERT INTO measures (task_id, position, no, text, targets_text, deadline_kind, deadline_date, deadline_text, owners_named, source_line)
      VALUES (@taskId, @position, @no, @text, @targetsText, @deadlineKind, @deadlineDate, @deadlineText, @ownersNamed, @sourceLine)`),
    owner: insert('INSERT INTO measure_owners (measure_id, unit_id, position) VALUES (@measureId, @unitId, @position)'),
    milestone: insert('INSERT INTO milestones (measure_id, position, kind, year, due_date, text) VALUES (@measureId, @position, @kind, @year, @dueDate, @text)'),
    indicator: insert(`INSERT INTO indicators (plan_id, key, task_id, measure_id, name, source_text, comparator, value, unit, direction, scope, combine, target_year)
      VALUES (@planId, @key, @taskId, @measureId, @name, @sourceText, @comparator, @value, @unit, @direction, @scope, @combine, @targetYear)`),
    target: insert('INSERT INTO indicator_targets (indicator_id, year, comparator, value, source_text) VALUES (@indicatorId, @year, @comparator, @value, @sourceText)'),
  };
}

const idOf = (result: { lastInsertRowid: number | bigint }): number => Number(result.lastInsertRowid);

/**
 * Writes a plan's chapters, tasks (with their units), measures (owners, milestones, schedule) and indicators under the
 * plan row `planId`: the seed's and every imported table's. `unitIds` maps normalised unit names and aliases to ids;
 * a name it lacks is a bug of the caller (the reader left unknown names out), so it throws. Run it in a transaction.
 */
export function insertPlanContent(db: Db, planId: number, plan: Pick<SeedPlan, 'chapters' | 'tasks'>, indicators: SeedIndicator[], unitIds: Map<string, number>): void {
  const insert = statements(db);
  const unitId = (name: string, where: string): number => {
    const id = unitIds.get(normaliseUnitName(name));
    if (id === undefined) throw new Error(`seed: unknown unit "${name}" in ${where}`);
    return id;
  };

  const chapterIds = new Map(plan.chapters.map((chapter) => [chapter.title, idOf(insert.chapter.run({ planId, ...chapter }))]));
  const taskIds = new Map<number, number>();
  const measureIds = new Map<string, number>();
  for (const task of plan.tasks) {
    const chapterId = chapterIds.get(task.chapter);
    if (chapterId === undefined) throw new Error(`seed: task ${task.no} names unknown chapter "${task.chapter}"`);
    const { no, title, leadUnitsText, responsibleUnitsText, leadsEachOwnPart } = task;
    const row = { planId, chapterId, no, title, leadUnitsText, responsibleUnitsText, leadsEachOwnPart: Number(leadsEachOwnPart) };
    const taskId = idOf(insert.task.run({ ...row, ...deadlineColumns(task.deadline), sourceLines: JSON.stringify(task.sourceLines) }));
    taskIds.set(task.no, taskId);
    const roles = [
      ['lead', task.leadUnits],
      ['responsible', task.responsibleUnits],
    ] as const;
    for (const [role, names] of roles) {
      names.forEach((name, position) => insert.taskUnit.run({ taskId, unitId: unitId(name, `task ${task.no}`), role, position }));
    }

    for (const measure of task.measures) {
      const { position, no: measureNo, text, targetsText, sourceLine } = measure;
      const measureRow = { taskId, position, no: measureNo, text, targetsText, ...deadlineColumns(measure.deadline), ownersNamed: Number(ownersNamed(measure)), sourceLine };
      const measureId = idOf(insert.measure.run(measureRow));
      measureIds.set(`${task.no}/${measure.position}`, measureId);
      measure.ownerUnits.forEach((name, k) => insert.owner.run({ measureId, unitId: unitId(name, `task ${task.no} measure ${measure.position}`), position: k }));
      measure.milestones.forEach((milestone, index) => insert.milestone.run({ measureId, position: index + 1, ...milestone }));
      insertSchedule(db, measureId, measure);
    }
  }

  for (const indicator of indicators) {
    const taskId = taskIds.get(indicator.task);
    if (taskId === undefined) throw new Error(`seed: indicator ${indicator.key} names unknown task ${indicator.task}`);
    const measureId = indicator.measurePosition === null ? null : measureIds.get(`${indicator.task}/${indicator.measurePosition}`);
    if (measureId === undefined) throw new Error(`seed: indicator ${indicator.key} names an unknown measure`);
    const { targets, task: _task, measurePosition: _position, ...fields } = indicator;
    const indicatorId = idOf(insert.indicator.run({ ...fields, planId, taskId, measureId }));
    for (const target of targets) insert.target.run({ indicatorId, ...target });
  }
}

/**
 * A measure names its owner in the parenthesis closing its cell (seeds/README.md); one that names none lists the
 * task's leads as owners, and is owed by the task's responsible units.
 */
export function ownersNamed(measure: SeedMeasure): boolean {
  return /\)。?$/.test(measure.text.trim());
}

export function insertSchedule(db: Db, measureId: number, measure: SeedMeasure): void {
  const insert = db.$client.prepare<Record<string, unknown>>(
    'INSERT INTO measure_schedules (measure_id, position, kind, due_date, from_year, until_year, text) VALUES (@measureId, @position, @kind, @dueDate, @fromYear, @untilYear, @text)',
  );
  measure.schedule.forEach((part, index) => insert.run({ measureId, position: index + 1, ...part }));
}

function deadlineColumns(deadline: SeedDeadline | null) {
  return {
    deadlineKind: deadline?.kind ?? null,
    deadlineDate: deadline?.kind === 'date' ? deadline.date : null,
    deadlineText: deadline?.text ?? null,
  };
}
