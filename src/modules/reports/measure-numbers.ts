import type { Db } from '../../db/client.js';
import { unprocessable } from '../../domain/errors.js';
import { said } from '../../domain/said.js';

/**
 * A measure's number as the breakdown table prints it: its own (1., 2., …), or — where the document numbers none of a
 * task's measures — its place in the task. Clerks name a measure by its task's 序号 and this number, never by id.
 */
const PRINTED_NO = 'coalesce(m.no, m.position)';

export interface PrintedMeasure {
  measureId: number;
  taskNo: number;
  measureNo: number;
  /** The indicators a report on the measure may give values for: the measure's own and its task's general ones. */
  indicators: { id: number; name: string; unit: string }[];
}

export function createMeasureNumbers(db: Db) {
  const named = db.$client.prepare<{ taskNo: number; measureNo: number | null }, { measureId: number }>(
    `SELECT m.id AS measureId FROM measures m JOIN tasks t ON t.id = m.task_id
     WHERE t.no = :taskNo AND (:measureNo IS NULL OR ${PRINTED_NO} = :measureNo) ORDER BY t.plan_id, m.position`,
  );
  const printed = db.$client.prepare<{ ids: string }, { measureId: number; taskNo: number; measureNo: number }>(
    `SELECT m.id AS measureId, t.no AS taskNo, ${PRINTED_NO} AS measureNo FROM measures m JOIN tasks t ON t.id = m.task_id
     WHERE m.id IN (SELECT value FROM json_each(:ids))`,
  );
  const indicatorsOf = db.$client.prepare<{ ids: string }, { measureId: number; id: number; name: string; unit: string }>(
    `SELECT m.id AS measureId, i.id, i.name, i.unit FROM measures m JOIN indicators i ON i.task_id = m.task_id AND (i.measure_id IS NULL OR i.measure_id = m.id)
     WHERE m.id IN (SELECT value FROM json_each(:ids)) ORDER BY i.id`,
  );

  return {
    /** The measures a task number and printed measure number name (any measure of the task when the number is left out). */
    named: (taskNo: number, measureNo: number | null) => named.all({ taskNo, measureNo }).map((m) => m.measureId),

    /** How the breakdown table prints each measure, with the indicators a report on it may give values for. */
    printed(measureIds: number[]): Map<number, PrintedMeasure> {
      const ids = JSON.stringify(measureIds);
      const result = new Map(printed.all({ ids }).map((m) => [m.measureId, { ...m, indicators: [] as PrintedMeasure['indicators'] }]));
      for (const { measureId, ...indicator } of indicatorsOf.all({ ids })) result.get(measureId)!.indicators.push(indicator);
      return result;
    },
  };
}

export type MeasureNumbers = ReturnType<typeof createMeasureNumbers>;

const isObject = (row: unknown): row is Record<string, unknown> => typeof row === 'object' && row !== null && !Array.isArray(row);
const isNumber = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * A row that names its measure as printed (`taskNo` + `measureNo`, 序号 + 措施序号) instead of by `measureId` gets the
 * measure's id; other rows pass as they are. The printed numbers must name exactly one measure, and agree with a
 * `measureId` given as well.
 */
export function withMeasureId(row: unknown, pointer: string, numbers: MeasureNumbers): unknown {
  if (!isObject(row) || (row.taskNo === undefined && row.measureNo === undefined)) return row;
  const { taskNo, measureNo, ...rest } = row;
  if (!isNumber(taskNo)) {
    throw unprocessable(`${pointer}/taskNo`, said('须填写任务序号（正整数），与分解表中的序号一致', 'must be the task’s number in the breakdown table (a whole number above 0)'));
  }
  if (measureNo !== undefined && !isNumber(measureNo)) {
    throw unprocessable(`${pointer}/measureNo`, said('须为措施序号（正整数）', 'must be the measure’s number within its task (a whole number above 0)'));
  }
  const ids = numbers.named(taskNo, measureNo ?? null);
  const printed = measureNo === undefined ? `${taskNo}` : `${taskNo}-${measureNo}`;
  if (ids.length === 0) {
    const field = measureNo === undefined ? 'taskNo' : 'measureNo';
    throw unprocessable(`${pointer}/${field}`, said(`分解表中没有序号为 ${printed} 的措施`, `names no measure: the breakdown table has no measure ${printed}`));
  }
  if (ids.length > 1) {
    throw unprocessable(
      `${pointer}/${measureNo === undefined ? 'measureNo' : 'taskNo'}`,
      measureNo === undefined
        ? said(`任务 ${taskNo} 有 ${ids.length} 项措施：请填写措施序号`, `task ${taskNo} has ${ids.length} measures: give the measure’s number`)
        : said(`序号 ${printed} 对应多项措施：请改用措施ID`, `names more than one measure (${printed}): name it by measureId`),
    );
  }
  if (rest.measureId !== undefined && rest.measureId !== ids[0]) {
    throw unprocessable(`${pointer}/measureId`, said(`与序号 ${printed} 所指的措施不一致`, `is not the measure ${printed} names`));
  }
  return { ...rest, measureId: ids[0] };
}
