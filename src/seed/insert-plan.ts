import type { Db } from '../db/client.js';
import * as t from '../db/schema.js';
import { normaliseUnitName } from '../modules/units/unit-name.js';
import type { SeedDeadline, SeedIndicator, SeedMeasure, SeedPlan } from './types.js';

/**
 * Writes a plan's chapters, tasks (with their units), measures (owners, milestones, schedule) and indicators under the
 * plan row `planId`: the seed's and every imported table's. `unitIds` maps normalised unit names and aliases to ids;
 * a name it lacks is a bug of the caller (the reader left unknown names out), so it throws. Run it in a transaction.
 */
export function insertPlanContent(db: Db, planId: number, plan: Pick<SeedPlan, 'chapters' | 'tasks'>, indicators: SeedIndicator[], unitIds: Map<string, number>): void {
  const unitId = (name: string, where: string): number => {
    const id = unitIds.get(normaliseUnitName(name));
    if (id === undefined) throw new Error(`seed: unknown unit "${name}" in ${where}`);
    return id;
  };

  const chapterIds = new Map<string, number>();
  for (const chapter of plan.chapters) {
    const row = db
      .insert(t.chapters)
      .values({ planId, ...chapter })
      .returning({ id: t.chapters.id })
      .get();
    chapterIds.set(chapter.title, row.id);
  }

  const taskIds = new Map<number, number>();
  const measureIds = new Map<string, number>();
  for (const task of plan.tasks) {
    const chapterId = chapterIds.get(task.chapter);
    if (chapterId === undefined) throw new Error(`seed: task ${task.no} names unknown chapter "${task.chapter}"`);
    const { id: taskId } = db
      .insert(t.tasks)
      .values({
        planId,
        chapterId,
        no: task.no,
        title: task.title,
        leadUnitsText: task.leadUnitsText,
        responsibleUnitsText: task.responsibleUnitsText,
        leadsEachOwnPart: task.leadsEachOwnPart,
        ...deadlineColumns(task.deadline),
        sourceLines: JSON.stringify(task.sourceLines),
      })
      .returning({ id: t.tasks.id })
      .get();
    taskIds.set(task.no, taskId);
    const roles = [
      ['lead', task.leadUnits],
      ['responsible', task.responsibleUnits],
    ] as const;
    for (const [role, names] of roles) {
      names.forEach((name, position) => {
        db.insert(t.taskUnits)
          .values({ taskId, unitId: unitId(name, `task ${task.no}`), role, position })
          .run();
      });
    }

    for (const measure of task.measures) {
      const { id: measureId } = db
        .insert(t.measures)
        .values({
          taskId,
          position: measure.position,
          no: measure.no,
          text: measure.text,
          targetsText: measure.targetsText,
          ...deadlineColumns(measure.deadline),
          ownersNamed: ownersNamed(measure),
          sourceLine: measure.sourceLine,
        })
        .returning({ id: t.measures.id })
        .get();
      measureIds.set(`${task.no}/${measure.position}`, measureId);
      measure.ownerUnits.forEach((name, position) => {
        db.insert(t.measureOwners)
          .values({ measureId, unitId: unitId(name, `task ${task.no} measure ${measure.position}`), position })
          .run();
      });
      measure.milestones.forEach((milestone, index) => {
        db.insert(t.milestones)
          .values({ measureId, position: index + 1, ...milestone })
          .run();
      });
      insertSchedule(db, measureId, measure);
    }
  }

  for (const indicator of indicators) {
    const taskId = taskIds.get(indicator.task);
    if (taskId === undefined) throw new Error(`seed: indicator ${indicator.key} names unknown task ${indicator.task}`);
    const measureId = indicator.measurePosition === null ? null : measureIds.get(`${indicator.task}/${indicator.measurePosition}`);
    if (measureId === undefined) throw new Error(`seed: indicator ${indicator.key} names an unknown measure`);
    const { targets, task: _task, measurePosition: _position, ...fields } = indicator;
    const { id: indicatorId } = db
      .insert(t.indicators)
      .values({ ...fields, planId, taskId, measureId })
      .returning({ id: t.indicators.id })
      .get();
    for (const target of targets)
      db.insert(t.indicatorTargets)
        .values({ indicatorId, ...target })
        .run();
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
  measure.schedule.forEach((part, index) => {
    db.insert(t.measureSchedules)
      .values({ measureId, position: index + 1, ...part })
      .run();
  });
}

function deadlineColumns(deadline: SeedDeadline | null) {
  return {
    deadlineKind: deadline?.kind ?? null,
    deadlineDate: deadline?.kind === 'date' ? deadline.date : null,
    deadlineText: deadline?.text ?? null,
  };
}
